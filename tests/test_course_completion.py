"""Finishing a course: each unit done goes into the member's CPD record, and the last
part of the last unit (whichever it is: a module, the register, the classroom task)
issues the credential, once, with nobody pressing anything."""

from datetime import timedelta

import pytest

from community.models import Space
from inquiry.models import Credential, RecordEntry
from inquiry.services import cycles, facilitation, library
from inquiry.services.cohorts import start_unit_task
from tests.factories import REFLECTION, make_user
from tests.test_attendance import NOW, make_cohort


@pytest.fixture
def course_run(db, teacher):
    facilitator = make_user(username="fran", display_name="Fran Facilitator")
    return make_cohort(facilitators=[facilitator], members=[teacher], units=2), facilitator


def do_the_task(member, cohort, cohort_unit, commit):
    """Start the unit's classroom task, take it through plan, try and reflect, share it
    in the cohort's space."""
    with commit(execute=True):
        cycle, _ = start_unit_task(actor=member, cohort=cohort, cohort_unit=cohort_unit)
        cycles.advance(actor=member, cycle=cycle, to="plan")
        cycles.save_plan(actor=member, cycle=cycle, plan=cycles.Plan(trial_what="Talk partners"))
        cycles.advance(actor=member, cycle=cycle, to="try")
        cycles.advance(actor=member, cycle=cycle, to="reflect")
        cycles.save_reflection(actor=member, cycle=cycle, answers=REFLECTION)
        cycles.advance(actor=member, cycle=cycle, to="share")
        space = Space.objects.get(cohort=cohort)
        cycles.share_cycle(actor=member, cycle=cycle, space=space)


def finish_unit(member, facilitator, cohort, cohort_unit, commit, *, last="task"):
    """Every part of a unit, with `last` done last."""

    def modules():
        with commit(execute=True):
            for module in cohort_unit.unit.modules.all():
                library.complete_module(actor=member, module=module)

    def register():
        with commit(execute=True):
            facilitation.mark_attendance(
                actor=facilitator, cohort_unit=cohort_unit, marks={member.pk: "present"}
            )

    def task():
        do_the_task(member, cohort, cohort_unit, commit)

    parts = {"modules": modules, "register": register, "task": task}
    for name, step in parts.items():
        if name != last:
            step()
    parts[last]()


@pytest.mark.parametrize("last", ["modules", "register", "task"])
def test_the_last_part_of_the_course_issues_the_credential_once(
    course_run, teacher, django_capture_on_commit_callbacks, last
):
    cohort, facilitator = course_run
    first, second = cohort.cohort_units.order_by("unit__number")
    finish_unit(teacher, facilitator, cohort, first, django_capture_on_commit_callbacks)
    units = RecordEntry.objects.filter(user=teacher, kind=RecordEntry.Kind.UNIT)
    assert list(units.values_list("source", "minutes")) == [(f"unit:{first.pk}", 0)]
    assert not Credential.objects.exists()  # one unit of two
    finish_unit(teacher, facilitator, cohort, second, django_capture_on_commit_callbacks, last=last)
    credential = Credential.objects.get()
    assert credential.user == teacher and credential.cohort == cohort
    assert units.count() == 2
    assert RecordEntry.objects.filter(user=teacher, kind=RecordEntry.Kind.CREDENTIAL).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # again: nothing new
        facilitation.mark_attendance(
            actor=facilitator, cohort_unit=second, marks={teacher.pk: "present"}
        )
    assert Credential.objects.count() == 1 and units.count() == 2


def test_a_module_in_no_course_of_theirs_touches_no_cohort(
    course_run, teacher, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from tests.factories import make_module

    module = make_module(author=make_user())
    with django_capture_on_commit_callbacks(execute=True):
        library.complete_module(actor=teacher, module=module, now=NOW - timedelta(days=1))
    assert not RecordEntry.objects.filter(kind=RecordEntry.Kind.UNIT).exists()


def test_a_missed_session_counts_once_the_facilitator_marks_it_caught_up(
    course_run, teacher, django_capture_on_commit_callbacks
):
    from inquiry.progress import cohort_progress

    cohort, facilitator = course_run
    first = cohort.cohort_units.order_by("unit__number").first()
    finish_unit(teacher, facilitator, cohort, first, django_capture_on_commit_callbacks)
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=first, marks={teacher.pk: "apologies"}
    )
    unit = cohort_progress(cohort, [teacher.pk])[teacher.pk].units[0]
    assert not unit.attended and not unit.done
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=first, marks={teacher.pk: "caught_up"}
    )
    unit = cohort_progress(cohort, [teacher.pk])[teacher.pk].units[0]
    assert unit.attended and unit.done


def test_someone_who_finished_the_course_is_not_at_risk_however_quiet(
    course_run, teacher, django_capture_on_commit_callbacks
):
    from inquiry.queries_facilitation import dashboard

    cohort, facilitator = course_run
    for cohort_unit in cohort.cohort_units.order_by("unit__number"):
        finish_unit(teacher, facilitator, cohort, cohort_unit, django_capture_on_commit_callbacks)
    later = NOW + timedelta(days=120)
    board = dashboard(cohort, now=later)
    assert board.rows[0].progress.complete and board.rows[0].quiet_days >= 119
    assert board.at_risk == []
