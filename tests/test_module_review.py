"""Review: the author sends a draft for review; network staff publish it (its discussion
thread opens in a network space) or send it back with a note; the author is told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Follow, Membership, Notification, Space, Subject, Thread
from inquiry.models import Module
from inquiry.services import library as services
from tests.factories import make_module, make_space


def in_review(author, **overrides):
    return make_module(author=author, status="in_review", submitted_at=timezone.now(), **overrides)


def login(client, user):
    client.force_login(user)
    return client


# --- Sending for review -------------------------------------------------------------------


def test_the_author_sends_their_draft_for_review(client, teacher):
    module = make_module(author=teacher, status="draft")
    response = login(client, teacher).post(
        reverse("inquiry:module-submit", kwargs={"slug": module.slug})
    )
    module.refresh_from_db()
    assert response.status_code == 302
    assert module.status == Module.Status.IN_REVIEW and module.submitted_at is not None


def test_sending_twice_says_so_and_nobody_else_sends_it(teacher, colleague, staff):
    module = in_review(teacher)
    with pytest.raises(ValidationError):
        services.submit_module(actor=teacher, module=module)
    draft = make_module(author=teacher, status="draft")
    for actor in (colleague, staff):
        with pytest.raises(PermissionDenied):
            services.submit_module(actor=actor, module=draft)
    assert Module.objects.get(pk=draft.pk).status == Module.Status.DRAFT


# --- The review queue -----------------------------------------------------------------------


def test_staff_see_the_modules_waiting_for_review(client, teacher, staff):
    waiting = in_review(teacher, title="Waiting")
    make_module(author=teacher, status="draft", title="Still a draft")
    make_module(author=teacher, title="Published already")
    response = login(client, staff).get(reverse("inquiry:library-review"))
    assert response.status_code == 200
    assert [m.pk for m in response.context["page"]] == [waiting.pk]


def test_the_review_queue_is_for_staff(client, teacher):
    in_review(teacher)
    assert login(client, teacher).get(reverse("inquiry:library-review")).status_code == 403


# --- Publishing -----------------------------------------------------------------------------


def test_staff_publish_and_the_discussion_opens_in_a_space_sharing_a_subject(
    client, teacher, staff, django_capture_on_commit_callbacks
):
    maths = Subject.objects.get(slug="mathematics")
    make_space(name="Art room").subjects.set([Subject.objects.get(slug="art-design")])
    maths_space = make_space(name="Maths teachers")
    maths_space.subjects.set([maths])
    private = make_space(name="A maths club", kind="private")
    private.subjects.set([maths])
    module = in_review(teacher, subjects=[maths], title="Bar models", tags=["fractions"])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, staff).post(
            reverse("inquiry:module-publish", kwargs={"slug": module.slug})
        )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.status == Module.Status.PUBLISHED
    assert module.published_by == staff and module.published_at is not None
    thread = module.thread
    assert thread.space == maths_space and thread.title == "Bar models" and thread.author == staff
    opening = thread.posts.get(number=1)
    assert module.get_absolute_url() in opening.body_html
    assert list(thread.tags.values_list("name", flat=True)) == ["fractions"]
    assert Follow.objects.filter(user=teacher, thread=thread).exists()  # the author hears replies
    assert Membership.objects.filter(space=maths_space, user=staff).exists()


def test_the_author_is_told_and_the_notification_leads_to_the_module(client, teacher, staff):
    module = in_review(teacher, title="Bar models")
    services.publish_module(actor=staff, module=module)
    note = Notification.objects.get(user=teacher)
    assert note.kind == Notification.Kind.MODERATION and note.link == module.get_absolute_url()
    assert "published your module “Bar models”" in note.text
    response = login(client, teacher).get(reverse("community:notification-open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == module.get_absolute_url()
    listed = client.get(reverse("community:notifications")).content.decode()
    assert reverse("community:notification-open", args=[note.pk]) in listed


def test_without_a_subject_space_the_library_space_is_opened_once(teacher, staff):
    first, second = in_review(teacher), in_review(teacher)
    services.publish_module(actor=staff, module=first)
    services.publish_module(actor=staff, module=second)
    space = Space.objects.get(name=services.LIBRARY_SPACE)
    assert space.kind == Space.Kind.NETWORK and space.created_by == staff
    assert space.description and space.description_html
    assert set(Thread.objects.values_list("space", flat=True)) == {space.pk}
    assert Thread.objects.count() == 2


def test_publishing_twice_is_refused_and_opens_one_thread(client, teacher, staff):
    module = in_review(teacher)
    services.publish_module(actor=staff, module=module)
    with pytest.raises(ValidationError, match="already published"):
        services.publish_module(actor=staff, module=module)
    response = login(client, staff).post(
        reverse("inquiry:module-publish", kwargs={"slug": module.slug}), follow=True
    )
    assert "already published" in response.content.decode()
    assert Thread.objects.count() == 1
    assert Notification.objects.filter(user=teacher).count() == 1


def test_a_draft_is_not_published_before_its_author_sends_it(teacher, staff):
    module = make_module(author=teacher, status="draft")
    with pytest.raises(ValidationError):
        services.publish_module(actor=staff, module=module)
    assert Module.objects.get(pk=module.pk).status == Module.Status.DRAFT


def test_teachers_do_not_publish_or_send_back(client, teacher, colleague):
    own = in_review(teacher)
    login(client, teacher)  # the author, who sees their own module
    assert (
        client.post(reverse("inquiry:module-publish", kwargs={"slug": own.slug})).status_code == 403
    )
    send_back = reverse("inquiry:module-send-back", kwargs={"slug": own.slug})
    assert client.post(send_back, {"note": "Lovely"}).status_code == 403
    login(client, colleague)  # who does not see someone's module under review
    assert (
        client.post(reverse("inquiry:module-publish", kwargs={"slug": own.slug})).status_code == 404
    )
    published = make_module(author=teacher)
    url = reverse("inquiry:module-publish", kwargs={"slug": published.slug})
    assert client.post(url).status_code == 403  # visible, not allowed
    with pytest.raises(PermissionDenied):
        services.publish_module(actor=colleague, module=own)
    assert Module.objects.get(pk=own.pk).status == Module.Status.IN_REVIEW
    assert not Thread.objects.exists() and not Notification.objects.exists()


def test_publish_is_a_post(client, teacher, staff):
    module = in_review(teacher)
    url = reverse("inquiry:module-publish", kwargs={"slug": module.slug})
    assert login(client, staff).get(url).status_code == 405


# --- Sending back -----------------------------------------------------------------------------


def test_staff_send_a_module_back_with_a_note(client, teacher, staff):
    module = in_review(teacher, title="Bar models")
    url = reverse("inquiry:module-send-back", kwargs={"slug": module.slug})
    login(client, staff)
    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "Add a worked example, please."})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT
    assert module.review_note == "Add a worked example, please."
    note = Notification.objects.get(user=teacher)
    assert note.link == module.get_absolute_url() and "sent your module" in note.text
    page = login(client, teacher).get(module.get_absolute_url()).content.decode()
    assert "Add a worked example, please." in page


def test_sending_back_needs_a_note(client, teacher, staff):
    module = in_review(teacher)
    url = reverse("inquiry:module-send-back", kwargs={"slug": module.slug})
    response = login(client, staff).post(url, {"note": "   "})
    assert response.status_code == 200 and response.context["form"].errors["note"]
    with pytest.raises(ValidationError):
        services.send_back_module(actor=staff, module=module, note="")
    assert Module.objects.get(pk=module.pk).status == Module.Status.IN_REVIEW
    assert not Notification.objects.exists()


def test_a_sent_back_module_is_edited_and_sent_again_then_published(teacher, staff):
    module = in_review(teacher)
    services.send_back_module(actor=staff, module=module, note="Shorter, please.")
    module = Module.objects.get(pk=module.pk)
    assert services.submit_module(actor=teacher, module=module).status == Module.Status.IN_REVIEW
    published = services.publish_module(actor=staff, module=module)
    assert published.status == Module.Status.PUBLISHED and published.review_note == ""


def test_a_reviewer_publishes_a_whole_queue_without_hitting_the_posting_limit(teacher, staff):
    modules = [in_review(teacher) for _ in range(8)]  # more than a minute's posts
    for module in modules:
        services.publish_module(actor=staff, module=module)
    assert Thread.objects.count() == 8


def test_the_opening_post_shows_the_title_as_written(teacher, colleague, staff):
    module = in_review(teacher, title="Marking [less] #smarter, @tom", summary="Ask @tom")
    thread = services.publish_module(actor=staff, module=module).thread
    html = thread.posts.get(number=1).body_html
    assert "Marking [less] #smarter, <span>@tom</span>" in html and "Ask @tom" not in html
    assert not thread.tags.filter(name="smarter").exists()
    assert not Notification.objects.filter(kind=Notification.Kind.MENTION).exists()


REVIEW_QUERIES = 6


@pytest.mark.parametrize("size", [1, 8])
def test_the_review_queue_query_count_does_not_grow(
    client, teacher, colleague, staff, django_assert_num_queries, size
):
    for n in range(size):
        in_review(teacher if n % 2 else colleague)
    login(client, staff)
    client.get(reverse("inquiry:library-review"))
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(reverse("inquiry:library-review"))
    assert len(response.context["page"]) == size


def test_the_reviewers_note_is_markdown_made_safe(client, staff, teacher):
    module = make_module(author=teacher, status="in_review", submitted_at=timezone.now())
    services.send_back_module(
        actor=staff, module=module, note="Add a **worked example** <script>x()</script>"
    )
    module.refresh_from_db()
    assert "<strong>worked example</strong>" in module.review_note_html
    assert "<script>" not in module.review_note_html
    client.force_login(teacher)
    page = client.get(module.get_absolute_url()).content.decode()
    assert "<strong>worked example</strong>" in page and "<script>x()" not in page
