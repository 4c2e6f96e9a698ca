"""A teacher asks for a copy of their data: it is built in the background into one zip
(a JSON file per section, their files, a README), which only they can download, for a
week."""

import io
import json
import signal
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community import personal_data
from community.models import (
    ChatMessage,
    DataExport,
    ModerationAction,
    Notification,
    SessionAttendance,
)
from community.services import chat, forum, sessions
from community.services import personal_data as services
from community.services.sessions import RunSheet
from inquiry.models import Evidence, RecordEntry
from tests.factories import make_cycle, make_thread

PHOTO = b"\x89PNG\r\n\x1a\n pretend pixels of pupils' work"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def teachers_things(teacher, colleague, space, moderator):
    """Amira's posts, messages (one deleted, one hidden), a reflected cycle with a photo,
    a record entry, a notification and a session she attended; and Tom's words beside
    hers, which are not hers to export."""
    thread = make_thread(space=space, author=teacher, title="Number talks in Year 4")
    forum.post_reply(actor=colleague, thread=thread, body="Tom's own reply, not Amira's.")
    forum.post_reply(actor=teacher, thread=thread, body="Amira's reply about dot cards.")
    room = chat.room_for(space)
    kept, _ = chat.send_message(actor=teacher, room=room, body="Amira says hello")
    gone, _ = chat.send_message(actor=teacher, room=room, body="Amira's regretted words")
    chat.delete_message(actor=teacher, message=gone)
    hidden, _ = chat.send_message(actor=teacher, room=room, body="Amira's hidden aside")
    chat.hide_message(actor=moderator, message=hidden)
    chat.send_message(actor=colleague, room=room, body="Tom's chat message")
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    evidence = Evidence.objects.create(
        cycle=cycle,
        kind="photo",
        file=ContentFile(PHOTO, name="board.png"),
        content_type="image/png",
        size=len(PHOTO),
        original_name="board photo.png",
    )
    RecordEntry.objects.create(
        user=teacher, kind="manual", title="Read about oracy", occurred_at=timezone.now()
    )
    session = sessions.create_session(
        actor=moderator,
        sheet=RunSheet(
            title="Wait time",
            starts_at=timezone.now() + timedelta(hours=2),
            duration_minutes=60,
            questions=["Q1?"],
        ),
    )
    SessionAttendance.objects.create(session=session, user=teacher, seconds=42 * 60)
    return {"thread": thread, "cycle": cycle, "evidence": evidence, "message": kept}


def build(user, actor=None) -> DataExport:
    export = services.request_export(actor=actor or user, user=user)
    services.build_export(export.pk)
    export.refresh_from_db()
    return export


def make_credential(holder, facilitator):
    from inquiry.services.credentials import check_completion
    from tests.factories import make_course
    from tests.test_credentials import complete_course, make_cohort

    course = make_course(units=1, authors=[facilitator], title="Talk for learning")
    cohort = make_cohort(course=course, facilitators=[facilitator], members=[holder])
    complete_course(holder, cohort, marked_by=facilitator)
    return check_completion(user=holder, cohort=cohort)


def read_zip(export) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def section(archive, name):
    return json.loads(archive.read(f"{name}.json"))


def run_worker():
    """The real worker, once through the queue (it sets signal handlers: put them back)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_the_export_has_a_file_per_section_and_a_readme(teacher, teachers_things):
    archive = read_zip(build(teacher))
    names = set(archive.namelist())
    for part in personal_data.sections():
        assert f"{part.name}.json" in names
    readme = archive.read("README.txt").decode()
    assert "Amira Khan (@amira)" in readme
    assert all(f"{part.name}.json" in readme for part in personal_data.sections())


def test_the_export_holds_what_is_hers_and_her_files(teacher, teachers_things):
    archive = read_zip(build(teacher))
    assert section(archive, "profile")["display_name"] == "Amira Khan"
    assert section(archive, "account")["email"] == "amira@example.org"
    posts = [post["text"] for post in section(archive, "posts")["posts"]]
    assert "Amira's reply about dot cards." in posts
    (cycle,) = section(archive, "inquiry_cycles")
    assert cycle["reflection"]["What did I do?"].startswith("I used talk partners")
    (photo,) = cycle["evidence"]
    assert archive.read(photo["file"]) == PHOTO
    assert photo["file"].startswith("files/evidence/")
    entries = section(archive, "cpd_record")["entries"]
    assert [entry["title"] for entry in entries] == ["Read about oracy"]
    assert section(archive, "notifications")  # Tom's reply in her thread
    (attended,) = section(archive, "sessions")["attended"]
    assert attended["minutes_present"] == 42
    spaces = [m["space"] for m in section(archive, "memberships")]
    assert spaces == ["Primary maths"]


def test_a_deleted_message_has_no_text_and_a_hidden_one_is_hers(teacher, teachers_things):
    messages = section(read_zip(build(teacher)), "chat_messages")
    texts = {m["text"] for m in messages}
    assert "Amira says hello" in texts
    assert "Amira's hidden aside" in texts
    assert "Amira's regretted words" not in texts
    (deleted,) = [m for m in messages if m["deleted"]]
    assert deleted["text"] is None


def test_other_peoples_words_are_not_in_it(teacher, teachers_things):
    archive = read_zip(build(teacher))
    everything = "".join(
        archive.read(name).decode() for name in archive.namelist() if name.endswith(".json")
    )
    assert "Tom's own reply" not in everything
    assert "Tom's chat message" not in everything


def test_credentials_are_exported_as_signed(teacher, moderator):
    credential = make_credential(teacher, moderator)
    (exported,) = section(read_zip(build(teacher)), "credentials")
    assert exported["vc_jwt"] == credential.jwt
    assert exported["open_badge_credential"]["id"].endswith(str(credential.uid) + "/")


@pytest.mark.django_db(transaction=True)  # the worker commits, as in production
def test_the_worker_builds_a_queued_export_and_tells_her(teacher, teachers_things):
    export = services.request_export(actor=teacher, user=teacher)
    assert export.state() == "queued"
    assert (
        DBTaskResult.objects.filter(
            task_path="community.services.personal_data.build_export_task"
        ).count()
        == 1
    )
    run_worker()
    export.refresh_from_db()
    assert export.state() == "ready"
    assert export.expires_at == export.finished_at + timedelta(days=7)
    note = Notification.objects.get(user=teacher, kind="account")
    assert note.link == reverse("community:data")
    assert "ready to download" in note.text
    # Its file's deletion is queued for the day it expires.
    later = DBTaskResult.objects.get(
        task_path="community.services.personal_data.delete_export_file_task"
    )
    assert later.run_after == export.expires_at


def test_asking_again_while_one_is_on_its_way_is_refused(teacher):
    services.request_export(actor=teacher, user=teacher)
    with pytest.raises(services.ValidationError):
        services.request_export(actor=teacher, user=teacher)


def test_a_new_export_replaces_the_last_and_its_file(
    teacher, teachers_things, django_capture_on_commit_callbacks
):
    first = build(teacher)
    storage, name = first.file.storage, first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        build(teacher)
    assert DataExport.objects.filter(user=teacher).count() == 1
    assert not storage.exists(name)


def test_the_page_shows_where_the_export_stands(teacher_client, teacher):
    page = reverse("community:data")
    assert "Ask for an export" in teacher_client.get(page).content.decode()
    response = teacher_client.post(reverse("community:data-export"))
    assert response.status_code == 302
    assert 'data-export-state="queued"' in teacher_client.get(page).content.decode()
    export = DataExport.objects.get(user=teacher)
    DataExport.objects.filter(pk=export.pk).update(
        started_at=timezone.now(), step="Collecting your inquiry cycles", percent=60
    )
    html = teacher_client.get(page).content.decode()
    assert 'data-export-state="building"' in html and "60%" in html
    assert "collecting your inquiry cycles" in html
    DataExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - timedelta(days=1))
    assert 'data-export-state="failed"' in teacher_client.get(page).content.decode()


def test_a_build_that_breaks_says_so(teacher, monkeypatch):
    def broken(user):
        raise RuntimeError("disk full")

    first = personal_data.sections()[0]
    monkeypatch.setitem(personal_data._sections, first.name, first.__class__(
        first.name, first.title, first.description, broken, first.erase
    ))  # fmt: skip
    export = services.request_export(actor=teacher, user=teacher)
    with pytest.raises(RuntimeError):
        services.build_export(export.pk)
    export.refresh_from_db()
    assert export.state() == "failed"
    assert not export.file
    assert Notification.objects.get(user=teacher, kind="account").text.startswith(
        "Your data export could not be built"
    )


def test_only_she_downloads_it(client, teacher, colleague, staff, teachers_things):
    export = build(teacher)
    url = reverse("community:data-download", kwargs={"pk": export.pk})
    assert client.get(url).status_code == 302  # to the login page
    for someone in (colleague, staff):
        client.force_login(someone)
        assert client.get(url).status_code == 404
    client.force_login(teacher)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert client.get(f"/media/{export.file.name}").status_code == 404  # no public address


def test_the_link_expires_and_the_file_is_deleted(teacher_client, teacher):
    export = build(teacher)
    url = reverse("community:data-download", kwargs={"pk": export.pk})
    assert teacher_client.get(url).status_code == 200
    assert services.delete_export_file(export.pk) is False  # not yet
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert teacher_client.get(url).status_code == 404
    storage, name = export.file.storage, export.file.name
    assert services.delete_export_file(export.pk) is True
    assert not storage.exists(name)
    export.refresh_from_db()
    assert export.state() == "expired" and not export.file
    assert (
        'data-export-state="expired"'
        in teacher_client.get(reverse("community:data")).content.decode()
    )


def test_staff_export_for_a_teacher_is_theirs_to_download_and_audited(client, teacher, staff):
    client.force_login(staff)
    response = client.post(reverse("community:staff-data-export", kwargs={"username": "amira"}))
    assert response.status_code == 302
    export = DataExport.objects.get(user=teacher)
    assert export.requested_by == staff
    entry = ModerationAction.objects.get(action="export_account")
    assert (entry.actor, entry.target_user) == (staff, teacher)
    services.build_export(export.pk)
    url = reverse("community:data-download", kwargs={"pk": export.pk})
    assert client.get(url).status_code == 200
    assert Notification.objects.get(user=staff, kind="account").text.startswith(
        "The data export of @amira is ready"
    )
    client.force_login(teacher)  # staff's copy is not on her page, nor hers to download
    assert client.get(url).status_code == 404


def test_the_staff_page_is_for_staff(client, teacher, moderator, staff):
    client.force_login(moderator)
    assert client.get(reverse("community:staff-data")).status_code == 403
    assert (
        client.post(reverse("community:staff-data-export", kwargs={"username": "amira"}))
    ).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("community:staff-data"), {"q": "amira@example.org"})
    assert page.status_code == 200
    assert "Export their data" in page.content.decode()
    missing = client.get(reverse("community:staff-data"), {"q": "nobody"})
    assert "No account has that handle" in missing.content.decode()


def test_chat_message_in_export_is_the_current_text(teacher, teachers_things):
    message = teachers_things["message"]
    ChatMessage.objects.filter(pk=message.pk).update(body="Amira says hello, edited")
    texts = {m["text"] for m in section(read_zip(build(teacher)), "chat_messages")}
    assert "Amira says hello, edited" in texts and "Amira says hello" not in texts


def test_asking_and_staff_exports_are_posts_only(client, teacher, staff):
    client.force_login(staff)
    assert client.get(reverse("community:data-export")).status_code == 405
    export_for_her = reverse("community:staff-data-export", kwargs={"username": "amira"})
    assert client.get(export_for_her).status_code == 405
    assert not DataExport.objects.exists()
