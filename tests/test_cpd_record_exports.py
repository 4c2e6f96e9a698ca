"""Exports of my CPD record: a CSV, a JSON document and a page to print or save as PDF,
each of the (filtered) record of the person signed in and nobody else's."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from inquiry.models import RecordEntry, RecordTag
from tests.test_cpd_record import make_entry, make_many

CSV = reverse("inquiry:record-export-csv")
JSON = reverse("inquiry:record-export-json")
PRINT = reverse("inquiry:record-print")
EXPORTS = [CSV, JSON, PRINT]
EAT = dt.timezone(dt.timedelta(hours=3))


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def record(teacher_elsewhere):
    """Wanjiru's record in Nairobi: a session with evidence and tags, and a book."""
    session = make_entry(
        teacher_elsewhere,
        title="Wait time",
        occurred_at=dt.datetime(2030, 3, 12, 16, 0, tzinfo=dt.UTC),  # 19:00 EAT
        minutes=47,
        notes="Try *five seconds*",
        notes_html="<p>Try <em>five seconds</em></p>",
        source="session:1",
    )
    session.tags.add(
        RecordTag.objects.create(user=teacher_elsewhere, name="oracy"),
        RecordTag.objects.create(user=teacher_elsewhere, name="Teachers' Standard 4"),
    )
    book = make_entry(
        teacher_elsewhere,
        kind="manual",
        title="Read 'Making every lesson count'",
        occurred_at=dt.datetime(2030, 2, 1, 9, 0, tzinfo=dt.UTC),
        minutes=90,
        url="",
        details="",
    )
    return session, book


# --- CSV --------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_a_row_per_entry_in_the_viewers_zone(
    client, teacher_elsewhere, record
):
    client.force_login(teacher_elsewhere)
    response = client.get(CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-record-')
    header = response.content.decode().splitlines()[0]
    assert header == "date,time,timezone,kind,title,minutes,details,tags,notes,evidence"
    session, book = rows(response)
    assert session == {
        "date": "2030-03-12",
        "time": "19:00",
        "timezone": "Africa/Nairobi",
        "kind": "Live session",
        "title": "Wait time",
        "minutes": "47",
        "details": "6 answers",
        "tags": "oracy; Teachers' Standard 4",
        "notes": "Try *five seconds*",
        "evidence": "http://testserver/sessions/wait-time-2030-03-05/",
    }
    assert (book["date"], book["time"], book["kind"]) == ("2030-02-01", "", "Added by me")
    assert book["evidence"] == "" and book["tags"] == ""


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t="])
def test_the_csv_is_safe_from_formula_injection(client, teacher, start):
    attack = f'{start}HYPERLINK("http://evil.example","Click")'
    entry = make_entry(teacher, title=attack, notes=f"{start}1+1", details=f"{start}cmd")
    entry.tags.add(RecordTag.objects.create(user=teacher, name=f"{start}SUM(A1)"))
    client.force_login(teacher)
    [row] = rows(client.get(CSV))
    for column in ("title", "notes", "details", "tags"):
        assert row[column].startswith("'" + start), column
    assert row["minutes"] == "47"  # numbers are numbers


def test_the_csv_matches_the_filtered_record(client, teacher_elsewhere, record):
    client.force_login(teacher_elsewhere)
    assert [r["title"] for r in rows(client.get(CSV, {"from": "2030-03-01"}))] == ["Wait time"]
    assert [r["title"] for r in rows(client.get(CSV, {"tag": "oracy"}))] == ["Wait time"]
    to_feb = rows(client.get(CSV, {"to": "2030-02-28"}))
    assert [r["title"] for r in to_feb] == ["Read 'Making every lesson count'"]
    # A bad range exports the whole record, as the page shows it.
    assert len(rows(client.get(CSV, {"from": "2030-03-10", "to": "2030-03-01"}))) == 2


# --- JSON -------------------------------------------------------------------------------


def test_the_json_has_a_header_with_the_owner_range_and_totals(client, teacher_elsewhere, record):
    client.force_login(teacher_elsewhere)
    response = client.get(JSON, {"from": "2030-01-01", "to": "2030-12-31"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    document = json.loads(response.content)
    assert document["owner"] == "Wanjiru Kamau" and document["timezone"] == "Africa/Nairobi"
    assert document["range"] == {"from": "2030-01-01", "to": "2030-12-31", "tag": None}
    totals = document["totals"]
    assert (totals["entries"], totals["minutes"], totals["hours"]) == (2, 137, 2.28)
    assert totals["by_kind"] == [
        {"kind": "session", "label": "Live session", "entries": 1, "minutes": 47},
        {"kind": "manual", "label": "Added by me", "entries": 1, "minutes": 90},
    ]
    assert {"tag": "oracy", "entries": 1, "minutes": 47} in totals["by_tag"]
    assert totals["by_month"] == [
        {"month": "2030-03", "entries": 1, "minutes": 47},
        {"month": "2030-02", "entries": 1, "minutes": 90},
    ]
    session, book = document["entries"]
    assert dt.datetime.fromisoformat(session["date"]) == dt.datetime(2030, 3, 12, 19, tzinfo=EAT)
    assert session["date"].endswith("+03:00")
    assert session["tags"] == ["oracy", "Teachers' Standard 4"] and session["kind"] == "session"
    assert session["evidence"] == "http://testserver/sessions/wait-time-2030-03-05/"
    assert book["evidence"] is None and book["kind_label"] == "Added by me"


# --- The print page ---------------------------------------------------------------------


def test_the_print_page_names_the_teacher_school_range_totals_and_every_entry(
    client, teacher_elsewhere, record
):
    make_many(teacher_elsewhere, 120, start=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    client.force_login(teacher_elsewhere)
    page = client.get(PRINT).content.decode()
    assert "Record of professional learning" in page
    assert "<strong>Wanjiru Kamau</strong>, Nairobi Hills" in page
    assert "The whole record. Dates in Africa/Nairobi." in page
    assert page.count('class="record-print-date"') == 122  # every entry: not paged
    assert 'Evidence: <a href="http://testserver/sessions/wait-time-2030-03-05/">' in page
    assert "<em>five seconds</em>" in page and "Tags: oracy; Teachers&#x27; Standard 4" in page
    assert 'src="/static/js/record-print.js"' in page and "<script>" not in page
    assert "style=" not in page
    narrowed = client.get(PRINT, {"from": "2030-03-01", "tag": "oracy"}).content.decode()
    assert "From 1 Mar 2030, tagged “oracy”" in narrowed
    assert "Wait time" in narrowed and "Making every lesson count" not in narrowed


# --- Nobody else's record ---------------------------------------------------------------


def test_an_export_is_always_of_the_viewers_own_record(client, teacher, colleague):
    make_entry(teacher, title="Amira's entry")
    theirs = make_entry(colleague, title="Tom only")
    theirs.tags.add(RecordTag.objects.create(user=colleague, name="tom-tag"))
    client.force_login(teacher)
    for url in EXPORTS:
        for query in ({}, {"user": colleague.pk}, {"user_id": colleague.pk}, {"tag": "tom-tag"}):
            body = client.get(url, query).content.decode()
            assert "Tom only" not in body and "tom-tag" not in body, (url, query)
            assert "Amira" in body, (url, query)


def test_exports_ask_visitors_to_log_in_and_refuse_other_methods(client, teacher):
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(teacher)
    for url in EXPORTS:
        assert client.post(url).status_code == 405


def test_an_inactive_account_exports_nothing(client, teacher):
    make_entry(teacher, title="Mine")
    client.force_login(teacher)
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    for url in EXPORTS:  # signed out by the deactivation: no record to export
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize(
    "url, queries",
    [
        # session, user, profile; the teacher's tags; the entries and their tags (one query
        # each per 500 entries); the JSON's totals by (month, kind) and by tag
        (CSV, 6),
        (JSON, 8),
        # ... and the print page's school, and the page frame's two
        (PRINT, 11),
    ],
)
def test_exports_cost_the_same_queries_for_few_or_many_entries(
    client, teacher, size, url, queries, django_assert_num_queries
):
    make_many(teacher, size)
    client.force_login(teacher)
    with django_assert_num_queries(queries):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("Entry ") == size
    assert RecordEntry.objects.count() == size
