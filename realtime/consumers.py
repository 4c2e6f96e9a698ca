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
import logging
from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user

from realtime import access, kinds, presence, streams, writer
from realtime.hub import Batch, get_hub
from realtime.kinds import Refused, Send
from realtime.server import BACKLOG
from realtime.validation import is_whole, parse_frame, text_problem

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 25  # the protocol promises one at least every 30 s
MAX_QUEUE = 200  # batches waiting for one slow client before it is cut off
HIGH_WATER = 256 * 1024  # bytes the server may hold for a socket before it stops writing
DRAIN_POLL = 0.05
# A socket that has not taken its bytes for this long is closed by us (4008, resumable),
# well before daphne's keepalive would drop it without a word (about 50 s).
SLOW_SECONDS = 15
MAX_SUBSCRIPTIONS = 50
LOG_RETRIES = 3  # reads of the log tried this often before the socket is closed (1013)
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4008
CLOSE_TOO_MANY = 4429
CLOSE_TRY_AGAIN = 1013  # the server had trouble: reconnect with backoff and resume
CLOSE_REASONS = {
    CLOSE_UNAUTHENTICATED: "Signed out: sign in again.",
    CLOSE_TOO_SLOW: "Too slow to keep up: reconnect and resume after your last seq.",
    CLOSE_TOO_MANY: "Too many live connections for one person.",
    CLOSE_TRY_AGAIN: "The server had trouble: reconnect and resume after your last seq.",
}


class LiveConsumer(AsyncWebsocketConsumer):
    heartbeat_seconds = HEARTBEAT_SECONDS
    # No channel-layer channel per connection: events arrive through the process's hub,
    # which holds the only subscription (a per-connection receive loop is what makes
    # plain group_send fan-out cost a core for a 1,000-person room).
    channel_layer_alias = "no-per-connection-channel"

    async def __call__(self, scope, receive, send):
        # Cleanup runs on every exit path: a consumer that raises is closed by daphne
        # without a disconnect(), and a listener left in the hub would live for ever.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.cleanup()

    async def connect(self):
        self.last: dict[str, int] = {}  # stored stream key -> last seq sent
        self.names: dict[str, str] = {}  # stored key -> the name the client used
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUE)
        self.tasks: set[asyncio.Task] = set()
        self.hub = None
        user = self.scope.get("user")
        # Accepted, then closed: a refused handshake would reach the client as a bare
        # 403, and the close code tells live.js not to retry but to sign in again.
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.session_hash = access.session_hash(self.scope["session"].session_key or "")
        hub = get_hub()
        if not hub.connect(self):
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.hub = hub
        await hub.start()
        self.supervise(self.heartbeat())
        self.supervise(self.sender())

    async def disconnect(self, code):
        await self.cleanup()

    async def cleanup(self) -> None:
        """Forget this connection everywhere (once, however it ended)."""
        hub, self.hub = getattr(self, "hub", None), None
        if hub is None:
            return
        for task in self.tasks:
            task.cancel()
        hub.disconnect(self)
        for stream in list(self.last):
            try:
                await self.drop(stream, hub)
            except Exception:  # noqa: BLE001 - the rest still has to go
                log.warning("Could not leave %s cleanly", stream, exc_info=True)

    async def drop(self, stream: str, hub=None) -> None:
        del self.last[stream]
        self.names.pop(stream, None)
        hub = hub or self.hub
        if hub is None:
            return
        await hub.unsubscribe(stream, self)
        if presence.counted(stream):
            await database_sync_to_async(presence.leave)(stream, self.user)
            hub.presence_changed(stream)

    def supervise(self, work) -> None:
        """Run a task of this connection's; if it fails, close with a code the client
        resumes from (1013): a task that died quietly would leave a silent socket."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if task.cancelled() or task.exception() is None or self.hub is None:
            return
        log.warning("A live connection's task failed; closing it (1013)", exc_info=task.exception())
        asyncio.ensure_future(self.close_quietly(CLOSE_TRY_AGAIN))

    async def close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.close(code=code, reason=CLOSE_REASONS.get(code))

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

    # --- Access that may have changed (realtime.access) ---------------------------------

    def signed_out(self) -> None:
        """Called by the hub: this socket's session ended (a logout)."""
        asyncio.ensure_future(self.close_quietly(CLOSE_UNAUTHENTICATED))

    def recheck(self) -> None:
        """Called by the hub: this person's access, or a stream's readers', may have
        changed. An invalid session closes the socket; a stream no longer readable is
        dropped with a `revoked` frame."""
        self.supervise(self._recheck())

    async def _recheck(self) -> None:
        user, readable = await database_sync_to_async(self._still_allowed)(list(self.last))
        if user is None:
            await self.close_quietly(CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        for stream in [s for s in self.last if s not in readable]:
            name = self.names[stream]
            await self.drop(stream)
            await self.send_json({"type": "revoked", "stream": name})

    def _still_allowed(self, subscribed: list[str]):
        """(the session's user now, or None if it is signed out; the streams they may
        still read). The session is read afresh: a logout deleted it, a new password
        no longer matches its hash, a deactivated account no longer authenticates."""
        key = self.scope["session"].session_key
        engine = import_module(settings.SESSION_ENGINE)
        user = get_user(SimpleNamespace(session=engine.SessionStore(key)))
        if not user.is_authenticated or user.pk != self.user.pk:
            return None, set()
        return user, {stream for stream in subscribed if streams.visible_to(user, stream)}

    # --- Frames from the client -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        frame, problem = parse_frame(text_data)
        if problem:
            await self.error(frame, "bad_request", problem)
            return
        try:
            await self.handle(frame)
        except Exception:  # noqa: BLE001 - one frame's failure is that frame's error
            log.warning("Could not handle a %r frame", frame["type"][:40], exc_info=True)
            await self.error(frame, "unavailable", "Something went wrong: try again.")

    async def handle(self, frame):
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
        if after is not None and not is_whole(after, minimum=0):
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
        if stored not in self.last and presence.counted(stored):
            await database_sync_to_async(presence.join)(stored, self.user)
            self.hub.presence_changed(stored)
        self.names[stored] = name
        if after is None:
            after = await database_sync_to_async(streams.head)(stored)
        self.last[stored] = after
        await self.hub.subscribe(stored, self)
        self.deliver(stored, None)
        if (kind := kinds.of(stored)) is not None and kind.watched is not None:
            kind.watched(stored)

    async def send_message(self, frame, name):
        """Every field is checked here, before the send joins a room's batch: one
        person's bad value can only ever be their own error frame."""
        client_id, body = frame.get("client_id"), frame.get("body")
        stored = streams.storage_key(self.user, name)
        kind = kinds.of(stored) if stored else None
        fields = {}
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
            problem = "A send needs a client_id of 1-64 characters."
        elif text_problem(client_id):
            problem = "A client_id is printable text."
        elif not isinstance(body, str):
            problem = "A send needs a text 'body'."
        else:
            problem = text_problem(body)
        if not problem and kind is not None and kind.check_send is not None:
            fields, problem = kind.check_send(frame)
        if problem:
            await self.error(frame, "bad_request", problem)
            return
        # A stream this socket reads was checked when it subscribed (and is re-checked
        # when access changes); any other must be visible before the send goes anywhere.
        if (
            kind is None
            or kind.send is None
            or stored not in self.last
            and not await database_sync_to_async(streams.visible_to)(self.user, stored)
        ):
            await self.error(frame, "not_found", f"There is no room '{name[:80]}' to send to.")
            return
        try:
            result = await writer.send(stored, Send(self.user, body, client_id, fields))
        except Exception:  # noqa: BLE001 - the database failed this send: the client retries
            log.warning("A send to %s failed", stored, exc_info=True)
            await self.error(frame, "unavailable", "That didn't go through: sending again.")
            return
        if isinstance(result, Refused):
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
            asyncio.ensure_future(self.close_quietly(CLOSE_TOO_SLOW))

    async def drained(self) -> bool:
        """Wait while the socket holds more than HIGH_WATER unsent bytes (a slow reader):
        meanwhile events pile up in the bounded queue and go out merged, or overflow it.
        False (and the socket closed, 4008) if it stays backed up for SLOW_SECONDS."""
        backlog = self.scope.get("extensions", {}).get(BACKLOG)
        waited = 0.0
        while backlog is not None and backlog() > HIGH_WATER:
            if waited >= SLOW_SECONDS:
                await self.close_quietly(CLOSE_TOO_SLOW)  # realtime.server lets it arrive
                return False
            await asyncio.sleep(DRAIN_POLL)
            waited += DRAIN_POLL
        return True

    async def sender(self):
        while True:
            batch = [await self.queue.get()]
            if not await self.drained():
                return
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
            head, fresh = await self.read_log(stream, last)
            if stream not in self.last:
                return  # revoked or unsubscribed meanwhile
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

    async def read_log(self, stream: str, last: int) -> tuple[int | None, list[dict]]:
        """catch_up, tried again on a failing database (each try on a fresh connection);
        if it still fails, the error ends the sender and the socket closes with 1013."""
        for attempt in range(LOG_RETRIES):
            try:
                return await database_sync_to_async(self.catch_up)(stream, last)
            except Exception:
                if attempt == LOG_RETRIES - 1:
                    raise
                log.warning("Could not read %s from the log; trying again", stream)
                await asyncio.sleep(0.2 * 2**attempt)

    @staticmethod
    def catch_up(stream: str, last: int) -> tuple[int | None, list[dict]]:
        """(head, []) when the client must reset, else (None, the events it missed)."""
        head = streams.head(stream)
        if last > head or head - last > streams.REPLAY_LIMIT:
            return head, []
        return None, streams.events_after(stream, last)

    async def heartbeat(self):
        """Every HEARTBEAT_SECONDS: each stream's real head, as far as this process knows
        it (the hub reads the heads from the database), so a client that stays behind
        sees it and repairs. A socket still short of the head told a beat ago is stalled
        (events in flight arrive within a tick): it is caught up from the log here too."""
        told: dict[str, int] = {}
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            for stream, head in told.items():
                if self.last.get(stream, head) < head:
                    log.warning("A socket was behind on %s for a heartbeat: catching up", stream)
                    self.deliver(stream, None)
            told = {s: max(seq, self.hub.heads.get(s, 0)) for s, seq in self.last.items()}
            heads = {self.names[stream]: head for stream, head in told.items()}
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
