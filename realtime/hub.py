"""One process's window onto the channel layer: one subscription per stream per process.

Connections register their interest here; the hub joins the stream's group once, reads
the layer on one channel, and hands each batch of events to its local listeners. A busy
stream's events go out at most once per TICK, merged, and each batch is encoded once for
all listeners (a quiet stream's event goes out at once). Every
HEAD_CHECK_SECONDS it also reads the streams' heads from the database: a listener that
is behind (the fast path dropped something, or the layer was down) catches up from the
log. When the layer fails, the hub logs it, rejoins its groups with backoff and tells
its listeners to resync.
"""

import asyncio
import contextlib
import json
import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from realtime import access, presence, streams
from realtime.models import StreamHead
from realtime.publish import group_name

log = logging.getLogger(__name__)
MAX_SOCKETS_PER_USER = 20  # per process: a person's tabs and devices, not a flood
HEAD_CHECK_SECONDS = 25
PRESENCE_TICK = 2  # at most one presence snapshot per room per process this often
REJOIN_SECONDS = 1800  # channels_redis forgets group members after a day by default
TICK = 0.2  # a busy stream's events are merged and sent at most this often
GAP_WAIT = 0.2  # how long early events wait for the ones before them to arrive

_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> "Hub":
    """The hub of the running event loop (one per server process; one per test's loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


class Batch:
    """Events of one stream on their way to every local listener, encoded once."""

    __slots__ = ("events", "_texts")

    def __init__(self, events: list[dict]):
        self.events = events
        self._texts: dict[str, str] = {}

    def text(self, name: str) -> str:
        """The `events` frame, for listeners that call the stream `name`."""
        if name not in self._texts:
            frame = {"type": "events", "stream": name, "events": self.events}
            self._texts[name] = json.dumps(frame, separators=(",", ":"))
        return self._texts[name]


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.listeners: dict[str, set] = {}
        self.heads: dict[str, int] = {}  # the highest seq seen per stream
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()
        self.presence_dirty: set[str] = set()
        self.sent: dict[str, int] = {}  # the last seq handed to the listeners, per stream
        self.sent_at: dict[str, float] = {}  # and when
        self.held: dict[str, dict[int, dict]] = {}  # events waiting to go out, by seq
        self.gap_since: dict[str, float] = {}  # when the held events were found to be early
        self.due: dict[str, asyncio.Handle | asyncio.Task] = {}  # a flush already arranged
        self.connections: dict[int, set] = {}  # user id -> this process's sockets of theirs
        self.access = AccessWatcher(self)

    def connect(self, connection) -> bool:
        """A socket opened; False if its person already has MAX_SOCKETS_PER_USER here."""
        mine = self.connections.setdefault(connection.user.pk, set())
        if len(mine) >= MAX_SOCKETS_PER_USER:
            return False
        mine.add(connection)
        return True

    def disconnect(self, connection) -> None:
        mine = self.connections.get(connection.user.pk, set())
        mine.discard(connection)
        if not mine:
            self.connections.pop(connection.user.pk, None)

    async def start(self) -> None:
        """Join the channel layer (once): the hub's own tasks, and the `access` stream
        that tells it whose sockets to check again."""
        async with self.lock:
            if self.channel is not None:
                return
            self.channel = await self.layer.new_channel("hub.")
            self.tasks = [
                asyncio.create_task(self._read()),
                asyncio.create_task(self._check_heads()),
                asyncio.create_task(self._send_presence()),
                asyncio.create_task(self._keep_presence()),
            ]
        await self.access.start()
        await self.subscribe(access.STREAM, self.access)

    def revoke(self, users, stream_keys, sessions=()) -> None:
        """Access may have changed for these people or these streams' readers: each of
        the sockets concerned checks its session and its streams again. The sockets of
        sessions that ended (a logout) close at once."""
        concerned = {c for pk in users for c in self.connections.get(pk, ())}
        if sessions:
            ended = set(sessions)
            for connection in [c for mine in self.connections.values() for c in mine]:
                if connection.session_hash in ended:
                    connection.signed_out()
                    concerned.discard(connection)
        for key in stream_keys:
            concerned.update(self.listeners.get(key, ()))
        concerned.discard(self.access)
        for connection in concerned:
            connection.recheck()

    async def subscribe(self, stream: str, listener) -> None:
        if self.channel is None:
            await self.start()
        async with self.lock:
            if stream not in self.listeners:
                self.listeners[stream] = set()
                await self.layer.group_add(group_name(stream), self.channel)
            self.listeners[stream].add(listener)

    async def unsubscribe(self, stream: str, listener) -> None:
        async with self.lock:
            listeners = self.listeners.get(stream)
            if listeners is None:
                return
            listeners.discard(listener)
            if not listeners:
                del self.listeners[stream]
                for state in (self.heads, self.sent, self.sent_at, self.held, self.gap_since):
                    state.pop(stream, None)
                if (due := self.due.pop(stream, None)) is not None:
                    due.cancel()
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(group_name(stream), self.channel)

    def note_head(self, stream: str, seq: int) -> None:
        """A listener caught up to `seq` from the log: not a reason to resync."""
        self.heads[stream] = max(self.heads.get(stream, 0), seq)

    def _dispatch(self, stream: str, frames: list[dict] | None) -> None:
        """Events from the channel layer. They go out in seq order, at once if the stream
        has been quiet for a TICK, else merged with what arrives before the tick is up.
        Events that arrive early (another process published 6 before 5) wait up to
        GAP_WAIT for the missing ones, which are then read from the log once for all
        listeners. None tells every listener to catch up from the log itself."""
        if stream not in self.listeners:
            return  # the last listener left while this was on its way
        if frames is None:
            self._send(stream, None)
            return
        held = self.held.setdefault(stream, {})
        for frame in frames:
            held[frame["seq"]] = frame
        due = self.due.get(stream)
        if stream in self.gap_since and isinstance(due, asyncio.TimerHandle):
            if self.sent[stream] + 1 in held:  # what the early events waited for is here
                due.cancel()
                del self.due[stream]
        if stream not in self.due:
            self._flush(stream)

    def _flush(self, stream: str) -> None:
        self.due.pop(stream, None)
        held = self.held.get(stream)
        if not held:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now < (due := self.sent_at.get(stream, float("-inf")) + TICK):
            self.due[stream] = loop.call_at(due, self._flush, stream)
            return
        sent = self.sent.get(stream)
        for seq in [seq for seq in held if sent is not None and seq <= sent]:
            del held[seq]  # already out (a duplicate, or read from the log)
        if not held:
            return
        expected = min(held) if sent is None else sent + 1
        if expected not in held:
            since = self.gap_since.setdefault(stream, now)
            if now < since + GAP_WAIT:
                self.due[stream] = loop.call_at(since + GAP_WAIT, self._flush, stream)
            else:
                self.due[stream] = asyncio.create_task(self._fill_gap(stream, sent, min(held)))
            return
        self.gap_since.pop(stream, None)
        run = []
        while expected in held:
            run.append(held.pop(expected))
            expected += 1
        self._send(stream, run)
        if held:  # more, after a gap
            self._flush(stream)

    async def _resync(self, stream: str) -> None:
        """The fast path may have missed events: read what follows the last one sent
        from the log, once for all listeners (each catches up alone only if even the
        hub has not sent anything yet, or too much was missed)."""
        sent = self.sent.get(stream)
        frames = None
        if sent is not None:
            try:
                frames = await database_sync_to_async(streams.events_after)(stream, sent)
            except Exception:
                log.warning("Could not read %s from the log", stream, exc_info=True)
        if frames is None or len(frames) >= streams.REPLAY_LIMIT:
            self._send(stream, None)
        elif frames:
            self._dispatch(stream, frames)

    async def _fill_gap(self, stream: str, sent: int, upto: int) -> None:
        """Read the events between `sent` and `upto` from the log, once for everyone."""
        try:
            frames = await database_sync_to_async(streams.events_after)(
                stream, sent, limit=upto - sent - 1
            )
        except Exception:
            log.warning("Could not read the gap in %s from the log", stream, exc_info=True)
            frames = None
        self.due.pop(stream, None)
        self.gap_since.pop(stream, None)
        if not frames:  # cannot happen unless the database is failing: let listeners retry
            self.held.pop(stream, None)
            self._send(stream, None)
            return
        self._dispatch(stream, frames)

    def _send(self, stream: str, frames: list[dict] | None) -> None:
        batch = None
        if frames:
            self.heads[stream] = max(self.heads.get(stream, 0), frames[-1]["seq"])
            self.sent[stream] = frames[-1]["seq"]
            self.sent_at[stream] = asyncio.get_running_loop().time()
            batch = Batch(frames)
        for listener in list(self.listeners.get(stream, ())):
            listener.deliver(stream, batch)

    async def _read(self) -> None:
        delay = 0.5
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "Channel layer receive failed; rejoining in %.1f s", delay, exc_info=True
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
                await self._rejoin()
                continue
            delay = 0.5
            if message.get("type") == "stream.events":
                self._dispatch(message["stream"], message["events"])
            elif message.get("type") == "stream.presence":
                for listener in list(self.listeners.get(message["stream"], ())):
                    listener.presence(message["stream"], message["count"], message["names"])

    def presence_changed(self, stream: str) -> None:
        self.presence_dirty.add(stream)

    async def _send_presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_TICK)
            dirty, self.presence_dirty = self.presence_dirty, set()
            for stream in dirty:
                try:
                    snap = await database_sync_to_async(presence.snapshot)(stream)
                    await self.layer.group_send(
                        group_name(stream), {"type": "stream.presence", "stream": stream, **snap}
                    )
                except Exception:
                    log.warning("Could not send presence for %s", stream, exc_info=True)

    async def _rejoin(self, *, resync: bool = True) -> None:
        try:
            for stream in list(self.listeners):
                await self.layer.group_add(group_name(stream), self.channel)
        except Exception:
            log.warning("Channel layer still unavailable")
            return
        if not resync:
            return  # the periodic refresh: nothing was missed
        log.info(
            "Rejoined %d streams after a channel-layer failure; listeners resync",
            len(self.listeners),
        )
        for stream in list(self.listeners):
            await self._resync(stream)

    async def _check_heads(self) -> None:
        elapsed = 0
        while True:
            await asyncio.sleep(HEAD_CHECK_SECONDS)
            elapsed += HEAD_CHECK_SECONDS
            if elapsed >= REJOIN_SECONDS:
                elapsed = 0
                await self._rejoin(resync=False)
            streams = list(self.listeners)
            if not streams:
                continue
            try:
                heads = await database_sync_to_async(_heads)(streams)
            except Exception:
                log.warning("Could not read stream heads", exc_info=True)
                continue
            for stream, head in heads.items():
                if head > self.heads.get(stream, 0):
                    # Known at once, so heartbeats tell clients the real head even if the
                    # resync below fails: a client that is behind repairs over HTTP.
                    self.heads[stream] = head
                    await self._resync(stream)

    async def _keep_presence(self) -> None:
        """Mark this process's people present, and clear the rows of processes that died
        (their people's attendance closes at their last sign of life)."""
        while True:
            await asyncio.sleep(presence.TOUCH_SECONDS)
            try:
                await database_sync_to_async(presence.touch)()
                if await database_sync_to_async(presence.sweep)():
                    self.presence_dirty.update(s for s in self.listeners if presence.counted(s))
            except Exception:
                log.warning("Could not keep presence", exc_info=True)


def _heads(streams: list[str]) -> dict[str, int]:
    return dict(StreamHead.objects.filter(key__in=streams).values_list("key", "head"))


class AccessWatcher:
    """The hub's own listener on the `access` stream (realtime.access). It reads the
    log itself, in order, so a change the fast path dropped is still acted on (the hub's
    head check hands it a catch-up); a failed read is tried again shortly."""

    RETRY_SECONDS = 2

    def __init__(self, hub: Hub):
        self.hub = hub
        self.last: int | None = None
        self.lock = asyncio.Lock()

    async def start(self) -> None:
        while self.last is None:
            try:
                self.last = await database_sync_to_async(streams.head)(access.STREAM)
            except Exception:
                log.warning("Could not read the access stream's head", exc_info=True)
                await asyncio.sleep(self.RETRY_SECONDS)

    def deliver(self, stream: str, batch) -> None:
        asyncio.ensure_future(self.catch_up())

    def presence(self, stream: str, count: int, names: list[str]) -> None:
        pass

    async def catch_up(self) -> None:
        async with self.lock:
            events = [None]
            while events:
                try:
                    events = await database_sync_to_async(streams.events_after)(
                        access.STREAM, self.last
                    )
                except Exception:
                    log.warning("Could not read the access stream; retrying", exc_info=True)
                    loop = asyncio.get_running_loop()
                    loop.call_later(self.RETRY_SECONDS, self.deliver, access.STREAM, None)
                    return
                for event in events:
                    self.last = event["seq"]
                    self.hub.revoke(event["users"], event["streams"], event.get("sessions", ()))
                    self.hub.note_head(access.STREAM, self.last)
