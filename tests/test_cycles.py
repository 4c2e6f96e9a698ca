"""Inquiry cycles: starting one (from a module, a blank question or a finished cycle),
the stages and their transitions, the record entries each stage writes, My inquiry and
the cycle page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiry.models import InquiryCycle, RecordEntry
from inquiry.services import cycles as services
from tests.factories import REFLECTION, make_cycle, make_module

Stage = InquiryCycle.Stage


def advance(cycle, to, minutes=None, actor=None):
    return services.advance(actor=actor or cycle.owner, cycle=cycle, to=to, minutes=minutes)


# --- Starting ---------------------------------------------------------------------------


def test_a_cycle_starts_private_in_the_learn_stage(teacher):
    cycle = services.start_cycle(actor=teacher, focus_question="  How can   talk partners help? ")
    assert cycle.focus_question == "How can talk partners help?"
    assert (cycle.stage, cycle.visibility, cycle.module) == (Stage.LEARN, "private", None)


def test_a_cycle_can_start_from_a_published_module_only(teacher, staff):
    published = make_module(author=staff)
    draft = make_module(author=teacher, status="draft")
    cycle = services.start_cycle(actor=teacher, focus_question="Q?", module=published)
    assert cycle.module == published
    with pytest.raises(ValidationError) as error:
        services.start_cycle(actor=teacher, focus_question="Q?", module=draft)
    assert "module" in error.value.message_dict
    assert InquiryCycle.objects.count() == 1


@pytest.mark.parametrize("question", ["", "   ", "x" * 301])
def test_an_empty_or_overlong_focus_question_is_refused(teacher, question):
    with pytest.raises(ValidationError) as error:
        services.start_cycle(actor=teacher, focus_question=question)
    assert "focus_question" in error.value.message_dict
    assert not InquiryCycle.objects.exists()


def test_a_next_cycle_follows_only_the_owners_finished_cycle(teacher, colleague):
    finished = make_cycle(owner=teacher, stage="done", reflected=True)
    unfinished = make_cycle(owner=teacher, stage="reflect")
    theirs = make_cycle(owner=colleague, stage="done", visibility="network")
    nxt = services.start_cycle(actor=teacher, focus_question="Next?", previous=finished)
    assert nxt.previous == finished
    for previous in (unfinished, theirs):
        with pytest.raises(ValidationError):
            services.start_cycle(actor=teacher, focus_question="Next?", previous=previous)
    assert services.next_focus_question(finished) == REFLECTION["reflect_differently"]


# --- Stages -----------------------------------------------------------------------------


def test_each_stage_completed_writes_one_record_entry_with_the_minutes_said(
    teacher, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher)
    with django_capture_on_commit_callbacks(execute=True):
        advance(cycle, Stage.PLAN, minutes=15)
    entry = RecordEntry.objects.get(user=teacher)
    assert entry.kind == RecordEntry.Kind.STAGE
    assert entry.source == f"cycle:{cycle.pk}:learn"
    assert entry.minutes == 15
    assert entry.title == f"Learned for: {cycle.focus_question}"
    assert entry.url == cycle.get_absolute_url()


def test_minutes_not_given_are_recorded_as_none_never_invented(
    teacher, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher, stage="try")
    with django_capture_on_commit_callbacks(execute=True):
        advance(cycle, Stage.REFLECT)
    assert RecordEntry.objects.get(user=teacher).minutes == 0


def test_the_whole_way_round_writes_an_entry_per_stage(teacher, django_capture_on_commit_callbacks):
    cycle = make_cycle(owner=teacher)
    with django_capture_on_commit_callbacks(execute=True):
        advance(cycle, Stage.PLAN)
        cycle.refresh_from_db()
        services.save_plan(actor=teacher, cycle=cycle, plan=services.Plan(trial_what="Talk"))
        advance(cycle, Stage.TRY)
        advance(cycle, Stage.REFLECT)
        services.save_reflection(actor=teacher, cycle=cycle, answers=REFLECTION)
        advance(cycle, Stage.DONE)  # private: finished without sharing
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DONE
    sources = set(RecordEntry.objects.filter(user=teacher).values_list("source", flat=True))
    assert sources == {f"cycle:{cycle.pk}:{s}" for s in ("learn", "plan", "try", "reflect")}


@pytest.mark.parametrize(
    "stage, to",
    [
        ("learn", "try"),
        ("learn", "done"),
        ("plan", "reflect"),
        ("try", "share"),
        ("try", "learn"),  # two steps back
        ("share", "learn"),
        ("learn", "learn"),
        ("plan", "nonsense"),
    ],
)
def test_out_of_order_transitions_are_refused_and_change_nothing(
    teacher, stage, to, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher, stage=stage, reflected=True)
    before = InquiryCycle.objects.values().get(pk=cycle.pk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        advance(cycle, to)
    assert InquiryCycle.objects.values().get(pk=cycle.pk) == before
    assert not RecordEntry.objects.exists()


def test_starting_the_trial_needs_what_i_will_try(teacher):
    cycle = make_cycle(owner=teacher, stage="plan")
    with pytest.raises(ValidationError, match="what you will try"):
        advance(cycle, Stage.TRY)
    services.save_plan(actor=teacher, cycle=cycle, plan=services.Plan(trial_what="Talk partners"))
    assert advance(cycle, Stage.TRY).stage == Stage.TRY


@pytest.mark.parametrize("to", ["share", "done"])
def test_leaving_reflect_needs_all_four_prompts(teacher, to):
    answers = {**REFLECTION, "reflect_came_to": "  "}
    cycle = make_cycle(owner=teacher, stage="reflect")
    services.save_reflection(actor=teacher, cycle=cycle, answers=answers)
    with pytest.raises(ValidationError, match="How did I come to do it this way"):
        advance(cycle, to)
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.REFLECT


def test_going_back_is_one_explicit_step_and_records_nothing(
    teacher, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher, stage="try")
    with django_capture_on_commit_callbacks(execute=True):
        assert advance(cycle, Stage.PLAN).stage == Stage.PLAN
    assert not RecordEntry.objects.exists()
    with pytest.raises(ValidationError, match="no time"):
        advance(cycle, Stage.LEARN, minutes=10)


def test_moving_on_again_after_going_back_writes_no_second_entry(
    teacher, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher, stage="try")
    with django_capture_on_commit_callbacks(execute=True):
        advance(cycle, Stage.REFLECT, minutes=40)
        advance(cycle, Stage.TRY)
        advance(cycle, Stage.REFLECT, minutes=5)
    entry = RecordEntry.objects.get(user=teacher)
    assert entry.minutes == 40  # the first; the teacher may edit it in their record


def test_only_a_private_cycle_finishes_without_sharing(teacher, school):
    cycle = make_cycle(
        owner=teacher, stage="reflect", reflected=True, visibility="school", school=school
    )
    with pytest.raises(ValidationError, match="private"):
        advance(cycle, Stage.DONE)
    assert advance(cycle, Stage.SHARE).stage == Stage.SHARE


def test_the_share_stage_finishes_only_once_shared(teacher, thread):
    cycle = make_cycle(owner=teacher, stage="share", reflected=True)
    with pytest.raises(ValidationError, match="Share your reflection first"):
        advance(cycle, Stage.DONE)
    InquiryCycle.objects.filter(pk=cycle.pk).update(thread=thread)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError, match="shared"):
        advance(cycle, Stage.REFLECT)  # the thread shows the reflection as it was
    assert advance(cycle, Stage.DONE).stage == Stage.DONE


def test_a_finished_cycle_moves_no_more(teacher):
    cycle = make_cycle(owner=teacher, stage="done", reflected=True)
    with pytest.raises(ValidationError, match="finished"):
        advance(cycle, Stage.SHARE)


@pytest.mark.parametrize("minutes", [-1, 601])
def test_minutes_out_of_range_are_refused(teacher, minutes):
    cycle = make_cycle(owner=teacher)
    with pytest.raises(ValidationError):
        advance(cycle, Stage.PLAN, minutes=minutes)
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.LEARN


def test_nobody_else_moves_a_cycle_on(teacher, colleague, school):
    cycle = make_cycle(owner=teacher, visibility="school", school=school)
    with pytest.raises(PermissionDenied):
        advance(cycle, Stage.PLAN, actor=colleague)
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.LEARN


# --- Pages ------------------------------------------------------------------------------


def test_my_inquiry_needs_a_login(client):
    response = client.get(reverse("inquiry:cycles"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_inquiry_lists_current_cycles_with_their_next_step_then_finished_ones(
    teacher_client, teacher, colleague
):
    make_cycle(owner=teacher, stage="plan", focus_question="Current one?")
    make_cycle(owner=teacher, stage="done", focus_question="Finished one?")
    make_cycle(owner=colleague, stage="plan", focus_question="Not mine?", visibility="network")
    page = teacher_client.get(reverse("inquiry:cycles")).content.decode()
    assert "Current one?" in page and "Plan your trial" in page
    assert "Stage 2 of 6: Plan" in page
    assert page.index("Current one?") < page.index("Finished one?")
    assert "Not mine?" not in page


def test_my_inquiry_makes_as_many_queries_for_ten_cycles_as_for_one(
    teacher_client, teacher, django_assert_num_queries, staff
):
    module = make_module(author=staff)
    make_cycle(owner=teacher, module=module)
    with CaptureQueriesContext(connection) as one:
        assert teacher_client.get(reverse("inquiry:cycles")).status_code == 200
    for stage in ["learn", "plan", "try", "reflect", "share", "done"] * 2:
        make_cycle(owner=teacher, stage=stage, module=module)
    with django_assert_num_queries(len(one)):
        assert teacher_client.get(reverse("inquiry:cycles")).status_code == 200


@pytest.mark.parametrize(
    "visibility, viewer, status",
    [
        ("private", "teacher", 200),
        ("private", "colleague", 404),
        ("private", "staff", 404),  # private means private: not staff either
        ("school", "colleague", 200),
        ("school", "teacher_elsewhere", 404),
        ("network", "teacher_elsewhere", 200),
    ],
)
def test_the_cycle_page_exists_only_for_those_who_see_the_cycle(
    client, request, teacher, school, visibility, viewer, status
):
    extra = {"school": school} if visibility == "school" else {}
    cycle = make_cycle(owner=teacher, visibility=visibility, **extra)
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(cycle.get_absolute_url()).status_code == status


def test_a_viewer_sees_the_cycle_without_its_owner_controls(client, teacher, colleague, school):
    cycle = make_cycle(owner=teacher, stage="plan", visibility="school", school=school)
    client.force_login(colleague)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert cycle.focus_question in page
    assert reverse("inquiry:cycle-advance", args=[cycle.pk]) not in page
    assert reverse("inquiry:cycle-plan", args=[cycle.pk]) not in page


def test_the_owner_moves_on_from_the_page(
    teacher_client, teacher, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher)
    page = teacher_client.get(cycle.get_absolute_url()).content.decode()
    assert "I&#x27;ve learned it: plan a trial" in page or "I've learned it: plan a trial" in page
    url = reverse("inquiry:cycle-advance", args=[cycle.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(url, {"to": "plan", "minutes": "20"})
    assert response.status_code == 302
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.PLAN
    assert RecordEntry.objects.get(user=teacher).minutes == 20


def test_a_jump_through_the_page_is_explained_and_changes_nothing(teacher_client, teacher):
    cycle = make_cycle(owner=teacher)
    url = reverse("inquiry:cycle-advance", args=[cycle.pk])
    response = teacher_client.post(url, {"to": "reflect"})
    assert response.status_code == 400
    assert "one step at a time" in response.content.decode()
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.LEARN
    response = teacher_client.post(url, {"to": "plan", "minutes": "700"})
    assert response.status_code == 400
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.LEARN


@pytest.mark.parametrize("viewer, status", [("colleague", 403), ("teacher_elsewhere", 404)])
def test_someone_else_posting_to_a_cycle_gets_403_if_they_see_it_else_404(
    client, request, teacher, school, viewer, status
):
    cycle = make_cycle(owner=teacher, visibility="school", school=school)
    client.force_login(request.getfixturevalue(viewer))
    response = client.post(reverse("inquiry:cycle-advance", args=[cycle.pk]), {"to": "plan"})
    assert response.status_code == status
    assert InquiryCycle.objects.get(pk=cycle.pk).stage == Stage.LEARN


def test_advance_takes_only_post(teacher_client, teacher):
    cycle = make_cycle(owner=teacher)
    assert teacher_client.get(reverse("inquiry:cycle-advance", args=[cycle.pk])).status_code == 405


# --- The start page -----------------------------------------------------------------------


def test_starting_from_a_module_prefills_the_question_and_links_the_module(
    teacher_client, teacher, staff
):
    module = make_module(author=staff, title="Talk partners")
    url = reverse("inquiry:cycle-start") + f"?module={module.slug}"
    page = teacher_client.get(url).content.decode()
    assert "What happens when I try “Talk partners” with my class?" in page
    assert module.get_absolute_url() in page
    response = teacher_client.post(url, {"focus_question": "Talk?", "module": module.slug})
    cycle = InquiryCycle.objects.get(owner=teacher)
    assert response["Location"] == cycle.get_absolute_url()
    assert cycle.module == module


def test_a_draft_module_is_not_a_starting_point(teacher_client, teacher):
    draft = make_module(author=teacher, status="draft")
    url = reverse("inquiry:cycle-start") + f"?module={draft.slug}"
    assert teacher_client.get(url).status_code == 404
    response = teacher_client.post(
        reverse("inquiry:cycle-start"), {"focus_question": "Q?", "module": draft.slug}
    )
    assert response.status_code == 200 and "not in the library" in response.content.decode()
    assert not InquiryCycle.objects.exists()


def test_suggest_modules_without_javascript_re_renders_with_three_and_what_matched(
    teacher_client, teacher, staff
):
    for title in ["Talk partners", "Talk for writing", "Talk moves", "Oracy and talk"]:
        make_module(author=staff, title=title, summary="Getting quieter pupils talking.")
    make_module(author=staff, title="Fractions on a number line", summary="Halves.")
    response = teacher_client.post(
        reverse("inquiry:cycle-start"),
        {"focus_question": "How can talk help quieter pupils?", "suggest": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="module"') == 4  # three modules and "none of these"
    assert "matched: talk, quieter" in page
    assert "Fractions" not in page
    assert not InquiryCycle.objects.exists()


def test_picking_a_suggestion_links_it(teacher_client, teacher, staff):
    module = make_module(author=staff, title="Talk partners")
    teacher_client.post(
        reverse("inquiry:cycle-start"), {"focus_question": "Talk?", "module": module.slug}
    )
    assert InquiryCycle.objects.get(owner=teacher).module == module


def test_the_suggestions_fragment_is_the_same_list(teacher_client, staff, client):
    make_module(author=staff, title="Talk partners")
    url = reverse("inquiry:cycle-suggest") + "?q=talk+partners"
    fragment = teacher_client.get(url).content.decode()
    assert "Talk partners" in fragment and "matched: talk, partners" in fragment
    assert "<html" not in fragment
    nothing = teacher_client.get(reverse("inquiry:cycle-suggest") + "?q=zebra").content.decode()
    assert "No modules in the library match" in nothing


def test_the_next_cycle_starts_from_how_might_i_do_it_differently(teacher_client, teacher):
    finished = make_cycle(owner=teacher, stage="done", reflected=True)
    page = teacher_client.get(finished.get_absolute_url()).content.decode()
    assert f"?after={finished.pk}" in page  # "Start the next cycle"
    url = reverse("inquiry:cycle-start") + f"?after={finished.pk}"
    page = teacher_client.get(url).content.decode()
    assert REFLECTION["reflect_differently"] in page
    teacher_client.post(
        url, {"focus_question": REFLECTION["reflect_differently"], "previous": finished.pk}
    )
    nxt = InquiryCycle.objects.exclude(pk=finished.pk).get()
    assert nxt.previous == finished


@pytest.mark.parametrize("viewer, status", [("colleague", 403), ("teacher_elsewhere", 404)])
def test_nobody_follows_on_from_someone_elses_cycle(
    client, request, teacher, school, viewer, status
):
    finished = make_cycle(owner=teacher, stage="done", visibility="school", school=school)
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("inquiry:cycle-start") + f"?after={finished.pk}"
    assert client.get(url).status_code == status
