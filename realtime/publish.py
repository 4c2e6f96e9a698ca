"""Telling the server processes about committed events, through the channel layer.

Each process subscribes once per stream it has local listeners for (realtime.hub), so a
message costs one channel-layer delivery per process, not one per connection.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from realtime import internals

log = logging.getLogger(__name__)
_in_flight: set = set()  # publishes handed to the server's loop, until they finish


def group_name(stream: str) -> str:
    # Group names allow letters, digits, "-", "_" and "."; stream keys use ":".
    return "stream." + stream.replace(":", ".")


def events(stream: str, frames: list[dict]) -> None:
    """Called on commit. The database already holds the events: if this fails, clients
    find them on their next catch-up, so a failure is logged, never raised.

    In a server process the write ran in a worker thread; the publish is handed to the
    event loop without waiting for it, so the thread (and the next write, which may be
    waiting for this one's row lock) moves on. Hubs put events back in seq order."""
    message = {"type": "stream.events", "stream": stream, "events": frames}
    group = group_name(stream)
    loop = _server_loop()
    if loop is None:
        try:
            async_to_sync(get_channel_layer().group_send)(group, message)
        except Exception:  # noqa: BLE001 - the fast path must never fail a committed write
            log.exception("Could not publish to %s", stream)
        return
    future = asyncio.run_coroutine_threadsafe(get_channel_layer().group_send(group, message), loop)
    _in_flight.add(future)
    future.add_done_callback(lambda done: _finished(done, stream))


def _server_loop():
    """The running event loop that started this worker thread, if any."""
    loop = internals.loop_of_this_worker_thread()
    if loop is None:
        return None
    try:
        asyncio.get_running_loop()
        return None  # we are on a loop ourselves: async_to_sync knows what to do
    except RuntimeError:
        return loop if loop.is_running() else None


def _finished(future, stream: str) -> None:
    _in_flight.discard(future)
    if not future.cancelled() and future.exception() is not None:
        log.error("Could not publish to %s", stream, exc_info=future.exception())
