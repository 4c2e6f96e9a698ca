"""/ws/live/: who may connect, and how malformed frames are answered (docs/realtime.md)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application
from realtime.consumers import LiveConsumer
from tests.factories import make_user

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


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
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=list(headers))
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_connection_is_refused():
    communicator, connected, code = await connect(ORIGIN)
    assert not connected and code == 4401


async def test_foreign_origin_is_refused():
    cookie = await session_cookie_for()
    communicator, connected, _ = await connect((b"origin", b"https://evil.example"), cookie)
    assert not connected


async def test_deactivated_account_is_refused():
    cookie = await session_cookie_for(active=False)
    _, connected, _ = await connect(ORIGIN, cookie)
    assert not connected


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
