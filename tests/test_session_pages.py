"""The session pages: planning in the host's own zone, the page before, during and
after, RSVPs and the host's controls."""

import datetime as dt

import pytest
from django.urls import reverse

from community.models import ChatMessage, ChatSession, SessionRSVP
from tests.factories import make_space, make_user


@pytest.fixture
def host(db):
    return make_user(username="hana", display_name="Hana Host", timezone_name="Africa/Nairobi")


@pytest.fixture
def hosted_space(host, teacher):
    return make_space(name="Oracy", slug="oracy", moderators=[host], members=[teacher])


def plan(client, space, **changes):
    data = {
        "title": "Talk for writing",
        "space": space.pk,
        "starts_at": "2030-03-05T19:00",
        "duration_minutes": "60",
        "intro": "We'll talk about **talk**.",
        "questions": "What do your pupils say first?\n\nHow do you model it?\n",
        "offsets": "",
    }
    return client.post(reverse("community:session-create"), {**data, **changes})


def test_a_host_plans_a_session_in_their_own_zone(client, host, hosted_space):
    client.force_login(host)
    response = plan(client, hosted_space)
    session = ChatSession.objects.get()
    assert response["Location"] == session.get_absolute_url()
    assert session.starts_at == dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)  # 19:00 EAT
    assert [q.body for q in session.questions.all()] == [
        "What do your pupils say first?",
        "How do you model it?",
    ]
    assert session.timezone_name == "Africa/Nairobi"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"questions": ""}, "This field is required"),
        ({"starts_at": "2020-01-01T10:00"}, "Choose a start time in the future"),
        ({"offsets": "10, 70"}, "released before the session ends"),
        ({"offsets": "ten"}, "Write whole minutes"),
    ],
)
def test_a_bad_run_sheet_shows_its_errors_and_saves_nothing(
    client, host, hosted_space, change, message
):
    client.force_login(host)
    response = plan(client, hosted_space, **change)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ChatSession.objects.exists()


def test_participants_see_only_released_questions_and_can_rsvp(client, host, hosted_space, teacher):
    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    assert "How do you model it?" in client.get(session.get_absolute_url()).content.decode()
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "How do you model it?" not in page and "I'll be there" in page
    client.post(reverse("community:session-rsvp", args=[session.slug]), {"going": "1"})
    assert SessionRSVP.objects.filter(session=session, user=teacher).exists()
    assert "I can't make it after all" in client.get(session.get_absolute_url()).content.decode()


def test_the_room_opens_when_the_host_starts_and_becomes_an_archive(
    client, host, hosted_space, teacher
):
    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    control = reverse("community:session-control", args=[session.slug])
    client.post(control, {"action": "start"})
    client.post(control, {"action": "release"})
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "What do your pupils say first?" in page and "data-chat-form" in page
    client.post(session.get_absolute_url(), {"body": "They say 'um'", "client_id": "a1"})
    assert ChatMessage.objects.get(client_id="a1").question.number == 1
    assert ">A1</span>" in client.get(session.get_absolute_url()).content.decode()
    client.force_login(host)
    client.post(control, {"action": "end"})
    client.force_login(teacher)
    archive = client.get(session.get_absolute_url()).content.decode()
    assert "its archive stays here" in archive and "They say" in archive
    assert "data-chat-form" not in archive


def test_members_cannot_work_the_controls(client, host, hosted_space, teacher):
    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    client.force_login(teacher)
    response = client.post(
        reverse("community:session-control", args=[session.slug]), {"action": "start"}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.started_at is None


def test_the_archive_groups_answers_by_question_with_highlights_first_and_exports(
    client, host, hosted_space, teacher, colleague
):
    from community.services import chat

    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    control = reverse("community:session-control", args=[session.slug])
    client.post(control, {"action": "start"})
    client.post(control, {"action": "release"})
    session.refresh_from_db()
    room = session.room
    plain, _ = chat.send_message(actor=teacher, room=room, body="They say 'um'")
    strong, _ = chat.send_message(
        actor=colleague, room=room, body="Sentence stems: see https://example.org/stems"
    )
    client.post(reverse("community:chat-pin", args=[strong.pk]))
    client.post(control, {"action": "release"})
    chat.send_message(actor=teacher, room=room, body="I model it aloud", question=2)
    client.post(control, {"action": "end"})

    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    q1 = page.index('id="group-1"')
    assert q1 < page.index("Sentence stems") < page.index("They say") < page.index('id="group-2"')
    assert "Highlighted by the hosts" in page and "https://example.org/stems</a>" in page
    assert "2 people took part" in page
    markdown = client.get(reverse("community:session-markdown", args=[session.slug]))
    text = markdown.content.decode()
    assert markdown["Content-Type"].startswith("text/markdown")
    assert "## Q1: What do your pupils say first?" in text
    assert "**Tom Hughes** (highlighted): Sentence stems" in text
    assert "## Q2: How do you model it?" in text and "I model it aloud" in text


def test_the_calendar_file_places_the_session_in_the_hosts_zone(client, host, hosted_space):
    import icalendar

    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    response = client.get(reverse("community:session-calendar", args=[session.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Africa/Nairobi" and start == session.starts_at
    assert event.decoded("dtend") - start == dt.timedelta(minutes=60)
    assert str(event["summary"]) == "Talk for writing"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Africa/Nairobi"


def test_only_hosts_highlight(client, host, hosted_space, teacher):
    from community.services import chat

    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    client.post(reverse("community:session-control", args=[session.slug]), {"action": "start"})
    session.refresh_from_db()
    message, _ = chat.send_message(actor=teacher, room=session.room, body="Mine")
    client.force_login(teacher)
    assert client.post(reverse("community:chat-pin", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.pinned_at is None


def test_the_composer_picks_an_earlier_question_and_offers_only_released_ones(
    client, host, hosted_space, teacher
):
    client.force_login(host)
    plan(client, hosted_space)
    session = ChatSession.objects.get()
    control = reverse("community:session-control", args=[session.slug])
    client.post(control, {"action": "start"})
    client.post(control, {"action": "release"})
    client.post(control, {"action": "release"})
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'name="question"' in page and "The latest question" in page
    assert "Q2: How do you model it?" in page
    client.post(
        session.get_absolute_url(), {"body": "Late to Q1", "client_id": "x1", "question": "1"}
    )
    client.post(session.get_absolute_url(), {"body": "On Q2", "client_id": "x2", "question": ""})
    assert ChatMessage.objects.get(client_id="x1").question.number == 1
    assert ChatMessage.objects.get(client_id="x2").question.number == 2
    refused = client.post(
        session.get_absolute_url(), {"body": "To Q9", "client_id": "x3", "question": "9"}
    )
    assert refused.status_code == 200 and not ChatMessage.objects.filter(client_id="x3").exists()


def test_a_spaces_room_has_no_question_picker(client, hosted_space, teacher):
    client.force_login(teacher)
    page = client.get(reverse("community:chat", args=[hosted_space.slug])).content.decode()
    assert "data-chat-form" in page and 'name="question"' not in page
