"""In a session's room: hosts mute a participant for the session, people reply to an
answer and react to messages, and answer-first mode (docs/sessions.md)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community import queries
from community.models import (
    ChatMessage,
    ChatReaction,
    ModerationAction,
    Notification,
    SessionMute,
)
from community.services import chat, sessions
from community.services.chat import ChatRefused
from community.services.sessions import MUTED_NOTICE, RunSheet
from realtime import streams
from tests.factories import make_user


def sheet(space, **changes) -> RunSheet:
    fields = {
        "title": "Wait time",
        "starts_at": timezone.now() + timedelta(hours=1),
        "duration_minutes": 60,
        "questions": ["What do you wait for?", "How long?", "What then?"],
        "space": space,
    }
    return RunSheet(**{**fields, **changes})


@pytest.fixture
def cohost(space):
    user = make_user(username="cora", display_name="Cora Cohost")
    space.memberships.create(user=user)
    return user


@pytest.fixture
def session(space, moderator, cohost):
    """Live, with Q1 out: rob hosts, cora co-hosts, amira and tom take part."""
    session = sessions.create_session(actor=moderator, sheet=sheet(space, cohosts=(cohost,)))
    sessions.control(actor=moderator, session=session, action="start")
    sessions.release_next(actor=moderator, session=session)
    return session


def say(user, session, body, **send):
    message, _ = chat.send_message(actor=user, room=session.room, body=body, **send)
    return message


def page(client, user, session, query=""):
    client.force_login(user)
    return client.get(session.get_absolute_url() + query).content.decode()


# --- Muting a participant for the session ---------------------------------------------------


def test_a_host_mutes_a_participant_who_still_reads_but_cannot_send(
    client, session, moderator, teacher
):
    say(teacher, session, "Before")
    sessions.mute_participant(actor=moderator, session=session, user=teacher)
    assert SessionMute.objects.filter(session=session, user=teacher, by=moderator).exists()
    logged = ModerationAction.objects.get(action="mute_in_session")
    assert (logged.actor, logged.target_user, logged.space) == (moderator, teacher, session.space)
    # Told at once, on their personal stream (a toast on any open page).
    [note] = Notification.objects.filter(user=teacher, kind="moderation")
    assert "muted you" in note.text and note.session == session
    assert streams.events_after(f"user:{teacher.pk}", 0)[-1]["kind"] == "notification.new"
    with pytest.raises(ChatRefused) as refusal:
        say(teacher, session, "Can I still?")
    assert (refusal.value.code, refusal.value.detail) == ("not_allowed", MUTED_NOTICE)
    assert session.room.messages.count() == 1
    html = page(client, teacher, session)
    assert MUTED_NOTICE in html and "data-chat-form" not in html and "Before" in html
    # The form is refused too, and nothing is stored.
    response = client.post(session.get_absolute_url(), {"body": "Sneaky", "client_id": "m1"})
    assert response.status_code == 403 and session.room.messages.count() == 1


def test_muting_twice_is_one_mute_and_one_log_row(session, moderator, teacher):
    sessions.mute_participant(actor=moderator, session=session, user=teacher)
    sessions.mute_participant(actor=moderator, session=session, user=teacher)
    assert SessionMute.objects.count() == 1
    assert ModerationAction.objects.filter(action="mute_in_session").count() == 1


def test_participants_do_not_mute_and_nobody_mutes_a_host_staff_or_themselves(
    session, moderator, cohost, teacher, colleague, staff
):
    refused = [
        (colleague, teacher),  # a participant
        (moderator, moderator),  # themselves
        (moderator, cohost),  # a co-host
        (cohost, moderator),  # the host
        (moderator, staff),  # staff
    ]
    for actor, user in refused:
        with pytest.raises(PermissionDenied):
            sessions.mute_participant(actor=actor, session=session, user=user)
    assert not SessionMute.objects.exists() and not ModerationAction.objects.exists()
    # Co-hosts and staff do mute participants.
    sessions.mute_participant(actor=cohost, session=session, user=teacher)
    sessions.mute_participant(actor=staff, session=session, user=colleague)
    assert SessionMute.objects.count() == 2


def test_unmuting_lets_them_send_again_and_is_logged(session, moderator, teacher, colleague):
    sessions.mute_participant(actor=moderator, session=session, user=teacher)
    with pytest.raises(PermissionDenied):
        sessions.unmute_participant(actor=colleague, session=session, user=teacher)
    assert sessions.unmute_participant(actor=moderator, session=session, user=teacher)
    assert not sessions.unmute_participant(actor=moderator, session=session, user=teacher)
    assert say(teacher, session, "I'm back").pk
    assert ModerationAction.objects.filter(action="unmute_in_session").count() == 1


def test_a_mute_is_for_this_session_only(session, space, moderator, teacher):
    sessions.mute_participant(actor=moderator, session=session, user=teacher)
    other = sessions.create_session(actor=moderator, sheet=sheet(space, title="Another"))
    sessions.control(actor=moderator, session=other, action="start")
    assert say(teacher, other, "Hello here").pk
    assert chat.send_message(actor=teacher, room=chat.room_for(space), body="And here")


def test_hosts_see_mute_and_unmute_on_participants_messages_only(
    client, session, moderator, cohost, teacher, colleague
):
    say(teacher, session, "Teacher's answer")
    say(colleague, session, "Colleague's answer")
    say(cohost, session, "Co-host's note")
    say(moderator, session, "Host's note")
    sessions.mute_participant(actor=moderator, session=session, user=colleague)
    html = page(client, moderator, session)
    mute = reverse("community:session-mute", args=[session.slug, "amira"])
    unmute = reverse("community:session-unmute", args=[session.slug, "tom"])
    assert html.count("Mute for this session") == 1 and mute in html
    assert html.count(">Unmute<") == 1 and unmute in html
    assert "Mute for this session" not in page(client, teacher, session)


def test_the_mute_buttons_post_and_return_to_the_room(client, session, moderator, teacher):
    say(teacher, session, "Hi")
    client.force_login(teacher)
    mute = reverse("community:session-mute", args=[session.slug, "amira"])
    assert client.post(mute).status_code == 403  # not a host (and it is herself)
    client.force_login(moderator)
    assert client.get(mute).status_code == 405
    response = client.post(mute)
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert SessionMute.objects.filter(user=teacher).exists()
    client.post(reverse("community:session-unmute", args=[session.slug, "amira"]))
    assert not SessionMute.objects.exists()
    nobody = reverse("community:session-mute", args=[session.slug, "nobody"])
    assert client.post(nobody).status_code == 404


# --- Replies ------------------------------------------------------------------------------


def test_a_reply_takes_its_parents_question_unless_the_sender_picks_one(
    session, moderator, teacher, colleague
):
    first = say(teacher, session, "A1: I wait for hands")
    sessions.release_next(actor=moderator, session=session)  # Q2 is now the latest
    reply = say(colleague, session, "Me too", reply_to=first.pk)
    assert (reply.reply_to, reply.question.number) == (first, 1)
    picked = say(colleague, session, "And for Q2", reply_to=first.pk, question=2)
    assert picked.question.number == 2
    plain = say(colleague, session, "Untagged")
    assert plain.question.number == 2 and plain.reply_to is None
    [event] = [e for e in streams.events_after(session.room.stream, 0) if e.get("id") == reply.pk]
    assert "↩ in reply to Amira Khan: A1: I wait for hands" in event["html"]
    assert f'href="#message-{first.pk}"' in event["html"]


@pytest.mark.parametrize("target", ["other_room", "hidden", "deleted", "missing", "text", "bool"])
def test_a_reply_to_a_message_not_here_is_refused_and_nothing_is_stored(
    session, space, teacher, colleague, moderator, target
):
    elsewhere, _ = chat.send_message(actor=colleague, room=chat.room_for(space), body="Else")
    parent = say(colleague, session, "Parent")
    if target == "hidden":
        chat.hide_message(actor=moderator, message=parent)
    if target == "deleted":
        chat.delete_message(actor=colleague, message=parent)
    reply_to = {
        "other_room": elsewhere.pk,
        "hidden": parent.pk,
        "deleted": parent.pk,
        "missing": parent.pk + 100,
        "text": str(parent.pk),
        "bool": True,
    }[target]
    before = ChatMessage.objects.count()
    with pytest.raises(ChatRefused) as refusal:
        say(teacher, session, "My reply", reply_to=reply_to)
    assert refusal.value.code == "bad_request"
    assert ChatMessage.objects.count() == before


def test_reply_works_without_javascript(client, session, teacher, colleague):
    parent = say(colleague, session, "Count to five")
    html = page(client, teacher, session, f"?reply={parent.pk}")
    assert "Replying to <strong data-replying-name>Tom Hughes</strong>" in html
    assert f'name="reply_to" value="{parent.pk}"' in html
    assert f'href="?reply={parent.pk}#composer"' in html
    client.post(session.get_absolute_url(), {"body": "Me too", "reply_to": parent.pk})
    reply = ChatMessage.objects.get(body="Me too")
    assert reply.reply_to == parent and reply.question.number == 1
    assert page(client, teacher, session).count("data-replying hidden") == 1  # no reply now


def test_the_archive_puts_each_reply_right_after_its_parent(session, moderator, teacher, colleague):
    first = say(teacher, session, "First answer")
    second = say(colleague, session, "Second answer")
    to_first = say(colleague, session, "On the first", reply_to=first.pk)
    to_reply = say(teacher, session, "On that", reply_to=to_first.pk)
    to_second = say(teacher, session, "On the second", reply_to=second.pk)
    later = say(moderator, session, "Third answer")
    [q1, *_] = queries.session_archive(session)["groups"]
    assert q1["answers"] == [first, to_first, to_reply, second, to_second, later]
    chat.toggle_pin(actor=moderator, message=second)  # highlights lead, replies follow them
    [q1, *_] = queries.session_archive(session)["groups"]
    assert q1["answers"] == [second, to_second, first, to_first, to_reply, later]
    sessions.control(actor=moderator, session=session, action="end")
    markdown = queries.archive_markdown(session, queries.session_archive(session))
    assert "- **Tom Hughes** (highlighted): Second answer\n  - **Amira Khan**: On the" in markdown


# --- Reactions ------------------------------------------------------------------------------


def test_one_reaction_of_each_kind_per_person_never_on_your_own(
    session, moderator, teacher, colleague, outsider
):
    message = say(teacher, session, "Wait three seconds")
    chat.react_to_message(actor=colleague, message=message, kind="helpful")
    chat.react_to_message(actor=colleague, message=message, kind="tried_it")
    with pytest.raises(ValidationError):
        chat.react_to_message(actor=colleague, message=message, kind="helpful")
    with pytest.raises(ValidationError):
        chat.react_to_message(actor=colleague, message=message, kind="love")
    with pytest.raises(PermissionDenied):
        chat.react_to_message(actor=teacher, message=message, kind="thanks")  # her own
    sessions.mute_participant(actor=moderator, session=session, user=outsider)
    with pytest.raises(PermissionDenied):
        chat.react_to_message(actor=outsider, message=message, kind="thanks")  # muted
    assert sorted(ChatReaction.objects.values_list("kind", flat=True)) == ["helpful", "tried_it"]
    assert chat.unreact_to_message(actor=colleague, message=message, kind="helpful")
    assert not chat.unreact_to_message(actor=colleague, message=message, kind="helpful")
    assert list(ChatReaction.objects.values_list("kind", flat=True)) == ["tried_it"]


def test_no_reactions_to_a_hidden_message_or_after_the_end(session, moderator, teacher, colleague):
    hidden = say(teacher, session, "Off topic")
    kept = say(teacher, session, "On topic")
    chat.hide_message(actor=moderator, message=hidden)
    with pytest.raises(PermissionDenied):
        chat.react_to_message(actor=colleague, message=hidden, kind="thanks")
    sessions.control(actor=moderator, session=session, action="end")
    kept.room.session.refresh_from_db()
    with pytest.raises(PermissionDenied):
        chat.react_to_message(actor=colleague, message=kept, kind="thanks")
    assert not ChatReaction.objects.exists()


def test_a_reaction_re_renders_the_message_for_the_room_with_its_counts(
    session, teacher, colleague, moderator
):
    message = say(teacher, session, "Try think-pair-share")
    chat.react_to_message(actor=colleague, message=message, kind="tried_it")
    chat.react_to_message(actor=moderator, message=message, kind="tried_it")
    event = streams.events_after(session.room.stream, 0)[-1]
    assert (event["kind"], event["id"]) == ("message.reacted", message.pk)
    assert 'data-kind="tried_it">Tried it in class <span class="count">2</span>' in event["html"]
    assert "Try think-pair-share" in event["html"] and "<form" not in event["html"]


def test_reacting_works_without_javascript(client, session, teacher, colleague):
    message = say(teacher, session, "Cold calling")
    client.force_login(colleague)
    url = reverse("community:chat-react", args=[message.pk])
    response = client.post(url, {"kind": "thanks"})
    assert response.status_code == 302 and response["Location"].endswith(f"#message-{message.pk}")
    html = page(client, colleague, session)
    assert 'aria-pressed="true" data-kind="thanks">Thanks <span class="count">1</span>' in html
    client.post(url, {"kind": "thanks", "action": "remove"})
    assert not ChatReaction.objects.exists()
    client.force_login(teacher)
    assert client.post(url, {"kind": "thanks"}).status_code == 403  # her own
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("size", [2, 12])
def test_the_room_page_costs_the_same_queries_however_many_replies_and_reactions(
    client, session, teacher, colleague, moderator, django_assert_num_queries, size
):
    for n in range(size):
        parent = say(colleague, session, f"Answer {n}")
        say(teacher, session, f"Reply {n}", reply_to=parent.pk)
        chat.react_to_message(actor=teacher, message=parent, kind="helpful")
        chat.react_to_message(actor=moderator, message=parent, kind="thanks")
        ChatMessage.objects.update(created_at=timezone.now() - timedelta(minutes=1))  # no pace
    client.force_login(teacher)
    with django_assert_num_queries(24):  # replies, reactions and the question picker, any size
        html = client.get(session.get_absolute_url()).content.decode()
    assert html.count("↩ in reply to Tom Hughes") == size
    assert html.count('<span class="count">1</span>') == 2 * size


# --- Answer-first mode ------------------------------------------------------------------------


@pytest.fixture
def answer_first(session):
    session.answer_first = True
    session.save(update_fields=["answer_first"])
    return session


def test_answer_first_collapses_others_answers_until_you_answer(
    client, answer_first, moderator, teacher, colleague, cohost
):
    session = answer_first
    say(colleague, session, "Tom's answer")
    say(colleague, session, "Tom again")
    say(cohost, session, "Cora's prompt")  # hosts' messages are never collapsed
    html = page(client, teacher, session)
    assert "2 answers to Q1: answer it to see them" in html
    assert html.count("hidden data-collapsed") == 2 and 'data-answered=""' in html
    assert "Cora's prompt" in html
    client.post(session.get_absolute_url(), {"body": "My answer", "client_id": "af1"})
    html = page(client, teacher, session)
    assert "answer it to see them" not in html and "data-collapsed" not in html
    assert 'data-answered="1"' in html
    # The host sees everything, all along.
    assert "answer it to see them" not in page(client, moderator, session)


def test_answer_first_catch_up_view_and_export_count_instead_of_showing(
    client, answer_first, moderator, teacher, colleague
):
    session = answer_first
    say(colleague, session, "Tom's answer to Q1")
    html = page(client, teacher, session, "?view=questions")
    assert "1 answer to Q1: answer it to see them" in html and "Tom's answer" not in html
    markdown = client.get(reverse("community:session-markdown", args=[session.slug]))
    text = markdown.content.decode()
    assert "1 answer: answer it to see them." in text and "Tom's answer" not in text
    # After the end, everybody sees everything.
    sessions.control(actor=moderator, session=session, action="end")
    html = page(client, teacher, session)
    assert "Tom's answer to Q1" in html and "answer it to see them" not in html


def test_without_answer_first_nothing_is_collapsed(client, session, teacher, colleague):
    say(colleague, session, "Tom's answer")
    html = page(client, teacher, session)
    assert "answer it to see them" not in html and "data-answer-first" not in html


def test_answer_first_withheld_is_per_question(answer_first, moderator, teacher, colleague):
    session = answer_first
    sessions.release_next(actor=moderator, session=session)
    q1, q2 = session.questions.order_by("number")[:2]
    say(teacher, session, "Mine to Q1", question=1)
    withheld = queries.answer_first_withheld(session, teacher, is_host=False)
    assert withheld == {q2.pk}
    assert queries.answer_first_withheld(session, moderator, is_host=True) is None
