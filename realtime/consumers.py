"""The one websocket endpoint, /ws/live/ (docs/realtime.md is the contract).

Each connection keeps, per subscribed stream, the last seq it sent. Events reach it from
the process's hub (realtime.hub) into a bounded queue; one sender task drains the queue,
merging whatever has piled up into one frame per stream (no delay when quiet, batches
when busy), dropping what the client already has, and filling any gap from the database
log. While the socket itself is backed up (realtime.server's backlog extension), the
sender waits; a client too slow to keep its queue under MAX_QUEUE is closed with 4008 and
resumes.
"""

import asyncio
import contextlib
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from community.services.chat import ChatRefused, Send
from realtime import clock, presence, streams, writer
from realtime.hub import Batch, get_hub
from realtime.server import BACKLOG

HEARTBEAT_SECONDS = 25  # the protocol promises one at least every 30 s
MAX_FRAME_BYTES = 16_384
MAX_QUEUE = 200  # batches waiting for one slow client before it is cut off
HIGH_WATER = 256 * 1024  # bytes the server may hold for a socket before it stops writing
DRAIN_POLL = 0.05
MAX_SUBSCRIPTIONS = 50
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4008


def parse_frame(text_data) -> tuple[dict, str | None]:
    """The frame as a dict with a string 'type', or ({}, what is wrong with it)."""
    if text_data is None or len(text_data) > MAX_FRAME_BYTES:
        return {}, "Frames are JSON text of at most 16 KB."
    try:
        frame = json.loads(text_data)
    except ValueError:
        return {}, "That frame is not valid JSON."
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return {}, "A frame is a JSON object with a string 'type'."
    return frame, None


class LiveConsumer(AsyncWebsocketConsumer):
    heartbeat_seconds = HEARTBEAT_SECONDS
    # No channel-layer channel per connection: events arrive through the process's hub,
    # which holds the only subscription (a per-connection receive loop is what makes
    # plain group_send fan-out cost a core for a 1,000-person room).
    channel_layer_alias = "no-per-connection-channel"

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.last: dict[str, int] = {}  # stored stream key -> last seq sent
        self.names: dict[str, str] = {}  # stored key -> the name the client used
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUE)
        self.hub = get_hub()
        await self.accept()
        self.tasks = [asyncio.create_task(self.heartbeat()), asyncio.create_task(self.sender())]

    async def disconnect(self, code):
        for task in getattr(self, "tasks", ()):
            task.cancel()
        for stream in list(getattr(self, "last", ())):
            await self.drop(stream)

    async def drop(self, stream: str) -> None:
        del self.last[stream]
        await self.hub.unsubscribe(stream, self)
        if stream.startswith("room:"):
            await database_sync_to_async(presence.leave)(stream, self.user)
            self.hub.presence_changed(stream)

    def presence(self, stream: str, count: int, names: list[str]) -> None:
        """Called by the hub (at most every PRESENCE_TICK per room): who is here."""
        if stream in self.names:
            frame = {
                "type": "presence",
                "stream": self.names[stream],
                "count": count,
                "names": names,
            }
            asyncio.ensure_future(self.send_quietly(frame))

    async def send_quietly(self, frame) -> None:
        # Presence is advisory: a socket that closed meanwhile simply misses it.
        with contextlib.suppress(Exception):
            await self.send_json(frame)

    # --- Frames from the client -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        frame, problem = parse_frame(text_data)
        if problem:
            await self.error(frame, "bad_request", problem)
            return
        kind, name = frame["type"], frame.get("stream")
        if kind not in {"subscribe", "unsubscribe", "send"}:
            await self.error(frame, "bad_request", f"Unknown frame type '{kind[:40]}'.")
        elif not isinstance(name, str) or not name:
            await self.error(frame, "bad_request", "This frame needs a 'stream'.")
        elif kind == "subscribe":
            await self.subscribe(frame, name)
        elif kind == "unsubscribe":
            stored = streams.storage_key(self.user, name)
            if stored in self.last:
                await self.drop(stored)
        else:
            await self.send_message(frame, name)

    async def subscribe(self, frame, name):
        # Without "after", the client wants what happens from now on (a page that has just
        # rendered the current state); with it, everything after that seq.
        after = frame.get("after")
        if after is not None and (
            isinstance(after, bool) or not isinstance(after, int) or after < 0
        ):
            await self.error(frame, "bad_request", "'after' is a whole number, 0 or more.")
            return
        stored = streams.storage_key(self.user, name)
        if stored is None or not await database_sync_to_async(streams.visible_to)(
            self.user, stored
        ):
            await self.error(frame, "not_found", f"There is no stream '{name[:80]}'.")
            return
        if stored not in self.last and len(self.last) >= MAX_SUBSCRIPTIONS:
            await self.error(frame, "not_allowed", "Too many streams on one connection.")
            return
        # Register first, then catch up: a live event that arrives meanwhile waits in the
        # queue behind the catch-up and is dropped there if the log already had it.
        if stored not in self.last and stored.startswith("room:"):
            await database_sync_to_async(presence.join)(stored, self.user)
            self.hub.presence_changed(stored)
        self.names[stored] = name
        if after is None:
            after = await database_sync_to_async(streams.head)(stored)
        self.last[stored] = after
        await self.hub.subscribe(stored, self)
        self.deliver(stored, None)
        if stored.startswith("room:"):
            clock.watch(stored)

    async def send_message(self, frame, name):
        client_id, body = frame.get("client_id"), frame.get("body")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
            await self.error(frame, "bad_request", "A send needs a client_id of 1-64 characters.")
            return
        if not isinstance(body, str):
            await self.error(frame, "bad_request", "A send needs a text 'body'.")
            return
        question = frame.get("question")
        if question is not None and (
            isinstance(question, bool) or not isinstance(question, int) or question < 1
        ):
            await self.error(frame, "bad_request", "'question' is a question's number.")
            return
        reply_to = frame.get("reply_to")
        if reply_to is not None and (
            isinstance(reply_to, bool) or not isinstance(reply_to, int) or reply_to < 1
        ):
            await self.error(frame, "bad_request", "'reply_to' is the id of a message.")
            return
        stored = streams.storage_key(self.user, name)
        result = ChatRefused("not_found", "")
        if stored is not None and stored.startswith("room:"):
            send = Send(self.user, body, client_id, question, reply_to)
            result = await writer.send(stored, send)
        if isinstance(result, ChatRefused):
            detail = result.detail or f"There is no room '{name[:80]}' to send to."
            await self.error(frame, result.code, detail)
        else:
            await self.send_json({"type": "ack", "client_id": client_id, "seq": result[1]})

    # --- Events to the client ---------------------------------------------------------

    def deliver(self, stream: str, batch: Batch | None) -> None:
        """Called by the hub. None means: catch up from the database."""
        try:
            self.queue.put_nowait((stream, batch))
        except asyncio.QueueFull:
            # Too slow to keep up: close; the client resumes after its last seq.
            self.queue = asyncio.Queue(maxsize=MAX_QUEUE)
            asyncio.ensure_future(self.close(code=CLOSE_TOO_SLOW))

    async def drained(self) -> None:
        """Wait while the socket holds more than HIGH_WATER unsent bytes (a slow reader):
        meanwhile events pile up in the bounded queue and go out merged, or overflow it."""
        backlog = self.scope.get("extensions", {}).get(BACKLOG)
        while backlog is not None and backlog() > HIGH_WATER:
            await asyncio.sleep(DRAIN_POLL)

    async def sender(self):
        while True:
            batch = [await self.queue.get()]
            await self.drained()
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            pending: dict[str, list[Batch] | None] = {}
            for stream, item in batch:
                if item is None or pending.get(stream, []) is None:
                    pending[stream] = None
                else:
                    pending.setdefault(stream, []).append(item)
            for stream, batches in pending.items():
                await self.send_stream(stream, batches)

    async def send_stream(self, stream: str, batches: list[Batch] | None) -> None:
        last = self.last.get(stream)
        if last is None:
            return  # unsubscribed meanwhile
        frames = [f for b in batches or () for f in b.events]
        fresh = [f for f in frames if f["seq"] > last]
        live = batches is not None and all(f["seq"] == last + 1 + i for i, f in enumerate(fresh))
        if not live:
            head, fresh = await database_sync_to_async(self.catch_up)(stream, last)
            if head is not None:
                self.last[stream] = head
                self.hub.note_head(stream, head)
                await self.send_json({"type": "reset", "stream": self.names[stream], "head": head})
                return
        if not fresh:
            return
        self.last[stream] = fresh[-1]["seq"]
        self.hub.note_head(stream, fresh[-1]["seq"])
        name = self.names[stream]
        if live and len(batches) == 1 and len(fresh) == len(frames):
            await self.send(text_data=batches[0].text(name))  # the common case: shared text
        else:
            await self.send_json({"type": "events", "stream": name, "events": fresh})

    @staticmethod
    def catch_up(stream: str, last: int) -> tuple[int | None, list[dict]]:
        """(head, []) when the client must reset, else (None, the events it missed)."""
        head = streams.head(stream)
        if last > head or head - last > streams.REPLAY_LIMIT:
            return head, []
        return None, streams.events_after(stream, last)

    async def heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            heads = {self.names[s]: seq for s, seq in self.last.items()}
            await self.send_json({"type": "hb", "heads": heads})

    async def error(self, frame, code, detail):
        reply = {"type": "error", "code": code, "detail": detail}
        if isinstance(frame.get("client_id"), str):
            reply["client_id"] = frame["client_id"][:64]
        if isinstance(frame.get("stream"), str):
            reply["stream"] = frame["stream"][:80]
        await self.send_json(reply)

    async def send_json(self, content):
        await self.send(text_data=json.dumps(content, separators=(",", ":")))
