"""Telling the server processes about committed events, through the channel layer.

Each process subscribes once per stream it has local listeners for (realtime.hub), so a
message costs one channel-layer delivery per process, not one per connection.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def group_name(stream: str) -> str:
    # Group names allow letters, digits, "-", "_" and "."; stream keys use ":".
    return "stream." + stream.replace(":", ".")


def events(stream: str, frames: list[dict]) -> None:
    """Called on commit. The database already holds the events: if this fails, clients
    find them on their next catch-up, so a failure is logged, never raised."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(stream), {"type": "stream.events", "stream": stream, "events": frames}
        )
    except Exception:  # noqa: BLE001 - the fast path must never fail a committed write
        log.exception("Could not publish to %s", stream)
