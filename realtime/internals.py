"""Every place where Staffroom leans on a private attribute of Twisted, daphne's reactor
or asgiref, in one module. None of these is a public API: an upgrade may move them.
`tests/test_internals.py` checks each against the installed versions and fails loudly
(naming the attribute) when one has moved, instead of the server quietly losing its
backpressure or its non-blocking publish.
"""

import os

from asgiref.sync import SyncToAsync


def unsent_bytes(transport) -> int:
    """Bytes Twisted holds for a socket and has not yet written to the kernel: its
    FileDescriptor's buffer (`dataBuffer` from `offset`) and the list of writes not yet
    joined into it (`_tempDataLen`). Why: daphne gives no backpressure of its own."""
    pending = len(getattr(transport, "dataBuffer", b"")) - getattr(transport, "offset", 0)
    return pending + getattr(transport, "_tempDataLen", 0)


def reactor_loop(reactor):
    """The asyncio loop under Twisted's asyncio reactor (daphne installs one); its only
    name is the private `_asyncioEventloop`."""
    return reactor._asyncioEventloop


def loop_of_this_worker_thread():
    """The event loop that handed this worker thread its work (database_sync_to_async),
    if it is still running in this process: asgiref records it only on a private
    thread-local (`SyncToAsync.threadlocal.main_event_loop`, with the process id that set
    it, since a forked child inherits the thread-local but not the loop)."""
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop
