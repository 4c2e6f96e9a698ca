"""Space chat rooms: who may chat, idempotent sends, pacing, edits, deletes and hides."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from community.models import ChatMessage, ModerationAction
from community.services import chat
from community.services.chat import ChatRefused
from realtime import streams


@pytest.fixture
def room(space):
    return chat.room_for(space)


def test_every_space_has_one_room(space):
    assert chat.room_for(space) == chat.room_for(space)


def test_a_message_is_rendered_stored_and_streamed(room, teacher):
    message, seq = chat.send_message(actor=teacher, room=room, body="Hello **all**", client_id="c1")
    assert message.body_html == "<p>Hello <strong>all</strong></p>"
    [event] = streams.events_after(room.stream, 0)
    assert event["seq"] == seq == 1 and event["kind"] == "message.new"
    assert f'id="message-{message.pk}"' in event["html"] and event["client_id"] == "c1"


def test_the_same_client_id_never_makes_a_second_message(room, teacher, colleague):
    first, seq = chat.send_message(actor=teacher, room=room, body="once", client_id="abc")
    again, seq_again = chat.send_message(actor=teacher, room=room, body="once", client_id="abc")
    assert (again, seq_again) == (first, seq)
    with pytest.raises(ChatRefused) as refusal:
        chat.send_message(actor=colleague, room=room, body="mine?", client_id="abc")
    assert refusal.value.code == "bad_request"
    assert ChatMessage.objects.count() == 1


@pytest.mark.parametrize(
    "body, code", [("", "bad_request"), ("  ", "bad_request"), ("x" * 1001, "too_long")]
)
def test_bad_messages_are_refused_and_nothing_is_saved(room, teacher, body, code):
    with pytest.raises(ChatRefused) as refusal:
        chat.send_message(actor=teacher, room=room, body=body)
    assert refusal.value.code == code
    assert not ChatMessage.objects.exists() and streams.head(room.stream) == 0


def test_non_members_and_muted_members_may_not_chat(room, outsider, colleague, space):
    with pytest.raises(ChatRefused) as refusal:
        chat.send_message(actor=outsider, room=room, body="hi")
    assert refusal.value.code == "not_allowed"
    space.memberships.filter(user=colleague).update(
        muted_until=timezone.now() + dt.timedelta(hours=1)
    )
    with pytest.raises(ChatRefused):
        chat.send_message(actor=colleague, room=room, body="hi")


def test_a_burst_of_five_then_one_every_two_seconds(room, teacher):
    for n in range(chat.BURST):
        chat.send_message(actor=teacher, room=room, body=f"quick {n}")
    with pytest.raises(ChatRefused) as refusal:
        chat.send_message(actor=teacher, room=room, body="too quick")
    assert refusal.value.code == "rate_limited"
    ChatMessage.objects.update(created_at=timezone.now() - dt.timedelta(seconds=3))
    chat.send_message(actor=teacher, room=room, body="paced")


def test_edit_own_within_five_minutes_only(room, teacher, colleague):
    message, _ = chat.send_message(actor=teacher, room=room, body="typo")
    with pytest.raises(PermissionDenied):
        chat.edit_message(actor=colleague, message=message, body="not yours")
    chat.edit_message(actor=teacher, message=message, body="fixed")
    assert streams.events_after(room.stream, 1)[0]["kind"] == "message.edited"
    ChatMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=6))
    message.refresh_from_db()
    with pytest.raises(PermissionDenied):
        chat.edit_message(actor=teacher, message=message, body="too late")


def test_delete_own_and_moderators_hide(room, teacher, colleague, moderator):
    mine, _ = chat.send_message(actor=teacher, room=room, body="oops")
    with pytest.raises(PermissionDenied):
        chat.delete_message(actor=colleague, message=mine)
    chat.delete_message(actor=teacher, message=mine)
    theirs, _ = chat.send_message(actor=colleague, room=room, body="unkind words")
    with pytest.raises(PermissionDenied):
        chat.hide_message(actor=teacher, message=theirs)
    chat.hide_message(actor=moderator, message=theirs, reason="Be kind")
    assert ModerationAction.objects.get().action == "hide_message"
    kinds = [e["kind"] for e in streams.events_after(room.stream, 0)]
    assert kinds == ["message.new", "message.deleted", "message.new", "message.hidden"]


def test_the_room_page_shows_the_last_100_and_loads_earlier(teacher_client, room, teacher, space):
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, author=teacher, body=f"m{n}", body_html=f"<p>m{n}</p>")
        for n in range(130)
    )
    page = teacher_client.get(reverse("community:chat", args=[space.slug]))
    shown = [m.body for m in page.context["chat_messages"]]
    assert shown[0] == "m30" and shown[-1] == "m129" and len(shown) == 100
    earlier = teacher_client.get(
        reverse("community:chat", args=[space.slug]), {"before": page.context["earlier"]}
    )
    assert [m.body for m in earlier.context["chat_messages"]][-1] == "m29"
    assert "Jump to latest" in earlier.content.decode()


def test_the_room_works_without_javascript(teacher_client, space):
    url = reverse("community:chat", args=[space.slug])
    response = teacher_client.post(url, {"body": "Posted by a plain form", "client_id": "f1"})
    assert response["Location"] == url
    assert "Posted by a plain form" in teacher_client.get(url).content.decode()
    response = teacher_client.post(url, {"body": "x" * 1001})
    assert "at most 1000 characters" in response.content.decode()


def test_slow_mode_paces_members_but_not_moderators(client, room, teacher, moderator, space):
    client.force_login(moderator)
    client.post(reverse("community:chat-slow-mode", args=[space.slug]), {"seconds": "30"})
    room.refresh_from_db()
    assert room.slow_mode_seconds == 30
    assert streams.events_after(room.stream, 0)[-1]["kind"] == "room.slow_mode"
    chat.send_message(actor=teacher, room=room, body="one")
    with pytest.raises(ChatRefused, match="Slow mode is on"):
        chat.send_message(actor=teacher, room=room, body="two")
    from community.models import Membership

    Membership.objects.get_or_create(space=space, user=moderator)
    chat.send_message(actor=moderator, room=room, body="moderators may")
    chat.send_message(actor=moderator, room=room, body="keep talking")


def test_only_moderators_set_slow_mode_and_only_to_an_offered_interval(
    client, room, teacher, moderator, space
):
    url = reverse("community:chat-slow-mode", args=[space.slug])
    client.force_login(teacher)
    assert client.post(url, {"seconds": "30"}).status_code == 403
    client.force_login(moderator)
    response = client.post(url, {"seconds": "7"}, follow=True)
    assert "Choose one of the offered intervals" in response.content.decode()
    room.refresh_from_db()
    assert room.slow_mode_seconds == 0


def test_a_flooded_room_refuses_more(room, teacher, monkeypatch):
    monkeypatch.setattr(chat, "ROOM_CAP", 3)
    for n in range(3):
        chat.send_message(actor=teacher, room=room, body=f"m{n}")
    # Three seconds ago: past the person's own pace, within the room's ten seconds.
    ChatMessage.objects.update(created_at=timezone.now() - dt.timedelta(seconds=3))
    with pytest.raises(ChatRefused, match="very busy"):
        chat.send_message(actor=teacher, room=room, body="one more")


def test_the_room_page_counts_the_viewer_as_here(teacher_client, space):
    body = teacher_client.get(reverse("community:chat", args=[space.slug])).content.decode()
    assert "1 here now: Amira Khan" in body


def test_a_batch_is_sent_in_order_by_the_same_rules_as_one_at_a_time(
    room, teacher, colleague, outsider, django_assert_max_num_queries
):
    earlier, earlier_seq = chat.send_message(actor=teacher, room=room, body="first", client_id="e")
    sends = [
        (colleague, "one", "a"),
        (outsider, "not a member", "b"),
        (teacher, "first", "e"),  # a resend: the same message and number
        (colleague, "", "c"),
        (teacher, "two", "d"),
        (colleague, "one", "a"),  # a resend within the batch
        (teacher, "mine?", "a"),  # someone else's client_id
    ]
    with django_assert_max_num_queries(12):  # not one transaction per message
        results = chat.send_messages(room=room, sends=sends)
    one, refused, resent, empty, two, again, foreign = results
    assert one[1] == 2 and two[1] == 3 and one[0].body == "one" and two[0].body == "two"
    assert (refused.code, empty.code, foreign.code) == ("not_allowed", "bad_request", "bad_request")
    assert resent == (earlier, earlier_seq) and again == one
    assert [e["client_id"] for e in streams.events_after(room.stream, 0)] == ["e", "a", "d"]
    assert ChatMessage.objects.count() == 3


def test_a_batch_counts_its_own_messages_against_the_pace(room, teacher):
    results = chat.send_messages(room=room, sends=[(teacher, f"m{i}", f"c{i}") for i in range(6)])
    assert all(isinstance(r, tuple) for r in results[:5])
    assert results[5].code == "rate_limited"
    assert streams.head(room.stream) == 5


def test_a_batch_that_meets_a_client_id_stored_meanwhile_is_sent_one_by_one(
    room, teacher, colleague, monkeypatch
):
    stored = chat.send_message(actor=teacher, room=room, body="stored elsewhere", client_id="x")
    monkeypatch.setattr(chat.ChatMessage.objects, "filter", _blind_to_client_ids(monkeypatch))
    results = chat.send_messages(
        room=room, sends=[(colleague, "hello", "y"), (teacher, "stored elsewhere", "x")]
    )
    assert results[0][1] == 2 and results[1] == stored  # the resend gets its first ack
    assert ChatMessage.objects.count() == 2 and streams.head(room.stream) == 2


def _blind_to_client_ids(monkeypatch):
    """ChatMessage.objects.filter that misses earlier client_ids once (as if another
    process stored one between our look and our insert)."""
    real = chat.ChatMessage.objects.filter
    calls = []

    def blind(*args, **kwargs):
        if "client_id__in" in kwargs and not calls:
            calls.append(1)
            return real(pk__in=[])
        return real(*args, **kwargs)

    return blind


def test_moderators_close_a_room_members_read_it_and_it_reopens(
    client, room, teacher, moderator, space
):
    from community.models import Membership

    Membership.objects.get_or_create(space=space, user=moderator)
    earlier, _ = chat.send_message(actor=teacher, room=room, body="before closing")
    url = reverse("community:chat-close", args=[space.slug])
    client.force_login(teacher)
    assert client.post(url, {"closed": "1"}).status_code == 403
    client.force_login(moderator)
    client.post(url, {"closed": "1"})
    room.refresh_from_db()
    assert room.closed_at is not None
    event = streams.events_after(room.stream, 0)[-1]
    assert event["kind"] == "room.closed" and event["closed"] and "closed" in event["notice"]
    assert ModerationAction.objects.filter(action="close_room", actor=moderator).exists()
    with pytest.raises(ChatRefused) as refusal:
        chat.send_message(actor=teacher, room=room, body="hello?", client_id="q")
    assert refusal.value.code == "closed"
    assert not ChatMessage.objects.filter(client_id="q").exists()
    chat.send_message(actor=moderator, room=room, body="Back at four.")  # moderators still may
    with pytest.raises(PermissionDenied):  # nor edit what they sent before
        chat.edit_message(actor=teacher, message=earlier, body="edited while closed")

    client.force_login(teacher)
    page = client.get(room.get_absolute_url()).content.decode()
    assert "Moderators have closed this room" in page
    assert "data-chat-form novalidate hidden" in page and "Close the room" not in page
    response = client.post(room.get_absolute_url(), {"body": "via the form", "client_id": "f"})
    assert "Moderators have closed this room for now." in response.content.decode()

    client.force_login(moderator)
    assert "Reopen the room" in client.get(room.get_absolute_url()).content.decode()
    client.post(url, {"closed": "0"})
    room.refresh_from_db()
    assert room.closed_at is None
    assert streams.events_after(room.stream, 0)[-1]["kind"] == "room.reopened"
    chat.send_message(actor=teacher, room=room, body="hello again")
