"""A teacher closes their account: what is private goes (files from storage too), their
posts in shared discussions stay as "a former member"'s unless they ask for them to go,
their credentials still verify without their name, the erasure is audited, and they are
logged out everywhere. Staff can do it for a teacher who asks outside Staffroom."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from community.models import (
    ChatMessage,
    DataExport,
    Membership,
    ModerationAction,
    Notification,
    Post,
    Profile,
    User,
)
from community.services import personal_data as services
from inquiry import credentials as documents
from inquiry.models import Credential, Evidence, InquiryCycle, RecordEntry
from realtime.models import StreamEvent
from tests import test_data_export
from tests.factories import PASSWORD, make_thread, post_of
from tests.test_data_export import build, make_credential

# The export's fixtures: uploads under the test's own MEDIA_ROOT, and Amira's things.
media = test_data_export.media
teachers_things = test_data_export.teachers_things


def erase(user, *, actor=None, keep_shared=True):
    return services.erase_account(actor=actor or user, user=user, keep_shared=keep_shared)


def test_private_data_and_files_are_deleted(
    teacher, teachers_things, django_capture_on_commit_callbacks
):
    evidence = teachers_things["evidence"]
    storage, photo = evidence.file.storage, evidence.file.name
    export = build(teacher)
    zip_name = export.file.name
    assert storage.exists(photo) and storage.exists(zip_name)
    with django_capture_on_commit_callbacks(execute=True):
        counts = erase(teacher)
    assert counts["inquiry cycles"] == 1 and counts["evidence files"] == 1
    assert not InquiryCycle.objects.filter(owner=teacher).exists()
    assert not Evidence.objects.exists()
    assert not storage.exists(photo)
    assert not storage.exists(zip_name)
    assert not DataExport.objects.exists()
    assert not RecordEntry.objects.filter(user=teacher).exists()
    assert not Notification.objects.filter(user=teacher).exists()
    assert not StreamEvent.objects.filter(stream=f"user:{teacher.pk}").exists()
    assert not Membership.objects.filter(user=teacher).exists()
    teacher.refresh_from_db()
    assert teacher.username == f"former-{teacher.pk}"
    assert (teacher.email, teacher.first_name, teacher.is_active) == ("", "", False)
    assert not teacher.has_usable_password()
    profile = Profile.objects.get(user=teacher)
    assert (profile.display_name, profile.school, profile.bio) == ("a former member", None, "")


def test_shared_posts_stay_as_a_former_members(client, teacher, colleague, teachers_things):
    thread = teachers_things["thread"]
    erase(teacher)
    client.force_login(colleague)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "a former member" in page
    assert "Amira's reply about dot cards." in page
    assert "Amira Khan" not in page
    assert "Tom's own reply" in page


def test_shared_posts_go_when_she_asks(client, teacher, colleague, teachers_things, space):
    thread = teachers_things["thread"]
    only_hers = make_thread(space=space, author=teacher, title="Only mine", body="My own words")
    counts = erase(teacher, keep_shared=False)
    assert counts["posts deleted"] == 3
    reply = Post.objects.get(thread=thread, author=teacher, number=3)
    assert reply.deleted_at and (reply.body, reply.body_html) == ("", "")
    assert not ChatMessage.objects.filter(author=teacher).exclude(body="").exists()
    client.force_login(colleague)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Amira's reply about dot cards." not in page
    assert "This post was deleted." in page
    assert "Tom's own reply" in page  # others' words stay, in a thread that stays
    only_hers.refresh_from_db()
    assert only_hers.deleted_at is not None and only_hers.title == "Deleted thread"


def test_the_chat_log_no_longer_names_her(teacher, teachers_things):
    message = teachers_things["message"]

    def logged():
        event = StreamEvent.objects.filter(ref=f"message:{message.pk}").first()
        return event.data["html"]

    assert "Amira Khan" in logged()
    erase(teacher)
    html = logged()
    assert "Amira Khan" not in html and 'data-author="amira"' not in html
    assert "a former member" in html and "Amira says hello" in html


def test_the_chat_log_loses_her_words_when_she_asks(teacher, teachers_things):
    message = teachers_things["message"]
    erase(teacher, keep_shared=False)
    event = StreamEvent.objects.filter(ref=f"message:{message.pk}").first()
    assert "Amira says hello" not in event.data["html"]
    assert "Message deleted." in event.data["html"]


def test_her_credential_still_verifies_without_her_name(client, teacher, moderator):
    credential = make_credential(teacher, moderator)
    token, issued = credential.jwt, credential.payload
    erase(teacher)
    credential.refresh_from_db()
    assert credential.erased_at and credential.jwt == ""
    assert "Amira" not in str(credential.payload) and "amira" not in str(credential.payload)
    assert documents.verify_text(token).status == "valid"  # the copy she kept
    assert documents.verify_json(issued).status == "valid"
    changed = {**issued, "name": "Something else"}
    assert documents.verify_json(changed).status == "tampered"
    page = client.get(credential.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Valid" in html and "Amira" not in html and "Not kept" in html
    downloads = ("inquiry:credential-json", "inquiry:credential-jwt")
    for name in downloads:
        assert client.get(reverse(name, kwargs={"uid": credential.uid})).status_code == 404
    Credential.objects.filter(pk=credential.pk).update(revocation_reason="x")
    from django.utils import timezone

    Credential.objects.filter(pk=credential.pk).update(revoked_at=timezone.now())
    assert documents.verify_text(token).status == "revoked"


def test_the_erasure_is_audited_with_numbers_only(teacher, teachers_things, staff):
    erase(teacher)
    entry = ModerationAction.objects.get(action="erase_account")
    assert entry.actor == teacher and entry.target_user == teacher
    assert entry.reason.startswith("Erased by its owner; shared posts kept")
    assert "1 inquiry cycles" in entry.reason
    for personal in ("Amira", "amira", "example.org", "dot cards"):
        assert personal not in entry.reason


def test_she_is_logged_out_everywhere_and_cannot_log_in(client, teacher):
    other_device = Client()
    other_device.force_login(teacher)
    client.force_login(teacher)
    response = client.post(
        reverse("community:account-delete"), {"password": PASSWORD, "delete_shared": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Session.objects.exists()
    for device in (client, other_device):
        assert device.get(reverse("community:data")).status_code == 302  # to the login page
    login = Client().post(
        reverse("account_login"), {"login": "amira@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200  # the form again: no such account
    assert "_auth_user_id" not in Client().session


def test_closing_asks_for_her_password(teacher_client, teacher):
    page = teacher_client.get(reverse("community:account-delete")).content.decode()
    assert "a former member" in page
    assert (
        'name="delete_shared"' in page
        and "checked" not in page.split('name="delete_shared"')[1][:40]
    )
    response = teacher_client.post(
        reverse("community:account-delete"), {"password": "wrong", "delete_shared": "on"}
    )
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.is_active and teacher.erased_at is None


def test_delete_shared_box_deletes_her_posts(teacher_client, teacher, thread):
    teacher_client.post(
        reverse("community:account-delete"), {"password": PASSWORD, "delete_shared": "on"}
    )
    assert post_of(thread).body == ""


def test_staff_erase_a_teacher_who_asked(client, teacher, staff, teachers_things):
    client.force_login(staff)
    url = reverse("community:staff-data-erase", kwargs={"username": "amira"})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"confirm": "tom"})
    assert "handle exactly." in refused.content.decode()
    response = client.post(url, {"confirm": "@amira"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.erased_at is not None
    entry = ModerationAction.objects.get(action="erase_account")
    assert entry.actor == staff and entry.target_user == teacher
    assert "by staff" in entry.reason
    assert client.get(url).status_code == 404  # no such account any more


def test_only_staff_erase_for_others_and_never_a_staff_account(client, teacher, moderator, staff):
    client.force_login(moderator)
    url = reverse("community:staff-data-erase", kwargs={"username": "amira"})
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "amira"}).status_code == 403
    with pytest.raises(services.PermissionDenied):
        erase(teacher, actor=moderator)
    other_staff = User.objects.create_user(username="sam", email="sam@example.org", is_staff=True)
    client.force_login(staff)
    assert (
        client.get(reverse("community:staff-data-erase", kwargs={"username": "sam"}))
    ).status_code == 403
    assert other_staff.is_active


def test_an_erased_account_is_erased_once(teacher, staff):
    erase(teacher)
    with pytest.raises(services.ValidationError):
        erase(teacher, actor=staff)
    teacher.refresh_from_db()
    with pytest.raises(services.PermissionDenied):
        erase(teacher, actor=teacher)


def test_erasing_an_account_with_nothing_in_it(newcomer):
    counts = erase(newcomer)
    assert counts["profile"] == 1
    assert ModerationAction.objects.filter(action="erase_account").count() == 1


def test_the_privacy_page_is_public_and_in_the_footer(client, db, settings):
    settings.STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS = 90
    settings.STAFFROOM_RETAIN_ATTENDANCE_DAYS = 30
    settings.STAFFROOM_RETAIN_MODERATION_LOG_DAYS = 730
    page = client.get(reverse("community:privacy"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "for 90 days" in html and "for 30 days" in html and "for 2 years" in html
    assert 'href="/privacy/"' in client.get("/").content.decode()
