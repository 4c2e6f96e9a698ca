"""My CPD record: only its owner reads it, edits an entry's title, minutes and notes,
and adds learning done elsewhere; the system's entries are written once per source."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from inquiry.models import RecordEntry
from inquiry.services import record as services
from inquiry.services.record import SystemEntry
from tests.factories import make_school

RECORD = "/record/"


def make_entry(user, **fields) -> RecordEntry:
    values = {
        "kind": RecordEntry.Kind.SESSION,
        "title": "Wait time",
        "occurred_at": dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC),
        "minutes": 47,
        "url": "/sessions/wait-time-2030-03-05/",
        "details": "6 answers",
        "source": "",
    }
    return RecordEntry.objects.create(user=user, **{**values, **fields})


@pytest.fixture
def mine(teacher):
    return make_entry(teacher, source="session:1")


def edit_url(entry) -> str:
    return reverse("inquiry:entry-edit", args=[entry.pk])


# --- Who reads it -----------------------------------------------------------------------


def test_only_the_owner_sees_their_record(mine, teacher, colleague, staff):
    from django.contrib.auth.models import AnonymousUser

    assert list(RecordEntry.objects.visible_to(teacher)) == [mine]
    for other in (colleague, staff, AnonymousUser()):  # not a colleague, not even staff
        assert not RecordEntry.objects.visible_to(other).exists()


def test_the_record_stays_with_the_teacher_who_changes_school(mine, teacher):
    teacher.profile.school = make_school(name="Hilltop Academy", slug="hilltop")
    teacher.profile.save(update_fields=["school"])
    assert list(RecordEntry.objects.visible_to(teacher)) == [mine]


def test_the_page_lists_entries_newest_first_in_the_viewers_zone_with_the_total(
    client, teacher_elsewhere
):
    old = make_entry(teacher_elsewhere, title="Questioning", minutes=60, details="No answers")
    new = make_entry(
        teacher_elsewhere,
        title="Wait time",
        occurred_at=old.occurred_at + dt.timedelta(days=7),
        minutes=30,
        notes="Try **five seconds**",
        notes_html="<p>Try <strong>five seconds</strong></p>",
    )
    client.force_login(teacher_elsewhere)
    page = client.get(RECORD).content.decode()
    assert page.index("Wait time") < page.index("Questioning")
    assert "12 Mar 2030, 19:00 EAT" in page  # 16:00 UTC in Nairobi
    assert f'<a href="{new.url}">Wait time</a>' in page and "Live session" in page
    assert "30 minutes · 6 answers" in page and "<strong>five seconds</strong>" in page
    assert "<dd>1.5</dd>" in page  # 90 minutes, in hours


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_costs_the_same_queries_for_few_or_many_entries(
    client, teacher, size, django_assert_num_queries
):
    for n in range(size):
        make_entry(teacher, title=f"Entry {n}", source=f"session:{n}")
    client.force_login(teacher)
    # The session, the user, their profile (the zone), one query for the entries, and
    # the page frame's two (does the viewer moderate anything, how many unread).
    with django_assert_num_queries(RECORD_QUERIES):
        response = client.get(RECORD)
    assert response.content.decode().count('class="card record-entry"') == size


RECORD_QUERIES = 6


def test_the_record_asks_visitors_to_log_in_and_refuses_other_methods(client, teacher, mine):
    for url in (RECORD, reverse("inquiry:entry-add"), edit_url(mine)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(teacher)
    assert client.post(RECORD).status_code == 405
    assert client.delete(edit_url(mine)).status_code == 405
    assert client.put(reverse("inquiry:entry-add")).status_code == 405


# --- Editing an entry -------------------------------------------------------------------


def test_the_owner_edits_title_minutes_and_notes(client, teacher, mine):
    client.force_login(teacher)
    assert "Wait time" in client.get(edit_url(mine)).content.decode()
    response = client.post(
        edit_url(mine), {"title": "Wait time with Y4", "minutes": "50", "notes": "Use *timers*"}
    )
    assert response.status_code == 302 and response["Location"] == RECORD
    mine.refresh_from_db()
    assert (mine.title, mine.minutes, mine.notes) == ("Wait time with Y4", 50, "Use *timers*")
    assert mine.notes_html == "<p>Use <em>timers</em></p>"
    assert mine.url and mine.details == "6 answers"  # the system's evidence stays


def test_someone_elses_entry_is_not_found_and_stays_as_it_was(client, colleague, staff, mine):
    for other in (colleague, staff):
        client.force_login(other)
        assert client.get(edit_url(mine)).status_code == 404
        data = {"title": "Mine now", "minutes": "1", "notes": ""}
        assert client.post(edit_url(mine), data).status_code == 404
    mine.refresh_from_db()
    assert mine.title == "Wait time" and mine.minutes == 47


@pytest.mark.parametrize(
    "change, message",
    [
        ({"minutes": "-5"}, "greater than or equal to 0"),
        ({"minutes": "1441"}, "less than or equal to 1440"),
        ({"minutes": "lots"}, "Enter a whole number"),
        ({"title": ""}, "This field is required"),
        ({"title": "   "}, "This field is required"),
    ],
)
def test_bad_input_shows_an_error_and_saves_nothing(client, teacher, mine, change, message):
    client.force_login(teacher)
    data = {"title": "Changed", "minutes": "30", "notes": "Changed too", **change}
    response = client.post(edit_url(mine), data)
    assert response.status_code == 200 and message in response.content.decode()
    mine.refresh_from_db()
    assert (mine.title, mine.minutes, mine.notes) == ("Wait time", 47, "")


def test_the_services_refuse_what_the_forms_would_and_someone_elses_entry(teacher, colleague, mine):
    from django.core.exceptions import ValidationError

    with pytest.raises(PermissionDenied):
        services.update_entry(actor=colleague, entry=mine, title="x", minutes=1, notes="")
    with pytest.raises(ValidationError) as refusal:
        services.update_entry(actor=teacher, entry=mine, title=" ", minutes=-1, notes="")
    assert set(refusal.value.message_dict) == {"title", "minutes"}
    mine.refresh_from_db()
    assert mine.title == "Wait time" and mine.minutes == 47


def test_notes_are_markdown_made_safe(client, teacher, mine):
    client.force_login(teacher)
    data = {"title": "Wait time", "minutes": "47", "notes": "<script>alert(1)</script> fine"}
    client.post(edit_url(mine), data)
    mine.refresh_from_db()
    assert "<script" not in mine.notes_html and "fine" in mine.notes_html
    assert "<script>alert" not in client.get(RECORD).content.decode()


# --- Adding one's own -------------------------------------------------------------------


def test_a_teacher_adds_learning_done_elsewhere_on_a_day_in_their_zone(client, teacher_elsewhere):
    client.force_login(teacher_elsewhere)
    data = {
        "occurred_on": "2024-11-02",
        "title": "Read 'Teach Like a Champion', ch. 3",
        "minutes": "90",
        "notes": "Cold call, with **wait time**.",
    }
    response = client.post(reverse("inquiry:entry-add"), data)
    assert response.status_code == 302 and response["Location"] == RECORD
    added = RecordEntry.objects.get(user=teacher_elsewhere)
    assert added.kind == "manual" and added.minutes == 90 and not added.source
    local = timezone.localtime(added.occurred_at, dt.timezone(dt.timedelta(hours=3)))
    assert local.date() == dt.date(2024, 11, 2)
    assert "<strong>wait time</strong>" in added.notes_html
    page = client.get(RECORD).content.decode()
    assert "2 Nov 2024 EAT" in page and "Added by me" in page


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"occurred_on": "2999-01-01"}, "already happened"),
        ({"occurred_on": "yesterday"}, "Enter a valid date"),
        ({"minutes": "-1"}, "greater than or equal to 0"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_a_bad_manual_entry_is_refused_whole(client, teacher, change, field_message):
    client.force_login(teacher)
    data = {"occurred_on": "2024-11-02", "title": "A course", "minutes": "60", **change}
    response = client.post(reverse("inquiry:entry-add"), data)
    assert response.status_code == 200 and field_message in response.content.decode()
    assert not RecordEntry.objects.exists()


# --- The system's entries ---------------------------------------------------------------


def test_system_entries_are_written_once_per_person_and_source(teacher, colleague):
    moment = timezone.now()

    def attended(user, minutes):
        return SystemEntry(
            user_id=user.pk,
            kind=RecordEntry.Kind.SESSION,
            title="Oracy",
            occurred_at=moment,
            minutes=minutes,
            url="/sessions/oracy/",
            source="session:9",
        )

    services.write_entries([attended(teacher, 30), attended(colleague, 5000)])
    services.write_entries([attended(teacher, 99)])  # again, as a racing writer would
    assert RecordEntry.objects.count() == 2
    assert RecordEntry.objects.get(user=teacher).minutes == 30  # the first stays
    assert RecordEntry.objects.get(user=colleague).minutes == 1440  # at most a day


def test_the_demo_gives_amira_last_weeks_session_in_her_record(db):
    from io import StringIO

    from django.core.management import call_command

    from community.models import ChatSession, SessionAttendance, User

    call_command("seed_demo", stdout=StringIO())
    past = ChatSession.objects.get(recorded_at__isnull=False)
    amira = User.objects.get(username="amira")
    [entry] = RecordEntry.objects.visible_to(amira)
    assert entry.url == past.get_absolute_url() and 35 <= entry.minutes <= 58
    assert entry.occurred_at == past.began_at
    hosts = RecordEntry.objects.filter(user=past.host, source=f"session:{past.pk}")
    assert hosts.get().details.startswith("Hosted") and hosts.get().minutes == 58
    assert not SessionAttendance.objects.filter(present_since__isnull=False).exists()
