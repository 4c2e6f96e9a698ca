"""The live layer's safety across two real daphne processes over PostgreSQL (or SQLite)
and Redis (issue 13 items 1-4, issue 14 items 3, 5, 6): what one process is told, the
other acts on too. Needs REDIS_URL, as tests/test_two_processes.py does."""

import asyncio
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from community.services import chat, moderation
from tests.factories import make_space, make_user
from tests.test_two_processes import session_for, two_servers  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not __import__("os").environ.get("REDIS_URL"), reason="needs Redis to span processes"
    ),
]


async def client(port, key):
    import websockets
    from django.conf import settings

    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/live/",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"},
        origin=f"http://127.0.0.1:{port}",
    )


async def frame_of(ws, wanted, timeout=10, client_id=None):
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout))
        if frame["type"] == wanted and (client_id is None or frame.get("client_id") == client_id):
            return frame


def a_room(people: int):
    users = [make_user() for _ in range(people)]
    room = chat.room_for(make_space(members=users))
    return users, room, f"room:{room.pk}"


def test_a_bad_send_on_one_process_fails_no_one_elses_on_either(two_servers):  # noqa: F811
    users, room, stream = a_room(8)
    keys = [session_for(user) for user in users]
    bad = [
        {"reply_to": 2**64},
        {"body": "nul \x00 byte"},
        {"body": "lone \ud800"},
        {"question": 2**70},
    ]

    async def scenario():
        sockets = [await client(two_servers[i % 2], key) for i, key in enumerate(keys)]
        for ws in sockets:
            await ws.send(json.dumps({"type": "subscribe", "stream": stream, "after": 0}))
        await asyncio.sleep(0.5)
        for i, ws in enumerate(sockets):
            frame = {"type": "send", "stream": stream, "client_id": f"c{i}", "body": f"hi {i}"}
            if i < len(bad):
                frame.update(bad[i])
            await ws.send(json.dumps(frame))
        replies = [
            await frame_of(ws, "ack" if i >= len(bad) else "error", client_id=f"c{i}")
            for i, ws in enumerate(sockets)
        ]
        for ws in sockets:
            await ws.close()
        return replies

    replies = asyncio.run(scenario())
    assert [r["code"] for r in replies[: len(bad)]] == ["bad_request"] * len(bad)
    assert sorted(r["seq"] for r in replies[len(bad) :]) == [1, 2, 3, 4]
    assert room.messages.count() == 4


def test_removal_and_logout_reach_sockets_on_the_other_process(two_servers):  # noqa: F811
    (amira, tom), room, stream = a_room(2)
    moderator = make_user()
    space = room.space
    space.memberships.create(user=moderator, role="moderator")
    space.kind = "private"
    space.save(update_fields=["kind"])
    amira_key, tom_key = session_for(amira), session_for(tom)

    async def scenario():
        a = await client(two_servers[1], amira_key)
        t = await client(two_servers[0], tom_key)
        for ws in (a, t):
            await ws.send(json.dumps({"type": "subscribe", "stream": stream, "after": 0}))
        await asyncio.sleep(0.5)
        until = timezone.now() + timedelta(days=3)
        await asyncio.to_thread(
            moderation.remove_member,
            actor=moderator,
            space=space,
            user=amira,
            until=until,
            reason="Testing",
        )
        revoked = await frame_of(a, "revoked")
        await asyncio.to_thread(_log_out, tom, tom_key)
        try:
            while True:
                await asyncio.wait_for(t.recv(), timeout=10)
        except Exception as closed:  # websockets' ConnectionClosed
            code = getattr(getattr(closed, "rcvd", None), "code", None)
        await a.close()
        return revoked, code

    revoked, code = asyncio.run(scenario())
    assert revoked == {"type": "revoked", "stream": stream}
    assert code == 4401


def _log_out(user, key):
    from django.contrib.auth.signals import user_logged_out
    from django.contrib.sessions.backends.db import SessionStore

    class Request:
        session = SessionStore(key)

    user_logged_out.send(type(user), request=Request, user=user)
    Request.session.flush()


def test_the_same_client_id_at_the_same_moment_on_two_processes_gets_one_ack(
    two_servers,  # noqa: F811
):
    (amira,), room, stream = a_room(1)
    key = session_for(amira)

    async def scenario():
        a, b = await client(two_servers[0], key), await client(two_servers[1], key)
        acks = []
        for trial in range(10):
            frame = json.dumps(
                {"type": "send", "stream": stream, "client_id": f"t{trial}", "body": f"{trial}"}
            )
            await asyncio.gather(a.send(frame), b.send(frame))
            pair = await asyncio.gather(
                frame_of(a, "ack", client_id=f"t{trial}"), frame_of(b, "ack", client_id=f"t{trial}")
            )
            acks.append(pair)
            await asyncio.sleep(2.1)  # under the pace limit (a burst of 5)
        await a.close()
        await b.close()
        return acks

    acks = asyncio.run(scenario())
    assert all(x["seq"] == y["seq"] for x, y in acks)
    assert room.messages.count() == 10


def test_a_quiet_room_is_not_an_outage_and_stays_fast_on_both_processes(two_servers):  # noqa: F811
    """The bug: redis-py's 5 s socket timeout equalled channels_redis's 5 s blocking read,
    so every idle read raised, the hub 'rejoined', and one process's clients got
    messages 1 to 4 s late."""
    (amira, tom), room, stream = a_room(2)
    keys = [session_for(amira), session_for(tom)]
    quiet = 13  # seconds: two of channels_redis's blocking reads, and then some

    async def scenario():
        a, b = await client(two_servers[0], keys[0]), await client(two_servers[1], keys[1])
        for ws in (a, b):
            await ws.send(json.dumps({"type": "subscribe", "stream": stream, "after": 0}))
        await asyncio.sleep(quiet)
        delays = []
        for i in range(3):
            sent = time.monotonic()
            sender, other = (a, b) if i % 2 == 0 else (b, a)
            frame = {"type": "send", "stream": stream, "client_id": f"q{i}", "body": "quiet?"}
            await sender.send(json.dumps(frame))
            await frame_of(other, "events")
            delays.append(time.monotonic() - sent)
            await asyncio.sleep(3)
        await a.close()
        await b.close()
        return delays

    delays = asyncio.run(scenario())
    assert max(delays) < 0.8, delays


def test_an_idle_read_of_the_configured_channel_layer_is_not_an_error():
    """What the quiet-room bug came from: with redis-py's default 5 s socket timeout,
    channels_redis's 5 s blocking read of an idle channel raised TimeoutError."""
    from channels.layers import get_channel_layer

    async def idle_read():
        layer = get_channel_layer()
        channel = await layer.new_channel("hub.")
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=layer.brpop_timeout + 2)
        except TimeoutError:
            return "quiet"  # our own timeout: the layer itself raised nothing

    assert asyncio.run(idle_read()) == "quiet"
