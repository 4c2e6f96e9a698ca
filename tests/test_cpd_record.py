"""My CPD record: only its owner reads it; the page's timeline by month, totals, chart and
date range; editing an entry's title, minutes, notes and tags; adding learning done
elsewhere and deleting it; the system's entries are written once per source and edited,
not deleted. (The exports: test_cpd_record_exports.py.)"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from inquiry.models import RecordEntry, RecordTag
from inquiry.services import record as services
from inquiry.services.record import SystemEntry
from tests.factories import make_school

RECORD = "/record/"


def make_many(user, n: int, *, start=dt.datetime(2029, 1, 10, 9, tzinfo=dt.UTC)) -> list:
    """n entries a week apart, of every kind in turn, every other one tagged."""
    kinds = RecordEntry.Kind.values
    entries = RecordEntry.objects.bulk_create(
        RecordEntry(
            user=user,
            kind=kinds[i % len(kinds)],
            title=f"Entry {i}",
            occurred_at=start + dt.timedelta(days=7 * i),
            minutes=10 + i,
            source="" if kinds[i % len(kinds)] == "manual" else f"bulk:{i}",
        )
        for i in range(n)
    )
    oracy, _ = RecordTag.objects.get_or_create(user=user, name="oracy")
    oracy.entries.add(*entries[::2])
    return entries


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


@pytest.mark.parametrize("size", [3, 60])
def test_the_page_costs_the_same_queries_for_few_or_many_entries(
    client, teacher, size, django_assert_num_queries
):
    make_many(teacher, size)
    client.force_login(teacher)
    # The session, the user, their profile (the zone); the teacher's tags (the filter),
    # the totals by month and kind, the totals by tag, a page of entries and their tags;
    # and the page frame's two (does the viewer moderate anything, how many unread).
    with django_assert_num_queries(RECORD_QUERIES):
        response = client.get(RECORD)
    assert response.content.decode().count('class="card record-entry"') == size
    assert f"<dd>{size}</dd>" in response.content.decode()  # the entries, counted


RECORD_QUERIES = 10


def test_the_record_asks_visitors_to_log_in_and_refuses_other_methods(client, teacher, mine):
    delete = reverse("inquiry:entry-delete", args=[mine.pk])
    for url in (RECORD, reverse("inquiry:entry-add"), edit_url(mine), delete):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(teacher)
    assert client.post(RECORD).status_code == 405
    assert client.delete(edit_url(mine)).status_code == 405
    assert client.put(reverse("inquiry:entry-add")).status_code == 405
    assert client.delete(reverse("inquiry:entry-delete", args=[mine.pk])).status_code == 405


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
    [entry] = RecordEntry.objects.visible_to(amira).filter(kind=RecordEntry.Kind.SESSION)
    assert entry.url == past.get_absolute_url() and 35 <= entry.minutes <= 58
    assert entry.occurred_at == past.began_at
    hosts = RecordEntry.objects.filter(user=past.host, source=f"session:{past.pk}")
    assert hosts.get().details.startswith("Hosted") and hosts.get().minutes == 58
    assert not SessionAttendance.objects.filter(present_since__isnull=False).exists()


# --- The record page: months, totals, the range, tags, the chart ------------------------


def nairobi(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def test_the_timeline_groups_by_month_in_the_viewers_zone(client, teacher_elsewhere):
    # 31 March 22:30 UTC is already 1 April in Nairobi.
    make_entry(teacher_elsewhere, title="Late on the 31st", occurred_at=nairobi(2030, 4, 1, 1, 30))
    make_entry(
        teacher_elsewhere, title="Mid March", occurred_at=nairobi(2030, 3, 15, 12), minutes=30
    )
    client.force_login(teacher_elsewhere)
    page = client.get(RECORD).content.decode()
    april, march = page.index('<h3 id="month-2030-04">'), page.index('<h3 id="month-2030-03">')
    assert april < page.index("Late on the 31st") < march < page.index("Mid March")
    assert "April 2030 <span" in page and "0.8 hours, 1 entry" in page  # 47 minutes
    assert "0.5 hours, 1 entry" in page


def test_the_totals_cover_the_whole_range_while_the_timeline_is_paged(client, teacher):
    make_many(teacher, 150)
    client.force_login(teacher)
    first = client.get(RECORD).content.decode()
    assert first.count('class="card record-entry"') == 100
    assert "<dd>150</dd>" in first and "Page 1 of 2" in first
    assert first.index("Entry 149") < first.index("Entry 50")  # newest first
    assert "Entry 49" not in first
    second = client.get(RECORD, {"page": 2}).content.decode()
    assert second.count('class="card record-entry"') == 50 and "Entry 49" in second
    assert "<dd>150</dd>" in second  # the same totals on every page
    # By kind: 150 entries over every kind in turn; the first kind has entries 0, k, 2k...
    first_kind = -(-150 // len(RecordEntry.Kind.values))
    assert f'>Module completed</th><td class="num">{first_kind}</td>' in first
    assert '<a href="/record/?tag=oracy">oracy</a></th><td class="num">75</td>' in first


def test_a_date_range_keeps_the_days_in_the_viewers_zone(client, teacher_elsewhere):
    for title, moment in [
        ("Before", nairobi(2030, 3, 1, 23, 30)),
        ("First minute", nairobi(2030, 3, 2, 0, 0)),
        ("Last minute", nairobi(2030, 3, 31, 23, 59)),
        ("After", nairobi(2030, 4, 1, 0, 0)),
    ]:
        make_entry(teacher_elsewhere, title=title, occurred_at=moment, minutes=60)
    client.force_login(teacher_elsewhere)
    page = client.get(RECORD, {"from": "2030-03-02", "to": "2030-03-31"}).content.decode()
    assert "First minute" in page and "Last minute" in page
    assert "Before" not in page and "After" not in page
    assert "2 Mar 2030 to 31 Mar 2030" in page and "<dd>2</dd>" in page
    # The export links carry the same range.
    assert "/record/export.csv?from=2030-03-02&amp;to=2030-03-31" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"from": "2030-13-01"}, "Enter a valid date"),
        ({"from": "yesterday"}, "Enter a valid date"),
        ({"from": "2030-03-10", "to": "2030-03-01"}, "comes before its start"),
        ({"to": "0001-01-01"}, "Choose a day between 1900 and 2999"),
        ({"tag": "not-mine"}, "Select a valid choice"),
    ],
)
def test_a_bad_range_is_an_error_and_shows_the_whole_record(client, teacher, query, message):
    make_entry(teacher, title="Early", occurred_at=dt.datetime(2030, 1, 5, tzinfo=dt.UTC))
    make_entry(teacher, title="Later", occurred_at=dt.datetime(2030, 6, 5, tzinfo=dt.UTC))
    client.force_login(teacher)
    response = client.get(RECORD, query)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "That range could not be used" in page and "The whole record" in page
    assert "Early" in page and "Later" in page


def test_a_tag_filters_the_record_and_another_teachers_tag_is_not_one(client, teacher, colleague):
    tagged = make_entry(teacher, title="Talk partners", minutes=30)
    make_entry(teacher, title="Marking", minutes=20)
    oracy = RecordTag.objects.create(user=teacher, name="oracy")
    ts4 = RecordTag.objects.create(user=teacher, name="Teachers' Standard 4")
    tagged.tags.add(oracy, ts4)
    theirs = make_entry(colleague, title="Colleague's debate")
    theirs.tags.add(RecordTag.objects.create(user=colleague, name="debate"))
    client.force_login(teacher)
    page = client.get(RECORD, {"tag": "oracy"}).content.decode()
    assert "Talk partners" in page and "Marking" not in page
    assert "tagged “oracy”" in page and "<dd>1</dd>" in page
    # The other tags of the entries in range still add up (an Exists, not a join).
    assert "Teachers&#x27; Standard 4</a></th>" in page
    refused = client.get(RECORD, {"tag": "debate"}).content.decode()
    assert "Select a valid choice" in refused and "Colleague" not in refused


def test_another_teachers_id_in_the_address_changes_nothing(client, teacher, colleague):
    make_entry(teacher, title="Mine")
    make_entry(colleague, title="Tom's own")
    client.force_login(teacher)
    for query in ({"user": colleague.pk}, {"user_id": colleague.pk}, {"owner": "tom"}):
        page = client.get(RECORD, query).content.decode()
        assert "Mine" in page and "Tom&#x27;s own" not in page and "Tom's own" not in page


def test_the_chart_is_inline_svg_with_a_text_alternative_and_no_style_attributes(client, teacher):
    make_entry(
        teacher,
        kind="module",
        title="A",
        occurred_at=dt.datetime(2030, 2, 3, tzinfo=dt.UTC),
        minutes=60,
    )
    make_entry(
        teacher,
        kind="manual",
        title="B",
        occurred_at=dt.datetime(2030, 2, 9, tzinfo=dt.UTC),
        minutes=30,
    )
    make_entry(
        teacher,
        kind="session",
        title="C",
        occurred_at=dt.datetime(2030, 3, 9, tzinfo=dt.UTC),
        minutes=42,
    )
    client.force_login(teacher)
    page = client.get(RECORD, {"from": "2030-01-01", "to": "2030-03-31"}).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="record-chart-title record-chart-desc"' in svg
    assert '<title id="record-chart-title">' in svg and '<desc id="record-chart-desc">' in svg
    assert "January 2030 to March 2030" in svg and "2.2 hours in all" in svg  # 132 min
    assert "the most in February 2030 (1.5 hours)" in svg
    assert svg.count('class="chart-bar kind-') == 3  # a rect per (month, kind) with time
    assert svg.count(">Jan<") == svg.count(">Feb<") == svg.count(">Mar<") == 1
    assert "style=" not in page and "<script>" not in page  # the CSP allows neither
    # The same figures as a table: February, module 60 + manual 30.
    table = page[page.index("the chart’s figures") :]
    assert '<th scope="row">February 2030</th><td>60</td><td>0</td><td>30</td><td>90</td>' in table
    assert "Module completed" in page[page.index('class="chart-legend"') :]


def test_the_chart_shows_the_last_twelve_months_of_the_range(teacher):
    from inquiry import charts
    from inquiry import queries_record as queries

    zone = zoneinfo.ZoneInfo("UTC")
    make_entry(teacher, occurred_at=dt.datetime(2028, 5, 1, tzinfo=dt.UTC))
    span = queries.RecordRange(zone=zone, end=dt.date(2030, 3, 15))
    entries = span.entries(teacher)
    months = queries.chart_months(
        queries.record_totals(entries, zone=zone), span, today=dt.date(2031, 1, 1)
    )
    assert [m.key for m in (months[0], months[-1])] == [dt.date(2029, 4, 1), dt.date(2030, 3, 1)]
    assert len(months) == 12 and not any(m.minutes for m in months)
    chart = charts.month_chart(months)
    assert "no recorded time in these months" in chart.svg and "<rect" not in chart.svg
    # Without an end, the chart ends this month.
    months = queries.chart_months(
        queries.record_totals(entries, zone=zone),
        queries.RecordRange(zone=zone),
        today=dt.date(2030, 7, 4),
    )
    assert months[-1].key == dt.date(2030, 7, 1) and len(months) == 12


def test_a_bar_is_as_tall_as_its_minutes(teacher):
    from inquiry import charts
    from inquiry.queries_record import Month

    months = [
        Month(key=dt.date(2030, 1, 1), label="January 2030", minutes=60, by_kind={"module": 60}),
        Month(key=dt.date(2030, 2, 1), label="February 2030", minutes=120, by_kind={"module": 120}),
    ]
    svg = charts.month_chart(months).svg
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2 and heights[1] == pytest.approx(2 * heights[0], rel=0.01)
    assert "February 2030, Module completed: 120 minutes" in svg  # each bar's tooltip


# --- Tags on an entry -------------------------------------------------------------------


def edit(client, entry, **changes):
    data = {"title": entry.title, "minutes": str(entry.minutes), "notes": "", "tags": ""}
    return client.post(edit_url(entry), {**data, **changes})


def test_tags_are_a_comma_separated_list_of_the_teachers_own(client, teacher, colleague, mine):
    theirs = RecordTag.objects.create(user=colleague, name="oracy")
    RecordTag.objects.create(user=teacher, name="Oracy")
    client.force_login(teacher)
    response = edit(client, mine, tags=" oracy , Teachers’ Standard 4,, ORACY, ")
    assert response.status_code == 302
    names = sorted(tag.name for tag in mine.tags.all())
    assert names == ["Oracy", "Teachers’ Standard 4"]  # her "Oracy" reused, whatever the case
    assert all(tag.user_id == teacher.pk for tag in mine.tags.all())
    assert not theirs.entries.exists()
    form = client.get(edit_url(mine)).content.decode()
    assert 'value="Oracy, Teachers’ Standard 4"' in form and "Yours so far: Oracy" in form
    edit(client, mine, tags="")  # emptied; the tags stay as the teacher's vocabulary
    assert not mine.tags.exists() and RecordTag.objects.filter(user=teacher).count() == 2


@pytest.mark.parametrize(
    "tags, message",
    [
        (", ".join(f"tag {n}" for n in range(11)), "at most 10 tags; this has 11"),
        ("fine, " + "x" * 61, "A tag is at most 60 characters"),
    ],
)
def test_too_many_or_too_long_tags_are_refused_and_nothing_is_saved(
    client, teacher, mine, tags, message
):
    client.force_login(teacher)
    response = edit(client, mine, title="Changed", tags=tags)
    assert response.status_code == 200 and message in response.content.decode()
    mine.refresh_from_db()
    assert mine.title == "Wait time" and not mine.tags.exists()
    assert not RecordTag.objects.exists()


def test_tag_names_in_the_help_text_are_escaped(client, teacher, mine):
    RecordTag.objects.create(user=teacher, name="<b>bold</b>")
    client.force_login(teacher)
    page = client.get(edit_url(mine)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_a_manual_entry_is_added_with_tags(client, teacher):
    client.force_login(teacher)
    data = {"occurred_on": "2024-11-02", "title": "A course", "minutes": "60", "tags": "oracy"}
    assert client.post(reverse("inquiry:entry-add"), data).status_code == 302
    assert [t.name for t in RecordEntry.objects.get().tags.all()] == ["oracy"]


def test_the_service_checks_tags_too(teacher, mine):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refusal:
        services.update_entry(
            actor=teacher, entry=mine, title="", minutes=5, notes="", tags=["x" * 61]
        )
    assert set(refusal.value.message_dict) == {"title", "tags"}
    assert not RecordTag.objects.exists()


# --- Deleting an entry ------------------------------------------------------------------


def delete_url(entry) -> str:
    return reverse("inquiry:entry-delete", args=[entry.pk])


def test_the_owner_deletes_an_entry_they_added_after_being_asked(client, teacher):
    added = make_entry(teacher, kind="manual", title="A book", url="", details="")
    client.force_login(teacher)
    assert "Delete this entry" in client.get(edit_url(added)).content.decode()
    question = client.get(delete_url(added)).content.decode()
    assert "Delete this entry?" in question and "A book" in question
    assert RecordEntry.objects.filter(pk=added.pk).exists()  # asking deletes nothing
    response = client.post(delete_url(added))
    assert response.status_code == 302 and response["Location"] == RECORD
    assert not RecordEntry.objects.filter(pk=added.pk).exists()


def test_an_entry_staffroom_wrote_is_edited_not_deleted(client, teacher, mine):
    client.force_login(teacher)
    form = client.get(edit_url(mine)).content.decode()
    assert "Delete this entry" not in form and "Staffroom wrote this entry" in form
    assert client.get(delete_url(mine)).status_code == 403
    assert client.post(delete_url(mine)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.delete_entry(actor=teacher, entry=mine)
    # It stays, so that its source writing again finds it and makes no second one.
    services.write_entries(
        [
            SystemEntry(
                user_id=teacher.pk,
                kind="session",
                title="Wait time",
                occurred_at=mine.occurred_at,
                minutes=47,
                url=mine.url,
                source="session:1",
            )
        ]
    )
    assert RecordEntry.objects.filter(user=teacher).count() == 1


def test_someone_elses_entry_cannot_be_deleted(client, colleague, staff, teacher):
    added = make_entry(teacher, kind="manual", title="A book")
    for other in (colleague, staff):
        client.force_login(other)
        assert client.get(delete_url(added)).status_code == 404
        assert client.post(delete_url(added)).status_code == 404
        with pytest.raises(PermissionDenied):
            services.delete_entry(actor=other, entry=added)
    assert RecordEntry.objects.filter(pk=added.pk).exists()
