"""A timed session from start to archive, the way a host and two participants live it:
the host plans three questions, the server's clock releases them on schedule with
nobody doing anything, the participants answer, the host highlights an answer and ends
the hour, and the archive holds it all by question; the calendar file parses."""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone
from playwright.sync_api import expect

from community.models import ChatMessage, ChatSession, User
from community.session_clock import RECHECK
from tests.browser.test_live_thread import open_as
from tests.factories import make_space, make_user

# The host plans for the next minute. Rather than wait two minutes of wall time for Q2,
# the test moves the plan back while nobody is in the room (the host's waiting page has
# gone, and with it the server's timer, which trusts what it read for RECHECK seconds),
# so that Q2 falls due a few seconds after the participants arrive; from then on only
# the server's clock acts.
Q2_DUE_IN = 8


def answer(page, text, question=None):
    if question:
        page.get_by_label("Answering").select_option(question)
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[role=log] .chat-message").filter(has_text=text)).to_have_count(1)


def test_a_host_runs_a_three_question_session_and_its_archive_lasts(browser, live_daphne):
    host = make_user(username="mo", display_name="Mo Patel")
    make_user(username="amira", display_name="Amira Khan")
    make_user(username="wanjiru", display_name="Wanjiru Kamau", timezone_name="Africa/Nairobi")
    make_space(name="Oracy", slug="oracy", moderators=[host])  # moderators host sessions
    User.objects.update(date_joined="2026-01-01T00:00:00Z")

    # The host plans the session, in their own zone (London), starting in a minute.
    mo = open_as(browser, live_daphne, "mo@example.org", "/sessions/new/")
    london = ZoneInfo("Europe/London")
    start = timezone.localtime(timezone.now() + timedelta(minutes=2), london)
    mo.get_by_label("Title").fill("Talk for writing")
    mo.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    mo.get_by_label("Length").select_option(label="30 minutes")
    mo.get_by_label("Questions").fill(
        "How do your pupils rehearse sentences aloud?\n"
        "What changed in their writing?\n"
        "What will you try next week?"
    )
    mo.get_by_label("Release times").fill("0, 1, 2")
    mo.get_by_role("button", name="Plan it").click()
    expect(mo.get_by_text("Your session is planned.")).to_be_visible()
    session = ChatSession.objects.get(title="Talk for writing")
    assert timezone.localtime(session.starts_at, london).hour == start.hour

    mo.goto(f"{live_daphne}/sessions/")  # the host leaves the waiting page
    left_at = time.time()
    amira = open_as(browser, live_daphne, "amira@example.org", "/sessions/")
    wanjiru = open_as(browser, live_daphne, "wanjiru@example.org", "/sessions/")
    time.sleep(max(0, left_at + RECHECK + 1 - time.time()))
    ChatSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(seconds=60 - Q2_DUE_IN)
    )
    session.refresh_from_db()
    q2_due = session.due_at(session.questions.get(number=2)).timestamp()

    path = session.get_absolute_url()
    for page in (amira, wanjiru, mo):
        page.goto(f"{live_daphne}{path}")
    questions = amira.locator("[data-questions]")
    expect(questions.locator("#q1")).to_contain_text("rehearse sentences aloud")
    expect(questions.locator("#q2")).to_have_count(0)  # not out yet, not even hidden
    answer(amira, "Talk partners before every writing task")
    answer(wanjiru, "We say it, then write it")

    # Q2 by the clock alone, in both participants' rooms, on time.
    expect(questions.locator("#q2")).to_contain_text("changed in their writing", timeout=15_000)
    seen = time.time()
    expect(wanjiru.locator("[data-questions] #q2")).to_be_visible()
    assert q2_due - 0.5 <= seen <= q2_due + 3, f"Q2 seen {seen - q2_due:+.1f} s from its time"
    answer(amira, "Longer sentences, more subordinate clauses")
    answer(wanjiru, "Fewer blank pages at the start")
    answer(wanjiru, "Aloud first helped my quietest pupils", question="1")

    # The host: release Q3 early, highlight an answer, end.
    mo.get_by_role("button", name="Release the next question now").click()
    expect(amira.locator("[data-questions] #q3")).to_contain_text("try next week")
    answer(amira, "A sentence-stem wall")
    highlight = mo.locator(".chat-message").filter(has_text="Fewer blank pages")
    highlight.get_by_role("button", name="Highlight").click()
    expect(amira.locator(".chat-message").filter(has_text="Fewer blank pages")).to_contain_text(
        "Highlighted by the hosts"
    )
    mo.get_by_role("button", name="End the session").click()

    # Everyone's page becomes the archive, grouped by question.
    expect(amira.get_by_role("heading", name="The archive")).to_be_visible()
    groups = [
        amira.locator("section.card").filter(
            has=amira.get_by_role("heading", name=f"Q{n}", exact=True)
        )
        for n in (1, 2, 3)
    ]
    expect(groups[0].locator(".chat-message")).to_have_count(3)
    expect(groups[0]).to_contain_text("Aloud first helped my quietest pupils")
    expect(groups[1].locator(".chat-message")).to_have_count(2)
    expect(groups[1].locator(".chat-message").first).to_contain_text("Fewer blank pages")
    expect(groups[2].locator(".chat-message")).to_have_count(1)
    expect(amira.get_by_text("2 people took part")).to_be_visible()
    assert ChatMessage.objects.filter(room=session.room).count() == 6

    # The calendar file parses with a standard library, in the host's zone.
    response = amira.request.get(f"{live_daphne}{path}calendar.ics")
    calendar = icalendar.Calendar.from_ical(response.body())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Talk for writing"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE")
    for page in (mo, amira, wanjiru):
        page.context.close()


def test_a_waiting_page_opens_the_room_when_the_host_starts_early(browser, live_daphne):
    host = make_user(username="mo", display_name="Mo Patel")
    make_user(username="amira", display_name="Amira Khan")
    space = make_space(name="Oracy", slug="oracy", moderators=[host])
    User.objects.update(date_joined="2026-01-01T00:00:00Z")
    from community.services import sessions

    session = sessions.create_session(
        actor=host,
        sheet=sessions.RunSheet(
            title="Early bird",
            starts_at=timezone.now() + timedelta(hours=2),
            duration_minutes=30,
            questions=["What went well?"],
            offsets=[0],
            space=None,
        ),
    )
    assert space  # the host moderates a space, so hosts network-wide sessions
    amira = open_as(browser, live_daphne, "amira@example.org", session.get_absolute_url())
    expect(amira.locator("[data-session-state]")).to_contain_text("Starts")
    amira.wait_for_timeout(500)  # subscribed to the room while waiting
    mo = open_as(browser, live_daphne, "mo@example.org", session.get_absolute_url())
    mo.get_by_role("button", name="Start now").click()
    # Nobody touches Amira's page: it becomes the room, with Q1 out.
    expect(amira.locator("[data-questions] #q1")).to_contain_text("What went well?")
    expect(amira.get_by_role("textbox", name="Message")).to_be_visible()
    for page in (mo, amira):
        page.context.close()
