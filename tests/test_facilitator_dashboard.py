"""The facilitator's dashboard: who may see it, the members × units grid, the at-risk list
and its rules, nudges (one a day), the CSV, and a query count that does not grow with the
cohort."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Notification, Profile
from inquiry import queries_facilitation as queries
from inquiry import rules
from inquiry.models import Attendance, CohortMember, ModuleCompletion
from inquiry.services import facilitation
from tests.factories import make_cycle, make_user
from tests.test_attendance import NOW, make_cohort


@pytest.fixture
def facilitator(db):
    return make_user(username="fran", display_name="Fran Facilitator")


@pytest.fixture
def cohort(facilitator, teacher, colleague):
    """Three units; by NOW units 1 and 2 have had their sessions, unit 3 opens in 2 days."""
    return make_cohort(
        facilitators=[facilitator], members=[teacher, colleague], start=NOW - timedelta(days=12)
    )


def units_of(cohort):
    return list(cohort.cohort_units.select_related("unit").order_by("unit__number"))


def complete_unit(user, cohort_unit, facilitator, at=NOW):
    """Every part of a unit done: its module, the session, the task's cycle shared."""
    for unit_module in cohort_unit.unit.unit_modules.all():
        ModuleCompletion.objects.create(
            user=user, module=unit_module.module, started_at=at, completed_at=at
        )
    Attendance.objects.create(
        cohort_unit=cohort_unit, user=user, status="present", marked_by=facilitator, marked_at=at
    )
    make_cycle(owner=user, stage="done", cohort_unit=cohort_unit, shared_at=at, updated_at=at)


def dashboard_url(cohort, query=""):
    return reverse("inquiry:cohort-dashboard", kwargs={"slug": cohort.slug}) + query


def board_rows(cohort, **options):
    return {row.user.username: row for row in queries.dashboard(cohort, now=NOW, **options).rows}


# --- The rule -----------------------------------------------------------------------------


def test_who_facilitates(cohort, facilitator, teacher, outsider, staff, moderator):
    assert rules.can_facilitate(facilitator, cohort)
    assert rules.can_facilitate(staff, cohort)
    assert not rules.can_facilitate(teacher, cohort)  # a member
    assert not rules.can_facilitate(outsider, cohort)
    assert not rules.can_facilitate(moderator, cohort)  # moderates another space
    assert not rules.can_facilitate(AnonymousUser(), cohort)
    facilitator.is_active = False
    assert not rules.can_facilitate(facilitator, cohort)


# --- The page -----------------------------------------------------------------------------


def test_the_dashboard_shows_each_member_and_unit(client, cohort, facilitator, teacher):
    unit1 = units_of(cohort)[0]
    complete_unit(teacher, unit1, facilitator)
    client.force_login(facilitator)
    response = client.get(dashboard_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Amira Khan" in body and "Tom Hughes" in body
    assert "Unit 1" in body and "Unit 3" in body
    # The marks are words for a screen reader, not colour alone.
    assert "Pre-learning: done" in body and "Session: present" in body
    assert "Reflection: shared" in body and "Session: not marked" in body
    assert reverse("inquiry:cohort-register", kwargs={"slug": cohort.slug, "number": 1}) in body


def test_staff_see_the_dashboard(client, cohort, staff):
    client.force_login(staff)
    assert client.get(dashboard_url(cohort)).status_code == 200


def test_a_member_may_not_see_the_dashboard(client, cohort, teacher):
    client.force_login(teacher)
    assert client.get(dashboard_url(cohort)).status_code == 403


def test_an_outsider_does_not_find_it(client, cohort, outsider):
    client.force_login(outsider)
    assert client.get(dashboard_url(cohort)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, cohort):
    response = client.get(dashboard_url(cohort))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_refuses_post(client, cohort, facilitator):
    client.force_login(facilitator)
    assert client.post(dashboard_url(cohort)).status_code == 405


def test_a_bad_days_filter_falls_back_to_fourteen(client, cohort, facilitator):
    client.force_login(facilitator)
    response = client.get(dashboard_url(cohort, "?days=-3"))
    assert response.status_code == 200
    assert response.context["days"] == 14
    assert "Quiet for 14 days or more" in response.content.decode()


def _members(cohort, count):
    for n in range(count):
        user = make_user(display_name=f"Member {n}")
        CohortMember.objects.create(cohort=cohort, user=user, joined_at=NOW - timedelta(days=12))
        make_cycle(owner=user, stage="try", cohort_unit=units_of(cohort)[0])


@pytest.mark.parametrize("size", [3, 15])
def test_the_query_count_does_not_grow_with_the_cohort(
    client, django_assert_num_queries, facilitator, teacher, colleague, size
):
    cohort = make_cohort(facilitators=[facilitator], start=NOW - timedelta(days=12))
    _members(cohort, size)
    client.force_login(facilitator)
    # session, user, profile, unread count, moderated spaces (base page); cohort,
    # facilitators (the rule); members; cohort_progress's five.
    with django_assert_num_queries(13):
        response = client.get(dashboard_url(cohort))
    assert response.status_code == 200
    assert len(response.context["board"].rows) == size


# --- At risk ------------------------------------------------------------------------------


def test_due_units_count_sessions_that_have_happened(cohort):
    assert queries.due_units(units_of(cohort), NOW) == 2
    assert queries.due_units(units_of(cohort), NOW - timedelta(days=8)) == 1
    assert queries.due_units(units_of(cohort), NOW - timedelta(days=12)) == 0


def test_without_a_session_a_unit_is_due_when_the_next_one_opens(facilitator, teacher):
    cohort = make_cohort(
        facilitators=[facilitator],
        members=[teacher],
        start=NOW - timedelta(days=12),
        session_kind="none",
    )
    # Units open at -12, -5 and +2 days: only unit 1 has been followed by another.
    assert queries.due_units(units_of(cohort), NOW) == 1


def test_a_member_a_unit_or_more_behind_is_at_risk(cohort, facilitator, teacher, colleague):
    unit1, unit2, _ = units_of(cohort)
    complete_unit(teacher, unit1, facilitator, at=NOW - timedelta(days=2))
    complete_unit(teacher, unit2, facilitator, at=NOW - timedelta(days=1))
    complete_unit(colleague, unit1, facilitator, at=NOW - timedelta(days=1))
    rows = board_rows(cohort)
    assert rows["amira"].behind == 0 and not rows["amira"].at_risk
    assert rows["tom"].behind == 1
    assert rows["tom"].reasons == ["1 unit behind the cohort's dates"]


def test_no_activity_for_n_days_is_at_risk(cohort, facilitator, teacher, colleague):
    """Last activity is the latest step; with none, when they joined."""
    unit1 = units_of(cohort)[0]
    ModuleCompletion.objects.create(
        user=teacher,
        module=unit1.unit.unit_modules.get().module,
        started_at=NOW - timedelta(days=20),
        completed_at=NOW - timedelta(days=20),
    )
    rows = board_rows(cohort, days=14)
    assert "no activity for 20 days" in rows["amira"].reasons
    assert "nothing done since joining for 12 days" not in rows["tom"].reasons  # 12 < 14
    rows = board_rows(cohort, days=10)
    assert "nothing done since joining for 12 days" in rows["tom"].reasons
    rows = board_rows(cohort, days=30)
    assert not any("activity" in reason for reason in rows["amira"].reasons)


def test_a_member_keeping_up_and_active_is_not_at_risk(cohort, facilitator, teacher):
    unit1, unit2, _ = units_of(cohort)
    complete_unit(teacher, unit1, facilitator, at=NOW - timedelta(days=3))
    complete_unit(teacher, unit2, facilitator, at=NOW - timedelta(days=1))
    assert board_rows(cohort)["amira"].reasons == []


def test_the_furthest_behind_come_first(cohort, facilitator, teacher, colleague):
    complete_unit(teacher, units_of(cohort)[0], facilitator)
    names = [row.user.username for row in queries.dashboard(cohort, now=NOW).rows]
    assert names == ["tom", "amira"]
    names = [row.user.username for row in queries.dashboard(cohort, sort="name", now=NOW).rows]
    assert names == ["amira", "tom"]


def test_the_at_risk_list_is_at_the_top_with_why(client, cohort, facilitator, teacher):
    complete_unit(teacher, units_of(cohort)[0], facilitator)
    client.force_login(facilitator)
    body = client.get(dashboard_url(cohort)).content.decode()
    risk = body[body.index('id="risk-heading"') : body.index('id="grid-heading"')]
    assert "Tom Hughes" in risk and "2 units behind the cohort&#x27;s dates" in risk
    assert "Amira Khan" in risk and "1 unit behind" in risk


def test_removed_members_are_not_on_the_dashboard(cohort, colleague):
    CohortMember.objects.filter(user=colleague).update(removed_at=NOW)
    assert set(board_rows(cohort)) == {"amira"}


# --- Nudges -------------------------------------------------------------------------------


def member_of(cohort, user):
    return CohortMember.objects.select_related("user").get(cohort=cohort, user=user)


def test_a_nudge_is_a_notification_from_the_facilitator(cohort, facilitator, teacher):
    sent = facilitation.nudge_member(
        actor=facilitator, cohort=cohort, member=member_of(cohort, teacher), text="How is it going?"
    )
    assert sent
    note = Notification.objects.get(user=teacher)
    assert note.kind == Notification.Kind.INQUIRY
    assert note.actor == facilitator
    assert note.link == cohort.get_absolute_url()
    assert "How is it going?" in note.text and "Fran Facilitator" in note.text
    assert member_of(cohort, teacher).nudged_at is not None


def test_a_member_is_nudged_at_most_once_a_day(cohort, facilitator, teacher):
    member = member_of(cohort, teacher)
    assert facilitation.nudge_member(
        actor=facilitator, cohort=cohort, member=member, text="Hi", now=NOW
    )
    later = NOW + timedelta(hours=23)
    assert not facilitation.nudge_member(
        actor=facilitator, cohort=cohort, member=member, text="Hi", now=later
    )
    assert Notification.objects.filter(user=teacher).count() == 1
    next_day = NOW + timedelta(hours=24)
    assert facilitation.nudge_member(
        actor=facilitator, cohort=cohort, member=member, text="Hi", now=next_day
    )
    assert Notification.objects.filter(user=teacher).count() == 2


def test_only_a_facilitator_nudges(cohort, colleague, teacher):
    with pytest.raises(PermissionDenied):
        facilitation.nudge_member(
            actor=colleague, cohort=cohort, member=member_of(cohort, teacher), text="Hi"
        )
    assert not Notification.objects.exists()
    assert member_of(cohort, teacher).nudged_at is None


def test_an_empty_nudge_is_refused_and_claims_nothing(cohort, facilitator, teacher):
    with pytest.raises(ValidationError):
        facilitation.nudge_member(
            actor=facilitator, cohort=cohort, member=member_of(cohort, teacher), text="   "
        )
    assert member_of(cohort, teacher).nudged_at is None and not Notification.objects.exists()


def test_nudging_everyone_behind_skips_those_nudged_today(
    cohort, facilitator, teacher, colleague, outsider
):
    unit1, unit2, _ = units_of(cohort)
    complete_unit(teacher, unit1, facilitator, at=NOW - timedelta(days=1))
    complete_unit(teacher, unit2, facilitator, at=NOW - timedelta(days=1))
    late = make_user(username="lena", display_name="Lena Late")
    CohortMember.objects.create(cohort=cohort, user=late, joined_at=NOW - timedelta(days=12))
    facilitation.nudge_member(
        actor=facilitator, cohort=cohort, member=member_of(cohort, late), text="Hi", now=NOW
    )
    nudged = facilitation.nudge_behind(
        actor=facilitator, cohort=cohort, text="We miss you", now=NOW + timedelta(hours=1)
    )
    assert [m.user for m in nudged] == [colleague]  # amira keeps up; lena was nudged
    assert Notification.objects.filter(user=colleague, text__contains="We miss you").exists()
    assert not Notification.objects.filter(user=teacher).exists()
    again = facilitation.nudge_behind(
        actor=facilitator, cohort=cohort, text="We miss you", now=NOW + timedelta(hours=2)
    )
    assert again == []


def test_the_nudge_page_offers_a_default_text_and_sends(client, cohort, facilitator, colleague):
    client.force_login(facilitator)
    url = reverse("inquiry:cohort-nudge", kwargs={"slug": cohort.slug, "username": "tom"})
    page = client.get(url)
    assert page.status_code == 200
    assert "Just checking in" in page.content.decode()
    response = client.post(url, {"text": "Shall we catch up on unit 1?"})
    assert response.status_code == 302 and response["Location"] == dashboard_url(cohort)
    assert Notification.objects.filter(user=colleague).count() == 1
    client.post(url, {"text": "Again?"})
    assert Notification.objects.filter(user=colleague).count() == 1  # once a day


def test_the_nudge_everyone_page_names_who_and_sends(client, cohort, facilitator):
    client.force_login(facilitator)
    url = reverse("inquiry:cohort-nudge-behind", kwargs={"slug": cohort.slug})
    page = client.get(url).content.decode()
    assert "Amira Khan" in page and "Tom Hughes" in page
    assert client.post(url, {"text": "Hello both"}).status_code == 302
    assert Notification.objects.filter(text__contains="Hello both").count() == 2


def test_a_member_may_not_nudge_and_a_stranger_is_not_found(client, cohort, teacher, facilitator):
    client.force_login(teacher)
    url = reverse("inquiry:cohort-nudge", kwargs={"slug": cohort.slug, "username": "tom"})
    assert client.post(url, {"text": "Hi"}).status_code == 403
    everyone = reverse("inquiry:cohort-nudge-behind", kwargs={"slug": cohort.slug})
    assert client.post(everyone, {"text": "Hi"}).status_code == 403
    assert not Notification.objects.exists()
    client.force_login(facilitator)
    stranger = reverse("inquiry:cohort-nudge", kwargs={"slug": cohort.slug, "username": "olly"})
    assert client.get(stranger).status_code == 404


# --- The CSV ------------------------------------------------------------------------------


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_row_per_member_and_columns_per_unit_part(
    client, cohort, facilitator, teacher
):
    complete_unit(teacher, units_of(cohort)[0], facilitator)
    client.force_login(facilitator)
    response = client.get(reverse("inquiry:cohort-dashboard-csv", kwargs={"slug": cohort.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:6] == ["member", "username", "joined", "last activity", "timezone", "units done"]
    assert header[6:10] == [
        "unit 1 pre-learning",
        "unit 1 session",
        "unit 1 task",
        "unit 1 reflection",
    ]
    assert header[-1] == "at risk" and len(header) == 6 + 3 * 4 + 1
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"amira", "tom"}
    assert by_name["amira"][5] == "1"
    assert by_name["amira"][6:10] == ["1/1", "present", "yes", "yes"]
    assert by_name["tom"][6:10] == ["0/1", "not marked", "no", "no"]
    assert "2 units behind" in by_name["tom"][-1]


def test_the_csv_is_safe_from_formula_injection(client, cohort, facilitator, colleague):
    Profile.objects.filter(user=colleague).update(display_name='=HYPERLINK("http://x","y")')
    client.force_login(facilitator)
    response = client.get(reverse("inquiry:cohort-dashboard-csv", kwargs={"slug": cohort.slug}))
    names = [row[0] for row in csv_rows(response)[1:]]
    assert '\'=HYPERLINK("http://x","y")' in names


def test_a_member_may_not_download_the_csv(client, cohort, teacher, outsider):
    url = reverse("inquiry:cohort-dashboard-csv", kwargs={"slug": cohort.slug})
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
