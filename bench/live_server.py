"""One server process for bench/live_load.py (started and stopped by it).

    python bench/live_server.py staffroom PORT   # Staffroom's live layer (realtime.server)
    python bench/live_server.py baseline PORT    # plain Channels, for comparison

`staffroom` is what `make run` serves, with two changes: the room's flood cap (100
messages in 10 s) is lifted, because the benchmark offers more than that on purpose; and,
when STAFFROOM_BENCH_MINUTE is set, a run-sheet minute of a timed session lasts that many
seconds (`compress_session_minutes`), so that several questions fall due in one run.

`baseline` is the textbook Channels fan-out: every connection has its own consumer and
channel-layer channel, joins the room's group, and a message is one `group_send` to all
of them. It speaks enough of the live protocol for the load generator (send, ack,
events) and stores nothing, so it has less to do per message than Staffroom.
"""

import datetime
import json
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import os  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench-baseline-room"
# About the size of the fragment Staffroom pushes for a one-line message.
HTML = (
    '<li class="chat-message" id="m{id}" data-id="{id}" data-author="{author}">'
    '<span class="chat-author"><a href="/people/{author}/">{author}</a></span> '
    '<time datetime="{at}">{at}</time><div class="chat-body"><p>{body}</p></div></li>'
)


class PlainConsumer(AsyncWebsocketConsumer):
    counter = 0

    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        if frame.get("type") != "send":
            return
        PlainConsumer.counter += 1
        at = datetime.datetime.now(datetime.UTC).isoformat()
        event = {
            "seq": PlainConsumer.counter,
            "kind": "message.new",
            "at": at,
            "id": PlainConsumer.counter,
            "author": "bench",
            "client_id": frame["client_id"],
            "html": HTML.format(
                id=PlainConsumer.counter, author="bench", at=at, body=frame["body"]
            ),
        }
        await self.send(json.dumps({"type": "ack", "client_id": frame["client_id"], "seq": 0}))
        await self.channel_layer.group_send(GROUP, {"type": "room.event", "event": event})

    async def room_event(self, message):
        frame = {"type": "events", "stream": "room:0", "events": [message["event"]]}
        await self.send(json.dumps(frame, separators=(",", ":")))


MINUTE_ENV = "STAFFROOM_BENCH_MINUTE"


def compress_session_minutes(seconds: float) -> None:
    """Make a run-sheet minute last `seconds` in this process: question n falls due
    `offset_minutes * seconds` after the start instead of `offset_minutes` minutes. Only
    the length of the minute changes: ChatSession.due_at still decides (its pauses, its
    start), and everything that releases questions asks it (release_due, next_release_at,
    community/session_clock.py's timers). live_load.py calls this in its own process too, so that
    it measures against the very due times the servers worked to."""
    from community.models import ChatSession

    real = ChatSession.due_at

    def due_at(self, question):
        due = real(self, question)
        if due is None:
            return None  # paused
        return due + timedelta(minutes=question.offset_minutes) * (seconds / 60 - 1)

    ChatSession.due_at = due_at


baseline = ProtocolTypeRouter({"websocket": URLRouter([path("ws/live/", PlainConsumer.as_asgi())])})


def main() -> None:
    kind, port = sys.argv[1], sys.argv[2]
    from realtime.server import BackpressureCLI

    if kind == "staffroom":
        from community.services import chat

        chat.ROOM_CAP = 10**9
        if os.environ.get(MINUTE_ENV):
            compress_session_minutes(float(os.environ[MINUTE_ENV]))
        app = "config.asgi:application"
    else:
        app = "bench.live_server:baseline"
    BackpressureCLI().run(["-b", "127.0.0.1", "-p", port, "-v", "0", app])


if __name__ == "__main__":
    main()
