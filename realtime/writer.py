"""Sends to a stream from one server process, written in batches.

A busy room's sends arrive faster than one transaction each could take them (each waits
for the stream's head row). So each process keeps one writer per stream: a send that
arrives while a batch is being written waits for the next one, and a batch is one call
of the stream kind's `send` (realtime/kinds.py; for a chat room, one transaction, one
range of numbers and one publish). A quiet room's send is written at once, on its own.
"""

import asyncio
import os
import weakref
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async

from realtime import kinds, streams
from realtime.kinds import Refused

MAX_BATCH = 50
# One thread per process writes every room's batches: batching makes one enough, and a
# thread that lives as long as the process keeps one database connection.
WRITER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-writer")


def _new_writer_thread() -> None:
    # A forked process (a test's server, a pre-forking deployment) has no threads, but a
    # copied executor that believes it has one: give the child an executor of its own.
    global WRITER_THREAD
    WRITER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-writer")


os.register_at_fork(after_in_child=_new_writer_thread)
_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


async def send(stored: str, send: kinds.Send):
    """(what was stored, seq), or the Refused that says why not."""
    writers = _writers.setdefault(asyncio.get_running_loop(), {})
    if stored not in writers:
        writers[stored] = RoomWriter(stored, writers)
    return await writers[stored].submit(send)


class RoomWriter:
    def __init__(self, stored: str, registry: dict):
        self.stored, self.registry = stored, registry
        self.waiting: list[tuple[tuple, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    def submit(self, send: tuple) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((send, future))
        if self.task is None:
            self.task = asyncio.create_task(self.write())
        return future

    async def write(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            try:
                # Off the connections' shared database thread, so that a subscribe or a
                # catch-up never waits behind a batch (and a batch never behind them).
                results = await database_sync_to_async(
                    store, thread_sensitive=False, executor=WRITER_THREAD
                )(self.stored, [send for send, _ in batch])
            except Exception as failure:  # noqa: BLE001 - each waiting sender hears of it
                results = [failure] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue  # its connection has gone
                if isinstance(result, Exception) and not isinstance(result, Refused):
                    future.set_exception(result)
                else:
                    future.set_result(result)
        self.task = None
        self.registry.pop(self.stored, None)


def store(stored: str, sends: list[kinds.Send]) -> list:
    kind = kinds.of(stored)
    if kind is None or kind.send is None:
        return [Refused("not_found", "")] * len(sends)
    results = kind.send(int(stored.partition(":")[2]), sends)
    # A stream you may not even see is not_found, not not_allowed (the two look the same).
    return [
        Refused("not_found", "")
        if isinstance(result, Refused)
        and result.code == "not_allowed"
        and not streams.visible_to(user, stored)
        else result
        for result, (user, *_) in zip(results, sends, strict=True)
    ]
