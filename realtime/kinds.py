"""What a kind of stream means: learned from the apps, since realtime knows none of them.

realtime is transport: streams, sequence numbers, sockets and presence. Which kinds of
stream exist (`thread`, `room`), who may read one, what a `send` to it does, and what
joining or leaving it means are the apps' to say: each registers its kinds in its
`AppConfig.ready()`. The `user` stream (a person's own notifications) and the internal
`access` stream are realtime's own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple


class Send(NamedTuple):
    """One `send` frame, checked: who sent it, its text, its client_id, and the kind's
    own fields (a room's `question` and `reply_to`), as the kind's `check_send` passed
    them."""

    actor: Any
    body: str
    client_id: str
    fields: dict


class Refused(Exception):
    """A send (or another request) refused for a reason the live protocol names: its
    `code` is one of the protocol's error words, its `detail` a sentence for people."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Kind:
    name: str
    # (user, id) -> may this person read the stream? Unknown and invisible look the same.
    visible: Callable[[Any, int], bool]
    # (frame) -> (the kind's own fields of a send, checked; or None and what is wrong).
    check_send: Callable[[dict], tuple[dict | None, str | None]] | None = None
    # (id, [Send]) -> one result per send, in order: (anything, seq), a Refused, or the
    # exception that failed that send alone. Runs in the room writer's thread.
    send: Callable[[int, list[Send]], list] | None = None
    # Presence: (stored key, user, now, last seen or None) when a person's first socket
    # anywhere joins; (stored key, user id, when) when their last one leaves or is lost.
    joined: Callable[[str, Any, datetime, datetime | None], None] | None = None
    left: Callable[[str, int, datetime], None] | None = None
    # (stored key) -> None, on the event loop, when a socket subscribes (a session's clock).
    watched: Callable[[str], None] | None = None
    presence: bool = False  # whether the stream counts who is in it


_kinds: dict[str, Kind] = {}


def register(name: str, **hooks) -> Kind:
    """Called from an app's AppConfig.ready(); registering a name again replaces it."""
    _kinds[name] = Kind(name, **hooks)
    return _kinds[name]


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def of(stored: str) -> Kind | None:
    """The kind of a stored stream key ("room:7" -> the room kind)."""
    return _kinds.get(stored.partition(":")[0])
