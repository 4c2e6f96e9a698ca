"""Streams: what a key names, who may read it, appending events, and reading the log.

A stream key is what clients say: `<kind>:<id>` for a kind an app registered
(realtime/kinds.py: `thread:<id>`, `room:<id>`), or `user` (the viewer's own
notifications, stored under `user:<id>`). Every event is committed with a gapless,
strictly increasing `seq` before anyone is told about it (realtime.publish, on commit).
"""

import re

from django.db import transaction

from realtime import kinds, publish
from realtime.models import StreamEvent, StreamHead

REPLAY_LIMIT = 500  # more missed than this: the client is told to reset and reload
_KEY = re.compile(r"([a-z]{1,20}):([1-9]\d{0,17})")


def storage_key(user, key: str) -> str | None:
    """The stored key of a stream a client names, or None if the name is not a stream."""
    if key == "user":
        return f"user:{user.pk}"
    match = _KEY.fullmatch(key)  # not match: "room:5\n" is no stream
    if match is None or kinds.get(match[1]) is None:
        return None
    return key


def visible_to(user, stored: str) -> bool:
    """May this person read this stream? (Unknown and invisible look the same: not_found.)"""
    if not user.is_authenticated or not user.is_active:
        return False
    name, _, ident = stored.partition(":")
    if name == "user":
        return ident == str(user.pk)
    kind = kinds.get(name)
    return kind is not None and kind.visible(user, int(ident))


def append(
    *, stream: str, kind: str, data: dict, actor=None, client_id: str = "", ref: str = ""
) -> StreamEvent:
    """Add an event to a stream inside the caller's transaction; it is published only if
    and when that transaction commits. `ref` names the thing the event shows (for
    example "message:12"), so that `rewrite` can change what the log keeps of it."""
    item = {"kind": kind, "data": data, "actor": actor, "client_id": client_id, "ref": ref}
    return append_many(stream, [item])[0]


def append_many(stream: str, items: list[dict]) -> list[StreamEvent]:
    """Add events (dicts of kind, data, actor, client_id, ref) with consecutive numbers, in
    the caller's transaction; they are published together on commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("streams.append() runs inside the writer's transaction")
    head = _take_seqs(stream, len(items))
    events = StreamEvent.objects.bulk_create(
        StreamEvent(stream=stream, seq=head - len(items) + 1 + i, **item)
        for i, item in enumerate(items)
    )
    frames = [event.as_frame() for event in events]
    transaction.on_commit(lambda: publish.events(stream, frames))
    return events


def _take_seqs(stream: str, count: int) -> int:
    """Take the stream's next `count` numbers; returns the last. The upsert holds the
    head row's lock until commit: a second writer waits here, so events commit in seq
    order and a rollback gives its numbers back. One statement (PostgreSQL, and SQLite
    from 3.35), because a busy room's writers queue on this lock for as long as it is held."""
    connection = transaction.get_connection()
    table, key, head = (
        connection.ops.quote_name(name) for name in (StreamHead._meta.db_table, "key", "head")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {head}) VALUES (%s, %s) ON CONFLICT ({key}) "
            f"DO UPDATE SET {head} = {table}.{head} + %s RETURNING {head}",
            [stream, count, count],
        )
        return cursor.fetchone()[0]


def rewrite(ref: str, data: dict) -> int:
    """Change what the log keeps of `ref` in every event that showed it (the keys of
    `data` replace the stored ones): an edited, hidden, deleted or erased message is then
    never served again in its old words by a replay, a resume or the HTTP history.
    Returns the number of events changed. In the caller's transaction."""
    events = list(StreamEvent.objects.filter(ref=ref).only("pk", "data"))
    for event in events:
        event.data = {**event.data, **data}
    StreamEvent.objects.bulk_update(events, ["data"], batch_size=500)
    return len(events)


def seq_of(stream: str, client_id: str) -> int | None:
    """The seq of the event a client sent with this id (for repeating its ack)."""
    return (
        StreamEvent.objects.filter(stream=stream, client_id=client_id)
        .values_list("seq", flat=True)
        .first()
    )


def head(stream: str) -> int:
    return StreamHead.objects.filter(key=stream).values_list("head", flat=True).first() or 0


def events_after(stream: str, after: int, *, limit: int = REPLAY_LIMIT) -> list[dict]:
    rows = StreamEvent.objects.filter(stream=stream, seq__gt=after).order_by("seq")[:limit]
    return [event.as_frame() for event in rows]
