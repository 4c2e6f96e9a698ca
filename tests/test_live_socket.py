"""/ws/live/: who may connect, and how malformed frames are answered (docs/realtime.md)."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from config.asgi import application
from realtime.consumers import LiveConsumer
from tests.factories import make_user

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
HOST = (b"host", b"127.0.0.1:8000")


@database_sync_to_async
def session_cookie_for(username="amira", active=True):
    user = make_user(username=username)
    if not active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


async def connect(*headers):
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=[HOST, *headers])
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_connection_is_closed_with_4401():
    communicator, connected, _ = await connect(ORIGIN)
    assert connected  # accepted, then closed: the code tells the client to sign in
    assert (await communicator.receive_output())["code"] == 4401


async def test_foreign_origin_is_refused():
    cookie = await session_cookie_for()
    communicator, connected, _ = await connect((b"origin", b"https://evil.example"), cookie)
    assert not connected


async def test_deactivated_account_is_closed_with_4401():
    cookie = await session_cookie_for(active=False)
    communicator, _, _ = await connect(ORIGIN, cookie)
    assert (await communicator.receive_output())["code"] == 4401


@pytest.mark.parametrize(
    "frame, code",
    [
        ("not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        ('{"no": "type"}', "bad_request"),
        ('{"type": "dance"}', "bad_request"),
        ('{"type": "subscribe"}', "bad_request"),
        ('{"type": "subscribe", "stream": "room:7", "after": 0}', "not_found"),
        ('{"type": "send", "stream": "room:7", "client_id": "c1", "body": "hi"}', "not_found"),
        ("x" * 20_000, "bad_request"),
    ],
)
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_up(frame, code):
    communicator, connected, _ = await connect(ORIGIN, await session_cookie_for())
    assert connected
    await communicator.send_to(text_data=frame)
    reply = await communicator.receive_json_from()
    assert reply["type"] == "error" and reply["code"] == code
    assert "Traceback" not in reply["detail"]
    # Still up: the next frame is answered too.
    await communicator.send_to(text_data='{"type": "unsubscribe", "stream": "room:7"}')
    await communicator.send_to(text_data='{"type": "ping"}')
    assert (await communicator.receive_json_from())["code"] == "bad_request"
    await communicator.disconnect()


async def test_errors_echo_the_client_id_of_a_send():
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    await communicator.send_to(
        text_data=json.dumps(
            {"type": "send", "stream": "room:1", "client_id": "abc-123", "body": "hello"}
        )
    )
    reply = await communicator.receive_json_from()
    assert reply["client_id"] == "abc-123" and reply["stream"] == "room:1"
    await communicator.disconnect()


async def test_heartbeat_arrives(monkeypatch):
    monkeypatch.setattr(LiveConsumer, "heartbeat_seconds", 0.05)
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    assert await communicator.receive_json_from(timeout=2) == {"type": "hb", "heads": {}}
    await communicator.disconnect()


# --- Streams: subscribe, replay, live, resume ---------------------------------------------


@database_sync_to_async
def thread_with_replies(replies: int):
    """A network-space thread the socket's user can read, with `replies` replies (events)."""
    import datetime as dt

    from django.utils import timezone

    from community.models import User
    from community.services import forum
    from tests.factories import make_space, make_thread

    author = make_user(username="tom")
    User.objects.update(date_joined=timezone.now() - dt.timedelta(days=30))
    author.refresh_from_db()
    thread = make_thread(space=make_space(members=[author]), author=author)
    for n in range(replies):
        forum.post_reply(actor=author, thread=thread, body=f"reply {n}")
    return thread, author


@database_sync_to_async
def reply(thread, author, body="live!"):
    from community.services import forum

    return forum.post_reply(actor=author, thread=thread, body=body)


async def subscribed(stream, after=0, username="amira"):
    communicator, connected, _ = await connect(ORIGIN, await session_cookie_for(username))
    assert connected
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": after})
    return communicator


async def test_subscribe_replays_the_log_then_streams_live_events():
    thread, author = await thread_with_replies(2)
    stream = f"thread:{thread.pk}"
    communicator = await subscribed(stream)
    frame = await communicator.receive_json_from()
    assert frame["type"] == "events" and frame["stream"] == stream
    assert [e["seq"] for e in frame["events"]] == [1, 2]
    post = await reply(thread, author)
    frame = await communicator.receive_json_from(timeout=2)
    assert [(e["seq"], e["kind"], e["post"]) for e in frame["events"]] == [(3, "post.new", post.pk)]
    await communicator.disconnect()


async def test_resuming_after_a_seq_sends_only_what_was_missed():
    thread, _ = await thread_with_replies(3)
    communicator = await subscribed(f"thread:{thread.pk}", after=2)
    frame = await communicator.receive_json_from()
    assert [e["seq"] for e in frame["events"]] == [3]
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_a_client_ahead_of_the_log_is_told_to_reset():
    thread, _ = await thread_with_replies(1)
    communicator = await subscribed(f"thread:{thread.pk}", after=10**15)
    assert await communicator.receive_json_from() == {
        "type": "reset",
        "stream": f"thread:{thread.pk}",
        "head": 1,
    }
    await communicator.disconnect()


@pytest.mark.parametrize("after", [-1, "5", True, 1.5, [], {}])
async def test_after_must_be_a_whole_number(after):
    thread, _ = await thread_with_replies(0)
    communicator = await subscribed(f"thread:{thread.pk}", after=after)
    reply_frame = await communicator.receive_json_from()
    assert reply_frame["code"] == "bad_request"
    await communicator.disconnect()


async def test_a_thread_you_may_not_see_is_not_found():
    @database_sync_to_async
    def secret_thread():
        from tests.factories import make_space, make_thread

        owner = make_user(username="owner")
        return make_thread(space=make_space(kind="private", members=[owner]), author=owner)

    thread = await secret_thread()
    communicator = await subscribed(f"thread:{thread.pk}")
    assert (await communicator.receive_json_from())["code"] == "not_found"
    await communicator.disconnect()


async def test_the_personal_stream_carries_my_notifications():
    thread, author = await thread_with_replies(0)

    @database_sync_to_async
    def follow(user_pk):
        from community.models import Follow

        Follow.objects.create(user_id=user_pk, thread=thread)

    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    await communicator.send_json_to({"type": "subscribe", "stream": "user", "after": 0})
    from community.models import User

    me = await database_sync_to_async(User.objects.get)(username="amira")
    await follow(me.pk)
    await reply(thread, author)
    frame = await communicator.receive_json_from(timeout=2)
    assert frame["stream"] == "user"
    assert frame["events"][0]["kind"] == "notification.new"
    await communicator.disconnect()


async def test_duplicates_are_dropped_and_gaps_filled_from_the_log(monkeypatch):
    from realtime import publish
    from realtime.hub import get_hub

    thread, author = await thread_with_replies(1)
    stream = f"thread:{thread.pk}"
    communicator = await subscribed(stream)
    assert [e["seq"] for e in (await communicator.receive_json_from())["events"]] == [1]
    hub = get_hub()
    hub._dispatch(stream, [{"seq": 1, "kind": "post.new"}])  # a duplicate: dropped
    assert await communicator.receive_nothing(timeout=0.2)
    # Two events the fast path loses, then one it delivers: the gap is filled from the log.
    monkeypatch.setattr(publish, "events", lambda stream, frames: None)
    await reply(thread, author, "lost 1")
    await reply(thread, author, "lost 2")
    hub._dispatch(stream, [{"seq": 3, "kind": "post.new"}])
    frame = await communicator.receive_json_from(timeout=2)
    assert [e["seq"] for e in frame["events"]] == [2, 3]
    await communicator.disconnect()


async def test_a_gap_the_fast_path_left_is_read_from_the_log_once_for_all_listeners(
    monkeypatch,
):
    from realtime import hub as hub_module
    from realtime import publish, streams
    from realtime.hub import get_hub

    monkeypatch.setattr(hub_module, "GAP_WAIT", 0.05)
    thread, author = await thread_with_replies(1)
    stream = f"thread:{thread.pk}"
    readers = [await subscribed(stream, username=name) for name in ("amira", "bea", "cy")]
    for reader in readers:
        assert [e["seq"] for e in (await reader.receive_json_from())["events"]] == [1]
    hub = get_hub()
    hub._dispatch(stream, [{"seq": 1, "kind": "post.new"}])  # the hub now knows 1 went out
    reads = []
    real_events_after = streams.events_after
    monkeypatch.setattr(
        streams, "events_after", lambda *a, **k: reads.append(a) or real_events_after(*a, **k)
    )
    monkeypatch.setattr(publish, "events", lambda stream, frames: None)
    await reply(thread, author, "lost on the way")  # seq 2 never reaches the hub
    hub._dispatch(stream, [{"seq": 3, "kind": "post.new"}])
    for reader in readers:
        frame = await reader.receive_json_from(timeout=2)
        assert [e["seq"] for e in frame["events"]] == [2, 3]
        await reader.disconnect()
    assert len(reads) == 1  # one read of the log, not one per listener


async def listening(monkeypatch, tick):
    """A reader subscribed to a new thread, with the hub's tick set: (socket, stream, hub)."""
    from realtime import hub as hub_module

    monkeypatch.setattr(hub_module, "TICK", tick)
    thread, _ = await thread_with_replies(0)
    stream = f"thread:{thread.pk}"
    communicator = await subscribed(stream)
    await communicator.receive_nothing(timeout=0.1)
    return communicator, stream, hub_module.get_hub()


async def test_a_client_that_cannot_keep_up_is_closed_and_may_resume(monkeypatch):
    from realtime import consumers

    monkeypatch.setattr(consumers, "MAX_QUEUE", 2)
    communicator, stream, hub = await listening(monkeypatch, tick=0)  # one frame per event
    for seq in range(1, 6):
        hub._dispatch(stream, [{"seq": seq, "kind": "post.new"}])
    output = await communicator.receive_output(timeout=2)
    while output["type"] != "websocket.close":
        output = await communicator.receive_output(timeout=2)
    assert output["code"] == consumers.CLOSE_TOO_SLOW


async def test_a_backed_up_socket_holds_events_back_merged_then_is_cut_off(monkeypatch):
    """Under realtime.server the consumer sees how much the socket holds unsent: it waits
    while that is high (events merge into one frame), and a reader that never catches up
    overflows the bounded queue and is closed, instead of growing the server's memory."""
    import asyncio

    from realtime import consumers
    from realtime import hub as hub_module
    from realtime.hub import get_hub
    from realtime.server import BACKLOG

    monkeypatch.setattr(hub_module, "TICK", 0)
    monkeypatch.setattr(consumers, "DRAIN_POLL", 0.01)
    monkeypatch.setattr(consumers, "MAX_QUEUE", 5)
    thread, _ = await thread_with_replies(0)
    stream = f"thread:{thread.pk}"
    held = [0]
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[HOST, ORIGIN, await session_cookie_for()]
    )
    communicator.scope["extensions"] = {BACKLOG: lambda: held[0]}
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    await communicator.receive_nothing(timeout=0.1)
    hub = get_hub()

    held[0] = consumers.HIGH_WATER + 1  # the client stops reading
    for seq in (1, 2, 3):
        hub._dispatch(stream, [{"seq": seq, "kind": "post.new"}])
        await asyncio.sleep(0.03)
    assert await communicator.receive_nothing(timeout=0.1)
    held[0] = 0  # it reads again: what piled up goes out as one frame
    frame = await communicator.receive_json_from(timeout=2)
    assert [e["seq"] for e in frame["events"]] == [1, 2, 3]

    held[0] = consumers.HIGH_WATER + 1  # and now it never comes back
    for seq in range(4, 12):
        hub._dispatch(stream, [{"seq": seq, "kind": "post.new"}])
        await asyncio.sleep(0.03)
    output = await communicator.receive_output(timeout=2)
    assert output["type"] == "websocket.close" and output["code"] == consumers.CLOSE_TOO_SLOW


async def test_a_busy_stream_goes_out_once_per_tick_and_a_quiet_one_at_once(monkeypatch):
    import asyncio

    communicator, stream, hub = await listening(monkeypatch, tick=0.3)
    hub._dispatch(stream, [{"seq": 1, "kind": "post.new"}])
    first = await communicator.receive_json_from(timeout=0.1)  # quiet: no wait
    assert [e["seq"] for e in first["events"]] == [1]
    hub._dispatch(stream, [{"seq": 3, "kind": "post.new"}])  # a second process's 3 before 2
    hub._dispatch(stream, [{"seq": 2, "kind": "post.new"}])
    assert await communicator.receive_nothing(timeout=0.15)  # busy: held for the tick
    merged = await communicator.receive_json_from(timeout=1)
    assert [e["seq"] for e in merged["events"]] == [2, 3]
    await asyncio.sleep(0.35)
    hub._dispatch(stream, [{"seq": 4, "kind": "post.new"}])  # quiet again
    assert (await communicator.receive_json_from(timeout=0.1))["events"][0]["seq"] == 4
    await communicator.disconnect()


async def test_the_backlog_counts_what_twisted_holds_for_the_socket():
    from types import SimpleNamespace

    from realtime.server import backlog

    transport = SimpleNamespace(dataBuffer=b"x" * 100, offset=40, _tempDataLen=25)
    assert backlog(SimpleNamespace(transport=transport)) == 85
    assert backlog(SimpleNamespace(transport=None)) == 0


async def test_one_process_joins_a_streams_group_once_for_all_its_connections():
    from channels.layers import get_channel_layer

    from realtime.hub import get_hub
    from realtime.publish import group_name

    thread, _ = await thread_with_replies(0)
    stream = f"thread:{thread.pk}"
    first, second = await subscribed(stream), await subscribed(stream, username="bea")
    await first.receive_nothing(timeout=0.1)
    assert len(get_hub().listeners[stream]) == 2
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # the in-memory layer shows its groups
        assert len(layer.groups[group_name(stream)]) == 1
    await first.disconnect()
    await second.disconnect()
    assert stream not in get_hub().listeners


async def test_thousands_of_random_frames_leave_the_server_healthy():
    import random

    thread, _ = await thread_with_replies(1)
    rng = random.Random(7)
    words = [
        "subscribe",
        "unsubscribe",
        "send",
        "type",
        "stream",
        "after",
        "user",
        "room:1",
        "thread:1",
        "thread:-1",
        "client_id",
        "body",
        None,
        True,
        -5,
        10**30,
        1.5,
        [],
        {},
    ]

    def junk():
        kind = rng.random()
        if kind < 0.2:
            return "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(1, 60)))
        if kind < 0.3:
            return json.dumps([rng.choice(words) for _ in range(3)])
        frame = {
            rng.choice(["type", "stream", "after", "client_id", "body", "x"]): rng.choice(words)
            for _ in range(rng.randint(0, 5))
        }
        if rng.random() < 0.5:
            frame["type"] = rng.choice(words[:3] + ["hb", "events", ""])
        return json.dumps(frame)

    communicator, connected, _ = await connect(ORIGIN, await session_cookie_for())
    assert connected
    for _ in range(2000):
        await communicator.send_to(text_data=junk())
    stream = f"thread:{thread.pk}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    for _ in range(5000):  # drain the replies to the junk, then find ours
        frame = await communicator.receive_json_from(timeout=5)
        assert frame["type"] in {"error", "events", "reset"}
        if frame["type"] == "error":
            assert set(frame) <= {"type", "code", "detail", "client_id", "stream"}
        if frame.get("stream") == stream and frame["type"] == "events":
            assert [e["seq"] for e in frame["events"]] == [1]
            break
    else:
        pytest.fail("the normal subscription never answered")
    await communicator.disconnect()


async def test_subscribing_without_after_streams_from_now_on():
    thread, author = await thread_with_replies(2)
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    await communicator.send_json_to({"type": "subscribe", "stream": f"thread:{thread.pk}"})
    assert await communicator.receive_nothing(timeout=0.2)
    await reply(thread, author)
    frame = await communicator.receive_json_from(timeout=2)
    assert [e["seq"] for e in frame["events"]] == [3]
    await communicator.disconnect()


# --- Chat rooms: send and ack ------------------------------------------------------------


@database_sync_to_async
def room_of_member(username="amira"):
    from community.models import User
    from community.services import chat
    from tests.factories import make_space

    return chat.room_for(make_space(members=[User.objects.get(username=username)]))


async def test_send_is_acked_with_its_seq_and_resending_gets_the_same_ack():
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    room = await room_of_member()
    stream = f"room:{room.pk}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    send = {"type": "send", "stream": stream, "client_id": "c-1", "body": "Hello room"}
    await communicator.send_json_to(send)
    frames = [await communicator.receive_json_from(timeout=2) for _ in range(2)]
    ack = next(f for f in frames if f["type"] == "ack")
    event = next(f for f in frames if f["type"] == "events")["events"][0]
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    assert event["kind"] == "message.new" and "Hello room" in event["html"]
    await communicator.send_json_to(send)
    assert await communicator.receive_json_from(timeout=2) == ack
    assert await communicator.receive_nothing(timeout=0.2)  # no second message
    await communicator.disconnect()


async def test_sends_that_arrive_together_are_written_together(monkeypatch):
    from realtime import writer

    batches = []
    real_store = writer.store
    monkeypatch.setattr(
        writer,
        "store",
        lambda stored, sends: batches.append(len(sends)) or real_store(stored, sends),
    )
    names = ["amira", "bea", "cy", "dee", "eve"]
    sockets = [(await connect(ORIGIN, await session_cookie_for(name)))[0] for name in names]
    room = await database_sync_to_async(five_person_room)(names)
    stream = f"room:{room.pk}"
    for n, socket in enumerate(sockets):  # five people press send at the same moment
        await socket.send_json_to(
            {"type": "send", "stream": stream, "client_id": f"b{n}", "body": f"burst {n}"}
        )
    acks = [await socket.receive_json_from(timeout=2) for socket in sockets]
    assert sorted(ack["seq"] for ack in acks) == [1, 2, 3, 4, 5]  # one number each
    assert sum(batches) == 5 and len(batches) < 5  # fewer transactions than messages
    for socket in sockets:
        await socket.disconnect()


def five_person_room(names):
    from community.models import User
    from community.services import chat
    from tests.factories import make_space

    return chat.room_for(make_space(members=list(User.objects.filter(username__in=names))))


@pytest.mark.parametrize(
    "change, code",
    [
        ({"body": "x" * 1001}, "too_long"),
        ({"body": "   "}, "bad_request"),
        ({"body": 5}, "bad_request"),
        ({"client_id": ""}, "bad_request"),
        ({"client_id": "x" * 65}, "bad_request"),
        ({"question": "2"}, "bad_request"),
        ({"question": 0}, "bad_request"),
        ({"question": True}, "bad_request"),
        ({"stream": "room:999999"}, "not_found"),
        ({"stream": "thread:1"}, "not_found"),
    ],
)
async def test_bad_sends_get_an_error_and_nothing_is_stored(change, code):
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    room = await room_of_member()
    send = {"type": "send", "stream": f"room:{room.pk}", "client_id": "c-2", "body": "hi"}
    await communicator.send_json_to({**send, **change})
    reply_frame = await communicator.receive_json_from(timeout=2)
    assert reply_frame["type"] == "error" and reply_frame["code"] == code
    from community.models import ChatMessage

    assert not await database_sync_to_async(ChatMessage.objects.exists)()
    await communicator.disconnect()


async def test_a_closed_room_refuses_sends_with_closed_and_the_socket_stays_open():
    from django.utils import timezone

    from community.models import ChatMessage, ChatRoom

    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    room = await room_of_member()
    await database_sync_to_async(ChatRoom.objects.filter(pk=room.pk).update)(
        closed_at=timezone.now()
    )
    send = {"type": "send", "stream": f"room:{room.pk}", "client_id": "c-3", "body": "hi"}
    await communicator.send_json_to(send)
    reply_frame = await communicator.receive_json_from(timeout=2)
    assert (reply_frame["code"], reply_frame["client_id"]) == ("closed", "c-3")
    assert not await database_sync_to_async(ChatMessage.objects.exists)()
    await communicator.send_json_to({"type": "subscribe", "stream": f"room:{room.pk}"})
    assert await communicator.receive_nothing(timeout=0.2)  # still open, no error
    await communicator.disconnect()


async def test_answers_in_a_session_room_are_tagged_and_refused_by_the_clock():
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    session = await database_sync_to_async(live_session_with_q1_out)()
    stream = f"room:{session.room_id}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream, "after": 0})
    frames = []
    for n, question in enumerate([1, 2, None]):
        send = {"type": "send", "stream": stream, "client_id": f"s{n}", "body": f"A {n}"}
        await communicator.send_json_to({**send, "question": question})
    while len([f for f in frames if f["type"] in {"ack", "error"}]) < 3:
        frames.append(await communicator.receive_json_from(timeout=2))
    replies = {f["client_id"]: f.get("code", "ack") for f in frames if "client_id" in f}
    assert replies == {"s0": "ack", "s1": "bad_request", "s2": "ack"}  # Q2 is not out yet
    from community.models import ChatMessage

    tagged = await database_sync_to_async(
        lambda: sorted(ChatMessage.objects.values_list("client_id", "question__number"))
    )()
    assert tagged == [("s0", 1), ("s2", 1)]
    await communicator.disconnect()


async def test_each_process_releases_a_due_question_with_nobody_sending():
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    session = await database_sync_to_async(session_with_q1_due_in_a_second)()
    stream = f"room:{session.room_id}"
    await communicator.send_json_to({"type": "subscribe", "stream": stream})
    frame = await communicator.receive_json_from(timeout=5)
    while frame["type"] != "events":
        frame = await communicator.receive_json_from(timeout=5)
    [event] = frame["events"]
    assert (event["kind"], event["number"]) == ("question.released", 1)
    assert await communicator.receive_nothing(timeout=0.5)  # once, not once per check
    await communicator.disconnect()


def session_with_q1_due_in_a_second():
    from community.services import sessions

    session = live_session_with_q1_out(release=False)
    # Move the start back so that Q1 falls due a second from now.
    offset = timedelta(minutes=session.questions.get(number=1).offset_minutes)
    session.started_at = timezone.now() - offset + timedelta(seconds=1)
    session.save(update_fields=["started_at"])
    assert sessions.release_due(session) == []
    return session


def live_session_with_q1_out(release=True):
    from community.models import User
    from community.services import sessions
    from community.services.sessions import RunSheet
    from tests.factories import make_space

    host = make_user(username="host")
    make_space(moderators=[host], members=[User.objects.get(username="amira")])
    sheet = RunSheet(
        title="Wait time",
        starts_at=timezone.now() + timedelta(hours=1),
        duration_minutes=60,
        questions=["Q1?", "Q2?"],
        space=host.memberships.get().space,
    )
    session = sessions.create_session(actor=host, sheet=sheet)
    sessions.control(actor=host, session=session, action="start")
    if release:
        sessions.release_next(actor=host, session=session)
    return session


def session_with_an_answer_to_reply_to():
    """A live session (Q1 out, then Q2), an answer to Q1 by its host, and another room's
    message and a hidden one, which are not there to reply to."""
    from community.models import User
    from community.services import chat, sessions

    session = live_session_with_q1_out()
    host = User.objects.get(username="host")
    parent, _ = chat.send_message(actor=host, room=session.room, body="A1 from the host")
    hidden, _ = chat.send_message(actor=host, room=session.room, body="Hidden")
    chat.hide_message(actor=host, message=hidden)
    sessions.release_next(actor=host, session=session)
    elsewhere, _ = chat.send_message(
        actor=host, room=chat.room_for(host.memberships.get().space), body="In the space's room"
    )
    return session, {"parent": parent.pk, "hidden": hidden.pk, "elsewhere": elsewhere.pk}


async def test_a_send_replies_to_an_answer_and_answers_the_same_question():
    from community.models import ChatMessage

    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    session, ids = await database_sync_to_async(session_with_an_answer_to_reply_to)()
    stream = f"room:{session.room_id}"
    send = {"type": "send", "stream": stream, "client_id": "re-1", "body": "Agreed"}
    await communicator.send_json_to({**send, "reply_to": ids["parent"]})
    ack = await communicator.receive_json_from(timeout=2)
    assert ack["type"] == "ack" and ack["client_id"] == "re-1"
    reply = await database_sync_to_async(
        lambda: ChatMessage.objects.select_related("question").get(client_id="re-1")
    )()
    assert (reply.reply_to_id, reply.question.number) == (ids["parent"], 1)  # not Q2
    await communicator.disconnect()


@pytest.mark.parametrize("target", ["1", True, 0, -3, 1.5, "elsewhere", "hidden", "missing"])
async def test_a_reply_to_nothing_here_is_a_bad_request_and_nothing_is_stored(target):
    from community.models import ChatMessage

    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    session, ids = await database_sync_to_async(session_with_an_answer_to_reply_to)()
    count = await database_sync_to_async(ChatMessage.objects.count)()
    reply_to = {"elsewhere": ids["elsewhere"], "hidden": ids["hidden"], "missing": 10_000}
    send = {"type": "send", "stream": f"room:{session.room_id}", "client_id": "re-2", "body": "x"}
    await communicator.send_json_to({**send, "reply_to": reply_to.get(target, target)})
    frame = await communicator.receive_json_from(timeout=2)
    assert (frame["type"], frame["code"], frame["client_id"]) == ("error", "bad_request", "re-2")
    assert await database_sync_to_async(ChatMessage.objects.count)() == count
    await communicator.disconnect()


async def test_a_muted_participant_is_told_why_and_nothing_is_stored():
    from community.models import ChatMessage, User
    from community.services import sessions
    from community.services.sessions import MUTED_NOTICE

    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    session = await database_sync_to_async(live_session_with_q1_out)()

    def mute():
        host, amira = User.objects.get(username="host"), User.objects.get(username="amira")
        sessions.mute_participant(actor=host, session=session, user=amira)

    await database_sync_to_async(mute)()
    send = {"type": "send", "stream": f"room:{session.room_id}", "client_id": "mu-1", "body": "hi"}
    await communicator.send_json_to(send)
    frame = await communicator.receive_json_from(timeout=2)
    assert (frame["code"], frame["detail"]) == ("not_allowed", MUTED_NOTICE)
    assert not await database_sync_to_async(ChatMessage.objects.exists)()
    await communicator.disconnect()


async def test_sending_too_fast_is_rate_limited_and_the_socket_stays_open():
    communicator, _, _ = await connect(ORIGIN, await session_cookie_for())
    room = await room_of_member()
    codes = []
    for n in range(7):
        await communicator.send_json_to(
            {"type": "send", "stream": f"room:{room.pk}", "client_id": f"r{n}", "body": f"m{n}"}
        )
        codes.append((await communicator.receive_json_from(timeout=2)).get("code", "ack"))
    assert codes[:5] == ["ack"] * 5 and "rate_limited" in codes[5:]
    await communicator.send_json_to({"type": "subscribe", "stream": f"room:{room.pk}", "after": 4})
    assert [e["seq"] for e in (await communicator.receive_json_from(timeout=2))["events"]] == [5]
    await communicator.disconnect()


# --- Presence ------------------------------------------------------------------------------


async def test_presence_counts_people_not_tabs_and_follows_leaving(monkeypatch):
    from realtime import hub as hub_module
    from realtime.models import Presence

    monkeypatch.setattr(hub_module, "PRESENCE_TICK", 0.05)
    first, _, _ = await connect(ORIGIN, await session_cookie_for("amira"))
    room = await room_of_member("amira")
    stream = f"room:{room.pk}"
    second_tab, _, _ = await connect(ORIGIN, await another_session("amira"))
    bea, _, _ = await connect(ORIGIN, await session_cookie_for("bea"))
    for communicator in (first, second_tab, bea):
        await communicator.send_json_to({"type": "subscribe", "stream": stream})

    async def presence_until(communicator, count):
        for _ in range(50):
            frame = await communicator.receive_json_from(timeout=2)
            if frame["type"] == "presence" and frame["count"] == count:
                return frame
        pytest.fail(f"no presence frame with count {count}")

    frame = await presence_until(first, 2)  # two people, three connections
    assert frame["stream"] == stream and len(frame["names"]) == 2
    await bea.disconnect()
    await presence_until(first, 1)
    await second_tab.disconnect()
    await first.disconnect()
    assert not await database_sync_to_async(Presence.objects.exists)()


@database_sync_to_async
def another_session(username):
    """A second signed-in connection (another tab) for an existing account."""
    from community.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode())
