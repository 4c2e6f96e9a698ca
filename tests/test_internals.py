"""The private attributes realtime/internals.py leans on still exist in the installed
Twisted, daphne and asgiref. If one of these fails after an upgrade, do not skip it:
find where the attribute moved and change realtime/internals.py (and only it)."""

import asyncio

import pytest
from asgiref.sync import SyncToAsync, sync_to_async

from realtime import internals


def test_twisted_still_buffers_a_sockets_unsent_bytes_where_we_read_them():
    from twisted.internet.abstract import FileDescriptor

    transport = FileDescriptor.__new__(FileDescriptor)
    FileDescriptor.__init__(transport)
    for name in ("dataBuffer", "offset", "_tempDataLen"):
        assert hasattr(transport, name), f"Twisted's FileDescriptor has no {name!r} now"
    transport._tempDataBuffer.append(b"x" * 10)
    transport._tempDataLen += 10
    assert internals.unsent_bytes(transport) == 10


def test_the_asyncio_reactor_still_names_its_loop_where_we_read_it():
    from twisted.internet.asyncioreactor import AsyncioSelectorReactor

    loop = asyncio.new_event_loop()
    try:
        reactor = AsyncioSelectorReactor(loop)
        assert internals.reactor_loop(reactor) is loop
    finally:
        loop.close()


@pytest.mark.asyncio
async def test_asgiref_still_records_the_loop_that_handed_a_thread_its_work():
    assert hasattr(SyncToAsync, "threadlocal"), "asgiref's SyncToAsync has no threadlocal"
    running = asyncio.get_running_loop()
    seen = await sync_to_async(internals.loop_of_this_worker_thread, thread_sensitive=False)()
    assert seen is running
    assert internals.loop_of_this_worker_thread() is None  # not in a worker thread


def test_the_server_gives_a_slow_readers_close_frame_time_to_arrive():
    """autobahn drops a socket 1 s after a close the peer has not answered (1006, no
    reason); realtime.server sets the option daphne leaves at that default."""
    from autobahn.twisted.websocket import WebSocketServerFactory

    from realtime.server import CLOSE_HANDSHAKE_SECONDS

    factory = WebSocketServerFactory()
    assert factory.closeHandshakeTimeout == 1  # the default it replaces
    factory.setProtocolOptions(closeHandshakeTimeout=CLOSE_HANDSHAKE_SECONDS)
    assert factory.closeHandshakeTimeout == CLOSE_HANDSHAKE_SECONDS
