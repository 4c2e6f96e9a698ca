"""daphne, plus one thing it lacks: telling the application how much a socket has queued.

daphne hands each websocket.send straight to Twisted, which buffers without limit for a
client that reads slowly, so a per-connection queue in the application alone never fills.
This server adds the ASGI scope extension "staffroom.backlog": a callable returning the
bytes written to the socket and not yet taken by the kernel. The live consumer waits
while it is high and lets its own bounded queue fill, so a client that cannot keep up is
closed (4008) instead of growing the server's memory. Without the extension (tests, other
servers) the consumer simply never waits.

Each process also, once a minute, sends the session reminders that are due and records
the sessions that ended (`realtime.clock.every_minute`), so `make run` needs no cron.

    python -m realtime.server -b 127.0.0.1 -p 8000 config.asgi:application
"""

from functools import partial

from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.internet import reactor

BACKLOG = "staffroom.backlog"


def backlog(protocol) -> int:
    """Bytes Twisted holds for this socket (its FileDescriptor write buffers)."""
    transport = getattr(protocol, "transport", None)
    if transport is None:
        return 0
    pending = len(getattr(transport, "dataBuffer", b"")) - getattr(transport, "offset", 0)
    return pending + getattr(transport, "_tempDataLen", 0)


class BackpressureServer(Server):
    def run(self):
        # Reminders and CPD entries with no cron: see realtime.clock.every_minute.
        reactor.callWhenRunning(_every_minute)
        super().run()

    def create_application(self, protocol, scope):
        if scope.get("type") == "websocket":
            scope["extensions"] = {
                **scope.get("extensions", {}),
                BACKLOG: partial(backlog, protocol),
            }
        return super().create_application(protocol, scope)


def _every_minute() -> None:
    from realtime import clock  # Django is set up by now: the CLI loaded the application

    task = reactor._asyncioEventloop.create_task(clock.every_minute())
    reactor.addSystemEventTrigger("before", "shutdown", task.cancel)


class BackpressureCLI(CommandLineInterface):
    server_class = BackpressureServer


if __name__ == "__main__":
    BackpressureCLI.entrypoint()
