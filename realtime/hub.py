"""One process's window onto the channel layer: one subscription per stream per process.

Connections register their interest here; the hub joins the stream's group once, reads
the layer on one channel, and hands each batch of events to its local listeners. Every
HEAD_CHECK_SECONDS it also reads the streams' heads from the database: a listener that
is behind (the fast path dropped something, or the layer was down) catches up from the
log. When the layer fails, the hub logs it, rejoins its groups with backoff and tells
its listeners to resync.
"""

import asyncio
import contextlib
import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from realtime import presence
from realtime.models import StreamHead
from realtime.publish import group_name

log = logging.getLogger(__name__)
HEAD_CHECK_SECONDS = 25
PRESENCE_TICK = 2  # at most one presence snapshot per room per process this often
REJOIN_SECONDS = 1800  # channels_redis forgets group members after a day by default

_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> "Hub":
    """The hub of the running event loop (one per server process; one per test's loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.listeners: dict[str, set] = {}
        self.heads: dict[str, int] = {}  # the highest seq seen per stream
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()
        self.presence_dirty: set[str] = set()

    async def subscribe(self, stream: str, listener) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("hub.")
                self.tasks = [
                    asyncio.create_task(self._read()),
                    asyncio.create_task(self._check_heads()),
                    asyncio.create_task(self._send_presence()),
                ]
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
                self.heads.pop(stream, None)
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(group_name(stream), self.channel)

    def note_head(self, stream: str, seq: int) -> None:
        """A listener caught up to `seq` from the log: not a reason to resync."""
        self.heads[stream] = max(self.heads.get(stream, 0), seq)

    def _dispatch(self, stream: str, frames: list[dict] | None) -> None:
        if frames:
            self.heads[stream] = max(self.heads.get(stream, 0), frames[-1]["seq"])
        for listener in list(self.listeners.get(stream, ())):
            listener.deliver(stream, frames)

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
            self._dispatch(stream, None)  # None: catch up from the database

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
            await self._touch_presence()
            try:
                heads = await database_sync_to_async(_heads)(streams)
            except Exception:
                log.warning("Could not read stream heads", exc_info=True)
                continue
            for stream, head in heads.items():
                if head > self.heads.get(stream, 0):
                    self.heads[stream] = head
                    self._dispatch(stream, None)

    async def _touch_presence(self) -> None:
        """Keep this process's people present (rows of a crashed process fade out)."""
        for stream, listeners in list(self.listeners.items()):
            if stream.startswith("room:"):
                users = [listener.user.pk for listener in listeners]
                with contextlib.suppress(Exception):
                    await database_sync_to_async(presence.touch)(stream, users)


def _heads(streams: list[str]) -> dict[str, int]:
    return dict(StreamHead.objects.filter(key__in=streams).values_list("key", "head"))
