"""The live layer under bad input and changing access (issue 13 items 1-4, issue 14): one
person's frame never fails another's send, access taken away leaves open sockets at
once, and what was deleted, hidden or edited is never served again."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.db import DataError

from community.models import ChatMessage, User
from community.services import chat, forum, moderation
from realtime import consumers, streams
from realtime.hub import get_hub
from tests.factories import make_space, make_user
from tests.test_live_socket import ORIGIN, connect, room_of_member, session_cookie_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def frames_until(communicator, wanted, timeout=3):
    """Frames up to and including the first whose type is `wanted` (heartbeats and
    presence skipped)."""
    seen = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        seen.append(frame)
        if frame["type"] == wanted:
            return seen


async def member_in_room(username="amira"):
    communicator, connected, _ = await connect(ORIGIN, await session_cookie_for(username))
    assert connected
    room = await room_of_member(username)
    stream = f"room:{room.pk}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    await communicator.receive_nothing(timeout=0.3)  # subscribed (an empty room says nothing)
    return communicator, room, stream


# --- Every field checked at the edge ---------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"reply_to": 2**64},
        {"reply_to": 2**63},
        {"question": 2**64},
        {"body": "a\x00b"},
        {"body": "lone \ud800 surrogate"},
        {"body": "bell \x07"},
        {"client_id": "c\x00"},
    ],
)
async def test_an_out_of_range_or_unstorable_field_is_the_senders_bad_request(change):
    communicator, room, stream = await member_in_room()
    frame = {"type": "send", "stream": stream, "client_id": "c1", "body": "hi", **change}
    # json.dumps escapes the lone surrogate, as a hostile client's JSON would carry it.
    await communicator.send_to(text_data=json.dumps(frame))
    reply = (await frames_until(communicator, "error"))[-1]
    assert reply["code"] == "bad_request"
    assert not await database_sync_to_async(ChatMessage.objects.exists)()
    await communicator.disconnect()


async def test_a_send_to_a_room_you_cannot_see_never_reaches_its_writer(monkeypatch):
    from realtime import writer

    async def must_not_write(*args):
        raise AssertionError("a send to an invisible room reached the room's writer")

    monkeypatch.setattr(writer, "send", must_not_write)
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for("amira"))
    private = await database_sync_to_async(
        lambda: chat.room_for(make_space(members=[make_user(username="tom")], kind="private"))
    )()
    frame = {"type": "send", "stream": f"room:{private.pk}", "client_id": "c", "body": "x"}
    await communicator.send_json_to({**frame, "reply_to": 2**64})
    assert (await communicator.receive_json_from())["code"] == "bad_request"
    await communicator.send_json_to(frame)
    assert (await communicator.receive_json_from())["code"] == "not_found"
    await communicator.disconnect()


@pytest.mark.parametrize("text", ["[" * 8000, '{"a":' * 8000, "[" * 100_000])
async def test_deeply_nested_json_gets_an_error_frame_not_a_crash(text):
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    await communicator.send_to(text_data=text)
    assert (await communicator.receive_json_from())["code"] == "bad_request"
    await communicator.send_to(text_data='{"type": "ping"}')  # still up
    assert (await communicator.receive_json_from())["code"] == "bad_request"
    await communicator.disconnect()


@pytest.mark.parametrize("name", ["room:5\n", "room:05", "room:0", " room:5", "room:5 "])
async def test_a_stream_name_must_match_exactly(name):
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    await communicator.send_json_to({"type": "subscribe", "stream": name, "after": 0})
    assert (await communicator.receive_json_from())["code"] == "not_found"
    await communicator.disconnect()


@pytest.mark.parametrize(
    "origin",
    [b"https://127.0.0.1:8000", b"http://127.0.0.1:8001", b"http://127.0.0.1:8000.evil.example"],
)
async def test_the_origin_must_match_scheme_and_host(origin):
    _, connected, _ = await connect((b"origin", origin), await session_cookie_for())
    assert not connected


async def test_a_person_may_hold_a_bounded_number_of_sockets(monkeypatch):
    from realtime import hub as hub_module

    monkeypatch.setattr(hub_module, "MAX_SOCKETS_PER_USER", 2)
    cookie = await session_cookie_for()
    first, second = [(await connect(ORIGIN, cookie))[0] for _ in range(2)]
    third, connected, _ = await connect(ORIGIN, cookie)
    assert connected and (await third.receive_output())["code"] == consumers.CLOSE_TOO_MANY
    await first.disconnect()  # a slot comes free when a socket goes
    fourth, _, _ = await connect(ORIGIN, cookie)
    assert await fourth.receive_nothing(timeout=0.2)
    for communicator in (second, fourth):
        await communicator.disconnect()


# --- One send cannot fail another --------------------------------------------------------


async def test_a_send_the_database_fails_gets_a_retryable_error_and_the_socket_stays(
    monkeypatch,
):
    from realtime import writer

    async def database_down(*args):
        raise DataError("terminating connection due to administrator command")

    communicator, room, stream = await member_in_room()
    monkeypatch.setattr(writer, "send", database_down)
    await communicator.send_json_to(
        {"type": "send", "stream": stream, "client_id": "c1", "body": "hi"}
    )
    reply = (await frames_until(communicator, "error"))[-1]
    assert reply["code"] == "unavailable" and reply["client_id"] == "c1"
    await communicator.send_json_to({"type": "ping"})
    assert (await frames_until(communicator, "error"))[-1]["code"] == "bad_request"
    await communicator.disconnect()


# --- Access taken away is taken away from open sockets --------------------------------


async def test_a_member_removed_from_a_private_space_loses_its_room_at_once():
    communicator, room, stream = await member_in_room()

    @database_sync_to_async
    def remove_and_chat():
        from datetime import timedelta

        from django.utils import timezone

        amira = User.objects.get(username="amira")
        moderator = make_user(username="mo")
        space = room.space
        space.memberships.create(user=moderator, role="moderator")
        space.kind = "private"
        space.save(update_fields=["kind"])
        until = timezone.now() + timedelta(days=7)
        moderation.remove_member(
            actor=moderator, space=space, user=amira, until=until, reason="Testing"
        )
        chat.send_message(actor=moderator, room=room, body="after the removal", client_id="m")

    await remove_and_chat()
    seen = await frames_until(communicator, "revoked")
    assert seen[-1] == {"type": "revoked", "stream": stream}
    # Nothing of the room reaches the socket any more.
    await asyncio.sleep(0.3)
    while not await communicator.receive_nothing(timeout=0.3):
        frame = await communicator.receive_json_from()
        assert frame["type"] not in {"events", "presence"}, frame
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    assert (await frames_until(communicator, "error"))[-1]["code"] == "not_found"
    await communicator.disconnect()


async def test_logging_out_closes_that_sessions_sockets_and_only_those():
    from django.contrib.auth.signals import user_logged_out

    cookie = await session_cookie_for()
    other_device = await database_sync_to_async(
        lambda: _session_of(User.objects.get(username="amira"))
    )()
    here, _, _ = await connect(ORIGIN, cookie)
    there, _, _ = await connect(ORIGIN, other_device)
    key = cookie[1].decode().split("=", 1)[1]

    @database_sync_to_async
    def log_out():
        class Request:
            session = SessionStore(key)

        user_logged_out.send(User, request=Request, user=User.objects.get(username="amira"))
        Request.session.flush()

    await log_out()
    assert (await here.receive_output(timeout=3))["code"] == consumers.CLOSE_UNAUTHENTICATED
    assert await there.receive_nothing(timeout=0.5)  # the other device stays signed in
    await there.disconnect()


async def test_a_new_password_closes_the_other_sessions_sockets():
    cookie = await session_cookie_for()
    communicator, _, _ = await connect(ORIGIN, cookie)

    @database_sync_to_async
    def change_password():
        amira = User.objects.get(username="amira")
        amira.set_password("a new secret phrase")
        amira.save()

    await change_password()
    assert (await communicator.receive_output(timeout=3))["code"] == 4401


async def test_a_socket_whose_session_ended_without_a_signal_is_closed_on_recheck():
    cookie = await session_cookie_for()
    key = cookie[1].decode().split("=", 1)[1]
    communicator, _, _ = await connect(ORIGIN, cookie)
    await database_sync_to_async(SessionStore(key).delete)()
    # Without any signal (a session expired or deleted by hand): the hub's recheck on
    # the person finds it gone.
    amira = await database_sync_to_async(User.objects.get)(username="amira")
    get_hub().revoke([amira.pk], [])
    assert (await communicator.receive_output(timeout=3))["code"] == 4401


def _session_of(user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


async def test_a_deleted_thread_leaves_its_readers_sockets():
    from tests.test_live_socket import thread_with_replies

    thread, author = await thread_with_replies(0)
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    stream = f"thread:{thread.pk}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    await communicator.receive_nothing(timeout=0.2)

    @database_sync_to_async
    def delete_opening_post():
        forum.delete_post(actor=author, post=thread.posts.get(number=1))

    await delete_opening_post()
    assert (await frames_until(communicator, "revoked"))[-1]["stream"] == stream
    await communicator.disconnect()


# --- Deleted, hidden and edited words are never served again -------------------------


@pytest.mark.parametrize("change", ["edit", "delete", "hide"])
async def test_the_log_forgets_what_was_edited_deleted_or_hidden(change):
    @database_sync_to_async
    def say_then_change():
        amira = make_user(username="amira")
        tom = make_user(username="tom")
        space = make_space(members=[amira, tom])
        space.memberships.filter(user=tom).update(role="moderator")
        room = chat.room_for(space)
        message, _ = chat.send_message(
            actor=amira, room=room, body="my secret words", client_id="s"
        )
        chat.send_message(actor=tom, room=room, body="a reply", client_id="r", reply_to=message.pk)
        if change == "edit":
            chat.edit_message(actor=amira, message=message, body="better words")
        elif change == "delete":
            chat.delete_message(actor=amira, message=message)
        else:
            chat.hide_message(actor=tom, message=message)
        return room, amira

    room, amira = await say_then_change()
    log = await database_sync_to_async(streams.events_after)(room.stream, 0)
    assert "secret" not in json.dumps(log)  # the reply's quote of it included
    communicator, _, _ = await connect(ORIGIN, await database_sync_to_async(_session_of)(amira))
    await communicator.send_json_to({"type": "subscribe", "stream": room.stream, "after": 0})
    frame = (await frames_until(communicator, "events"))[-1]
    assert "secret" not in json.dumps(frame)
    await communicator.disconnect()
    if change == "delete":
        message = await database_sync_to_async(ChatMessage.objects.get)(client_id="s")
        assert message.body == "" and message.body_html == ""


# --- No silent sockets, no dead listeners (issue 14) ---------------------------------


async def test_a_catch_up_the_database_keeps_failing_closes_the_socket_to_resume(monkeypatch):
    """The bug: the failed read ended the sender task and nothing noticed; the socket
    stayed open, heartbeats went on, and nothing more was ever delivered."""
    monkeypatch.setattr(consumers.LiveConsumer, "catch_up", staticmethod(_database_gone))
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    room = await room_of_member()
    await communicator.send_json_to({"type": "subscribe", "stream": f"room:{room.pk}"})
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close" and output["code"] == consumers.CLOSE_TRY_AGAIN


async def test_a_catch_up_that_fails_once_is_tried_again_and_delivers(monkeypatch):
    real, failures = consumers.LiveConsumer.catch_up, [1]

    def flaky(stream, last):
        if failures:
            failures.pop()
            _database_gone(stream, last)
        return real(stream, last)

    monkeypatch.setattr(consumers.LiveConsumer, "catch_up", staticmethod(flaky))
    communicator, room, stream = await member_in_room()
    await database_sync_to_async(
        lambda: chat.send_message(
            actor=User.objects.get(username="amira"), room=room, body="hello", client_id="h"
        )
    )()
    events = (await frames_until(communicator, "events"))[-1]["events"]
    assert [e["kind"] for e in events] == ["message.new"]
    await communicator.disconnect()


def _database_gone(stream, last):
    from django.db import OperationalError

    raise OperationalError("terminating connection due to administrator command")


async def test_the_heartbeat_carries_the_streams_real_head_and_catches_up(monkeypatch):
    """A socket whose fast path missed an event hears the real head in its heartbeat
    (so live.js can repair), and the server sends it the missing event itself."""
    monkeypatch.setattr(consumers.LiveConsumer, "heartbeat_seconds", 0.2)
    communicator, room, stream = await member_in_room()

    @database_sync_to_async
    def store_without_publishing():
        from realtime import publish

        real = publish.events
        publish.events = lambda *args: None  # the fast path drops it
        try:
            chat.send_message(
                actor=User.objects.get(username="amira"), room=room, body="lost?", client_id="l"
            )
        finally:
            publish.events = real
        return streams.head(room.stream)

    head = await store_without_publishing()
    get_hub().heads[stream] = head  # what the hub's periodic head check reads
    seen = await frames_until(communicator, "events")
    beats = [f for f in seen if f["type"] == "hb"]
    assert beats and beats[-1]["heads"][stream] == head
    assert seen[-1]["events"][-1]["seq"] == head
    await communicator.disconnect()


async def test_a_connection_that_crashes_is_cleaned_up(monkeypatch):
    """The bug: daphne closed a raising consumer with 1011 and disconnect() never ran, so
    the hub kept the dead listener and its presence row was refreshed for ever."""
    from realtime.models import Presence

    communicator, room, stream = await member_in_room()
    assert await database_sync_to_async(Presence.objects.filter(stream=stream).count)() == 1

    async def crash(self, text_data=None, bytes_data=None):
        raise RuntimeError("a bug in the consumer")

    monkeypatch.setattr(consumers.LiveConsumer, "receive", crash)
    await communicator.send_to(text_data="{}")
    with pytest.raises(RuntimeError):
        await communicator.wait(timeout=2)
    assert stream not in get_hub().listeners
    assert not get_hub().connections
    assert not await database_sync_to_async(Presence.objects.filter(stream=stream).exists)()


async def test_a_reader_that_stays_backed_up_is_closed_by_us_with_4008(monkeypatch):
    """Not by daphne's keepalive 50 s later with 1006 and no reason."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from realtime.server import BACKLOG
    from tests.test_live_socket import HOST

    monkeypatch.setattr(consumers, "SLOW_SECONDS", 0.2)
    monkeypatch.setattr(consumers, "DRAIN_POLL", 0.01)
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[HOST, ORIGIN, await session_cookie_for()]
    )
    communicator.scope["extensions"] = {BACKLOG: lambda: consumers.HIGH_WATER + 1}
    assert (await communicator.connect())[0]
    room = await room_of_member()
    await communicator.send_json_to({"type": "subscribe", "stream": f"room:{room.pk}"})
    output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close" and output["code"] == consumers.CLOSE_TOO_SLOW


async def test_an_erased_account_loses_its_open_sockets():
    from community.services import personal_data

    communicator, _, _ = await member_in_room()

    @database_sync_to_async
    def erase():
        amira = User.objects.get(username="amira")
        personal_data.erase_account(actor=amira, user=amira)

    await erase()
    assert (await communicator.receive_output(timeout=3))["code"] == 4401
