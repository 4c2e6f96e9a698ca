"""Who sees a cycle (private, my school, a group or cohort, the network), sharing the
reflection as a thread for feedback (linked both ways), and warm/cool feedback."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Membership, Post, Thread
from inquiry.models import Feedback, InquiryCycle, RecordEntry
from inquiry.services import cycles as services
from tests.factories import make_cycle, make_space, make_user

V = InquiryCycle.Visibility


@pytest.fixture
def shared(teacher, space):
    """The teacher's cycle, shared in `space` (colleague is a member; moderator moderates)."""
    cycle = make_cycle(owner=teacher, stage="share", reflected=True, trial_class="Year 4")
    return services.share_cycle(actor=teacher, cycle=cycle, space=space)


# --- Who sees it ------------------------------------------------------------------------


def test_my_school_stores_the_school_the_owner_is_at_now(teacher, colleague, school):
    cycle = make_cycle(owner=teacher)
    services.set_visibility(actor=teacher, cycle=cycle, visibility=V.SCHOOL)
    cycle.refresh_from_db()
    assert cycle.school == school
    assert InquiryCycle.objects.visible_to(colleague).filter(pk=cycle.pk).exists()


def test_my_school_without_a_school_is_refused(outsider):
    cycle = make_cycle(owner=outsider)
    with pytest.raises(ValidationError) as error:
        services.set_visibility(actor=outsider, cycle=cycle, visibility=V.SCHOOL)
    assert "visibility" in error.value.message_dict
    assert InquiryCycle.objects.get(pk=cycle.pk).visibility == V.PRIVATE


def test_a_group_must_be_one_the_owner_is_in(teacher, space, private_space, other_moderator):
    cycle = make_cycle(owner=teacher)
    theirs = make_space(name="Not mine", slug="not-mine", moderators=[other_moderator])
    with pytest.raises(ValidationError):
        services.set_visibility(actor=teacher, cycle=cycle, visibility=V.SPACE, space=theirs)
    with pytest.raises(ValidationError):
        services.set_visibility(actor=teacher, cycle=cycle, visibility=V.SPACE, space=None)
    services.set_visibility(actor=teacher, cycle=cycle, visibility=V.SPACE, space=private_space)
    cycle.refresh_from_db()
    assert (cycle.visibility, cycle.space) == (V.SPACE, private_space)


def test_the_visibility_page_saves_and_explains_refusals(client, outsider):
    cycle = make_cycle(owner=outsider)
    client.force_login(outsider)
    url = reverse("inquiry:cycle-visibility", args=[cycle.pk])
    response = client.post(url, {"visibility": "school"})
    assert response.status_code == 200 and "Add your school" in response.content.decode()
    assert client.post(url, {"visibility": "network"}).status_code == 302
    assert InquiryCycle.objects.get(pk=cycle.pk).visibility == V.NETWORK


def test_nobody_else_changes_who_sees_it(teacher, colleague, school):
    cycle = make_cycle(owner=teacher, visibility=V.SCHOOL, school=school)
    with pytest.raises(PermissionDenied):
        services.set_visibility(actor=colleague, cycle=cycle, visibility=V.NETWORK)


# --- Sharing ------------------------------------------------------------------------------


def test_sharing_starts_a_thread_with_the_reflection_linked_both_ways(
    teacher, space, shared, django_capture_on_commit_callbacks
):
    thread = shared.thread
    assert thread.space == space and thread.title == shared.focus_question
    body = thread.posts.get(number=1).body_html
    for prompt in ("What did I do?", "What does it mean?", "How did I come to do it this way?"):
        assert prompt in body
    assert "Quieter pupils explained more" in body and "Year 4" in body
    assert f'href="{shared.get_absolute_url()}"' in body
    assert shared.shared_at is not None


def test_sharing_writes_a_reflection_entry(teacher, space, django_capture_on_commit_callbacks):
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.share_cycle(actor=teacher, cycle=cycle, space=space)
    entry = RecordEntry.objects.get(user=teacher)
    assert (entry.kind, entry.source) == (RecordEntry.Kind.REFLECTION, f"cycle:{cycle.pk}:shared")


def test_a_private_cycle_shared_in_a_space_becomes_visible_to_its_members(
    shared, space, colleague, teacher_elsewhere
):
    assert (shared.visibility, shared.space) == (V.SPACE, space)
    assert InquiryCycle.objects.visible_to(colleague).filter(pk=shared.pk).exists()
    assert not InquiryCycle.objects.visible_to(teacher_elsewhere).filter(pk=shared.pk).exists()


def test_a_network_cycle_stays_network_when_shared(teacher, space):
    cycle = make_cycle(owner=teacher, stage="share", reflected=True, visibility=V.NETWORK)
    services.share_cycle(actor=teacher, cycle=cycle, space=space)
    assert InquiryCycle.objects.get(pk=cycle.pk).visibility == V.NETWORK


def test_sharing_into_a_space_i_cannot_post_in_is_refused_and_nothing_is_made(
    teacher, other_moderator
):
    theirs = make_space(name="Elsewhere", slug="elsewhere", moderators=[other_moderator])
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    with pytest.raises(ValidationError) as error:
        services.share_cycle(actor=teacher, cycle=cycle, space=theirs)
    assert "space" in error.value.message_dict
    assert not Thread.objects.filter(space=theirs).exists()
    assert InquiryCycle.objects.get(pk=cycle.pk).thread is None


def test_a_muted_member_cannot_share_there(teacher, space):
    Membership.objects.filter(user=teacher, space=space).update(muted_until="2999-01-01T00:00Z")
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    with pytest.raises(ValidationError):
        services.share_cycle(actor=teacher, cycle=cycle, space=space)
    assert not Thread.objects.exists()


@pytest.mark.parametrize("stage", ["reflect", "done"])
def test_sharing_happens_in_the_share_stage_only(teacher, space, stage):
    cycle = make_cycle(owner=teacher, stage=stage, reflected=True)
    with pytest.raises(ValidationError):
        services.share_cycle(actor=teacher, cycle=cycle, space=space)
    assert not Thread.objects.exists()


def test_a_cycle_is_shared_once(teacher, space, shared):
    with pytest.raises(ValidationError, match="already shared"):
        services.share_cycle(actor=teacher, cycle=shared, space=space)
    assert Thread.objects.count() == 1


def test_nobody_else_shares_my_cycle(teacher, colleague, space, school):
    cycle = make_cycle(
        owner=teacher, stage="share", reflected=True, visibility="school", school=school
    )
    with pytest.raises(PermissionDenied):
        services.share_cycle(actor=colleague, cycle=cycle, space=space)


def test_the_share_page_lists_only_spaces_i_can_post_in_and_says_who_will_see(
    teacher_client, teacher, space, other_moderator
):
    make_space(name="Elsewhere", slug="elsewhere", moderators=[other_moderator])
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    url = reverse("inquiry:cycle-share", args=[cycle.pk])
    page = teacher_client.get(url).content.decode()
    assert "Primary maths" in page and "Elsewhere" not in page
    assert "visible to the members of the space you choose" in page
    assert "Its members will be able to open this cycle" in page
    assert teacher_client.post(url, {"space": space.pk}).status_code == 302
    assert InquiryCycle.objects.get(pk=cycle.pk).thread is not None


def test_the_cycle_page_shows_the_thread_and_its_replies(teacher_client, shared, colleague):
    services.give_feedback(actor=colleague, cycle=shared, warm="Lovely", cool="Why pairs?")
    page = teacher_client.get(shared.get_absolute_url()).content.decode()
    assert shared.thread.get_absolute_url() in page
    assert "1 reply" in page


# --- Feedback -----------------------------------------------------------------------------


def test_feedback_is_a_warm_and_cool_reply_in_the_thread(
    shared, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.give_feedback(
            actor=colleague, cycle=shared, warm="The sentence stems", cool="Try trios?", minutes=10
        )
    post = feedback.post
    assert post.thread == shared.thread and post.author == colleague
    assert post.body == "**Warm:** The sentence stems\n\n**Cool:** Try trios?"
    entry = RecordEntry.objects.get(user=colleague)
    assert (entry.kind, entry.source, entry.minutes) == ("feedback", f"feedback:{feedback.pk}", 10)


def test_feedback_needs_something_warm(shared, colleague):
    with pytest.raises(ValidationError) as error:
        services.give_feedback(actor=colleague, cycle=shared, warm="  ", cool="Why?")
    assert "warm" in error.value.message_dict
    assert not Feedback.objects.exists() and shared.thread.posts.count() == 1


def test_the_owner_does_not_give_feedback_on_their_own_cycle(teacher, shared):
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=teacher, cycle=shared, warm="Me")
    assert not Feedback.objects.exists()


def test_no_feedback_on_an_unshared_cycle(teacher, colleague, school):
    cycle = make_cycle(
        owner=teacher, stage="share", reflected=True, visibility="school", school=school
    )
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=colleague, cycle=cycle, warm="Nice")


def test_who_sees_the_cycle_but_cannot_reply_in_its_thread_gives_no_feedback(
    teacher, private_space, outsider
):
    cycle = make_cycle(owner=teacher, stage="share", reflected=True, visibility=V.NETWORK)
    services.share_cycle(actor=teacher, cycle=cycle, space=private_space)
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=outsider, cycle=cycle, warm="Nice")
    assert not Post.objects.filter(author=outsider).exists()


def test_no_feedback_once_the_owner_has_made_the_cycle_private_again(shared, teacher, colleague):
    services.set_visibility(actor=teacher, cycle=shared, visibility=V.PRIVATE)
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=colleague, cycle=shared, warm="Nice")
    assert not Feedback.objects.exists()


def test_the_feedback_page(client, teacher_client, shared, colleague, outsider):
    url = reverse("inquiry:cycle-feedback", args=[shared.pk])
    assert teacher_client.get(url).status_code == 403  # the owner
    client.force_login(outsider)
    assert client.get(url).status_code == 404  # does not see the cycle
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    response = client.post(url, {"warm": "", "cool": "Hmm"})
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert client.post(url, {"warm": "Clear steps", "cool": ""}).status_code == 302
    page = teacher_client.get(shared.get_absolute_url()).content.decode()
    assert "Clear steps" in page


def test_feedback_hidden_by_a_moderator_in_the_thread_is_not_shown_on_the_cycle(
    teacher_client, shared, colleague
):
    feedback = services.give_feedback(actor=colleague, cycle=shared, warm="Rude words")
    Post.objects.filter(pk=feedback.post_id).update(hidden_at="2026-01-01T00:00Z")
    assert "Rude words" not in teacher_client.get(shared.get_absolute_url()).content.decode()


def test_the_thread_is_where_the_rest_of_the_space_reads_it(client, shared, moderator):
    other = make_user(username="newmember")
    Membership.objects.create(space=shared.thread.space, user=other)
    client.force_login(other)
    page = client.get(shared.thread.get_absolute_url()).content.decode()
    assert shared.get_absolute_url() in page
    assert client.get(shared.get_absolute_url()).status_code == 200  # they can follow it back
