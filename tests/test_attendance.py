"""The register of a unit's session: who may keep it, what a bad register does (nothing),
and the CPD record entries attendance gives members."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inquiry.models import Attendance, Cohort, CohortMember, RecordEntry
from inquiry.services import facilitation
from inquiry.services.cohorts import UnitDates, add_member, create_cohort
from inquiry.services.record import update_entry
from tests.factories import make_course, make_user

NOW = timezone.now().replace(microsecond=0)


def make_cohort(*, facilitators, members=(), units=3, start=None, **course_options):
    """A cohort made through the cohorts service: unit n opens a week after unit n-1,
    starting `start` (default four weeks ago), and its session is three days after it
    opens; the members joined at the start."""
    start = start or NOW - timedelta(days=28)
    course = make_course(units=units, authors=facilitators, **course_options)
    dates = [
        UnitDates(
            unit=unit,
            opens_at=start + timedelta(weeks=index),
            session_at=start + timedelta(weeks=index, days=3) if unit.has_session else None,
        )
        for index, unit in enumerate(course.units.order_by("number"))
    ]
    cohort = create_cohort(
        actor=facilitators[0],
        course=course,
        name=f"Spring {Cohort.objects.count() + 1}",
        capacity=30,
        unit_dates=dates,
        facilitators=facilitators[1:],
        timezone_name="Europe/London",
        now=start,
    )
    for user in members:
        add_member(actor=facilitators[0], cohort=cohort, user=user, now=start)
    return cohort


@pytest.fixture
def facilitator(db):
    return make_user(username="fran", display_name="Fran Facilitator")


@pytest.fixture
def cohort(facilitator, teacher, colleague):
    return make_cohort(facilitators=[facilitator], members=[teacher, colleague])


@pytest.fixture
def unit1(cohort):
    return cohort.cohort_units.select_related("unit", "cohort__course").get(unit__number=1)


def register_url(cohort, number=1):
    return reverse("inquiry:cohort-register", kwargs={"slug": cohort.slug, "number": number})


# --- The service --------------------------------------------------------------------------


def test_a_facilitator_marks_the_register(facilitator, teacher, colleague, unit1):
    changed = facilitation.mark_attendance(
        actor=facilitator,
        cohort_unit=unit1,
        marks={teacher.pk: "present", colleague.pk: "apologies"},
    )
    assert changed == {teacher.pk: "present", colleague.pk: "apologies"}
    marks = dict(Attendance.objects.values_list("user_id", "status"))
    assert marks == {teacher.pk: "present", colleague.pk: "apologies"}
    assert Attendance.objects.get(user=teacher).marked_by == facilitator


def test_present_writes_a_cpd_record_entry(facilitator, teacher, colleague, unit1):
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present", colleague.pk: "absent"}
    )
    entry = RecordEntry.objects.get(user=teacher)
    assert entry.kind == RecordEntry.Kind.COHORT
    assert entry.source == f"attendance:{unit1.pk}"
    assert entry.minutes == unit1.unit.session_minutes == 60
    assert entry.occurred_at == unit1.session_at
    assert entry.url == unit1.cohort.get_absolute_url()
    assert unit1.unit.title in entry.title
    assert not RecordEntry.objects.filter(user=colleague).exists()  # absent: no entry


def test_marking_the_same_register_twice_changes_nothing(facilitator, teacher, unit1):
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    again = facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    assert again == {}
    assert RecordEntry.objects.filter(user=teacher).count() == 1


def test_absent_later_keeps_the_entry_at_zero_minutes(facilitator, teacher, unit1):
    """The record is the teacher's: nothing disappears from it silently. The entry stays,
    at 0 minutes, and says why; present again gives the minutes back."""
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    facilitation.mark_attendance(actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "absent"})
    entry = RecordEntry.objects.get(user=teacher)
    assert (entry.minutes, entry.details) == (0, facilitation.MARKED_ABSENT_LATER)
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    entry.refresh_from_db()
    assert (entry.minutes, entry.details) == (60, facilitation.ATTENDED)
    assert RecordEntry.objects.filter(user=teacher).count() == 1


def test_present_again_keeps_minutes_the_teacher_set(facilitator, teacher, unit1):
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "apologies"}
    )
    entry = RecordEntry.objects.get(user=teacher)
    update_entry(actor=teacher, entry=entry, title=entry.title, minutes=20, notes="Caught up")
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=unit1, marks={teacher.pk: "present"}
    )
    entry.refresh_from_db()
    assert entry.minutes == 20


def test_being_marked_present_for_the_last_part_issues_the_credential(facilitator, teacher):
    """The session was all that was left: marking it calls the credential check."""
    from inquiry.models import Credential, ModuleCompletion
    from tests.factories import make_cycle

    cohort = make_cohort(facilitators=[facilitator], members=[teacher], units=1)
    cohort_unit = cohort.cohort_units.select_related("unit", "cohort__course").get()
    module = cohort_unit.unit.unit_modules.get().module
    ModuleCompletion.objects.create(user=teacher, module=module, completed_at=NOW)
    make_cycle(owner=teacher, stage="done", cohort_unit=cohort_unit, shared_at=NOW)
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=cohort_unit, marks={teacher.pk: "apologies"}
    )
    assert not Credential.objects.exists()
    facilitation.mark_attendance(
        actor=facilitator, cohort_unit=cohort_unit, marks={teacher.pk: "present"}
    )
    assert Credential.objects.filter(user=teacher, cohort=cohort).count() == 1


def test_staff_keep_any_register(staff, teacher, unit1):
    facilitation.mark_attendance(actor=staff, cohort_unit=unit1, marks={teacher.pk: "present"})
    assert Attendance.objects.filter(user=teacher, status="present").exists()


@pytest.mark.parametrize("who", ["teacher", "outsider", "moderator"])
def test_no_one_else_keeps_the_register(request, who, teacher, unit1):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        facilitation.mark_attendance(actor=actor, cohort_unit=unit1, marks={teacher.pk: "present"})
    assert not Attendance.objects.exists() and not RecordEntry.objects.exists()


def test_a_mark_for_a_non_member_refuses_the_whole_register(facilitator, teacher, outsider, unit1):
    with pytest.raises(ValidationError, match="not one"):
        facilitation.mark_attendance(
            actor=facilitator,
            cohort_unit=unit1,
            marks={teacher.pk: "present", outsider.pk: "present"},
        )
    assert not Attendance.objects.exists() and not RecordEntry.objects.exists()


def test_a_removed_member_is_not_on_the_register(facilitator, teacher, colleague, unit1):
    CohortMember.objects.filter(user=colleague).update(removed_at=NOW)
    with pytest.raises(ValidationError):
        facilitation.mark_attendance(
            actor=facilitator,
            cohort_unit=unit1,
            marks={teacher.pk: "present", colleague.pk: "present"},
        )
    assert not Attendance.objects.exists()


def test_a_word_that_is_not_a_mark_is_refused(facilitator, teacher, colleague, unit1):
    with pytest.raises(ValidationError, match="present, absent or apologies"):
        facilitation.mark_attendance(
            actor=facilitator,
            cohort_unit=unit1,
            marks={teacher.pk: "present", colleague.pk: "late"},
        )
    assert not Attendance.objects.exists()


def test_a_unit_without_a_session_has_no_register(facilitator, teacher):
    cohort = make_cohort(facilitators=[facilitator], members=[teacher], session_kind="none")
    cohort_unit = cohort.cohort_units.first()
    with pytest.raises(ValidationError, match="no session"):
        facilitation.mark_attendance(
            actor=facilitator, cohort_unit=cohort_unit, marks={teacher.pk: "present"}
        )


# --- The page -----------------------------------------------------------------------------


def test_the_register_lists_each_member_with_four_choices(client, facilitator, cohort, unit1):
    client.force_login(facilitator)
    response = client.get(register_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Amira Khan" in body and "Tom Hughes" in body
    assert body.count('type="radio"') == 8  # present, absent, apologies, caught up
    assert "Apologies" in body and "Caught up" in body


def test_saving_the_register_redirects_and_shows_the_marks(
    client, facilitator, cohort, teacher, colleague
):
    client.force_login(facilitator)
    url = register_url(cohort)
    response = client.post(url, {f"member-{teacher.pk}": "present"})
    assert response.status_code == 302 and response["Location"] == url
    assert dict(Attendance.objects.values_list("user_id", "status")) == {teacher.pk: "present"}
    page = client.get(url).content.decode()
    assert "1 mark changed" in page
    assert f'value="present" id="id_member-{teacher.pk}_0" checked' in page


def test_a_posted_non_member_saves_nothing(client, facilitator, cohort, teacher, outsider):
    client.force_login(facilitator)
    response = client.post(
        register_url(cohort),
        {f"member-{teacher.pk}": "present", f"member-{outsider.pk}": "present"},
    )
    assert response.status_code == 200
    assert "not a member of the cohort" in response.content.decode()
    assert not Attendance.objects.exists() and not RecordEntry.objects.exists()


def test_a_made_up_mark_saves_nothing(client, facilitator, cohort, teacher, colleague):
    client.force_login(facilitator)
    response = client.post(
        register_url(cohort), {f"member-{teacher.pk}": "present", f"member-{colleague.pk}": "late"}
    )
    assert response.status_code == 200 and "nothing was saved" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_member_may_not_open_the_register(client, teacher, cohort):
    client.force_login(teacher)
    assert client.get(register_url(cohort)).status_code == 403
    assert client.post(register_url(cohort), {f"member-{teacher.pk}": "present"}).status_code == 403
    assert not Attendance.objects.exists()


def test_an_outsider_does_not_find_the_register(client, outsider, cohort):
    client.force_login(outsider)
    assert client.get(register_url(cohort)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, cohort):
    response = client.get(register_url(cohort))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_register_for_a_unit_without_a_session_or_a_unit_that_is_not_there(
    client, facilitator, teacher
):
    cohort = make_cohort(facilitators=[facilitator], members=[teacher], session_kind="none")
    client.force_login(facilitator)
    assert client.get(register_url(cohort)).status_code == 404
    assert client.get(register_url(cohort, number=9)).status_code == 404


def test_the_register_refuses_other_methods(client, facilitator, cohort):
    client.force_login(facilitator)
    assert client.delete(register_url(cohort)).status_code == 405
