"""Two daphne processes sharing PostgreSQL and Redis serve one room: a client on each sees
the other's messages (no sticky sessions). Needs REDIS_URL: the in-memory channel layer
cannot span processes, so the embedded run skips this and the CI run with services runs it.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from community.services import chat
from tests.factories import make_space, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis to span processes"),
]
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env() -> dict:
    """Point the children at the test database (its name is only known at run time)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"])}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return {"DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}


@pytest.fixture
def two_servers():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **database_env()}
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                for p in processes:
                    p.kill()
                pytest.fail("daphne did not start")
            time.sleep(0.2)
    yield ports
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def test_a_client_on_each_process_sees_the_others_messages(two_servers):
    import websockets

    amira, tom = make_user(username="amira"), make_user(username="tom")
    room = chat.room_for(make_space(members=[amira, tom]))
    stream = f"room:{room.pk}"
    cookies = [session_for(amira), session_for(tom)]

    async def client(port, key):
        return await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/live/",
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"},
            origin=f"http://127.0.0.1:{port}",
        )

    async def next_event(ws):
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            if frame["type"] == "events":
                return frame["events"][0]

    async def scenario():
        a, b = await client(two_servers[0], cookies[0]), await client(two_servers[1], cookies[1])
        for ws in (a, b):
            await ws.send(json.dumps({"type": "subscribe", "stream": stream, "after": 0}))
        await asyncio.sleep(0.5)  # both hubs have joined the room's group
        await a.send(
            json.dumps(
                {"type": "send", "stream": stream, "client_id": "a1", "body": "From process one"}
            )
        )
        seen_by_b = await next_event(b)
        await b.send(
            json.dumps(
                {"type": "send", "stream": stream, "client_id": "b1", "body": "From process two"}
            )
        )
        first_on_a = await next_event(a)
        second_on_a = await next_event(a)
        await a.close()
        await b.close()
        return seen_by_b, [first_on_a, second_on_a]

    seen_by_b, seen_by_a = asyncio.run(scenario())
    assert seen_by_b["seq"] == 1 and "From process one" in seen_by_b["html"]
    assert [e["seq"] for e in seen_by_a] == [1, 2]
    assert "From process two" in seen_by_a[1]["html"]
