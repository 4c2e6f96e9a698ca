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

from realtime import internals

BACKLOG = "staffroom.backlog"
# A close the application starts (4008 to a reader too slow to keep up) goes out behind
# what the socket already holds: give the client this long to read its way to it. (The
# library's default, 1 s, drops such a socket with no close frame: the client saw 1006
# and never learnt why.)
CLOSE_HANDSHAKE_SECONDS = 30


def backlog(protocol) -> int:
    """Bytes Twisted holds for this socket (its FileDescriptor write buffers)."""
    transport = getattr(protocol, "transport", None)
    return 0 if transport is None else internals.unsent_bytes(transport)


class BackpressureServer(Server):
    def run(self):
        # Reminders and CPD entries with no cron: see realtime.clock.every_minute.
        reactor.callWhenRunning(_every_minute)
        reactor.callWhenRunning(self._patient_close)
        super().run()

    def _patient_close(self) -> None:
        self.ws_factory.setProtocolOptions(closeHandshakeTimeout=CLOSE_HANDSHAKE_SECONDS)

    def create_application(self, protocol, scope):
        if scope.get("type") == "websocket":
            scope["extensions"] = {
                **scope.get("extensions", {}),
                BACKLOG: partial(backlog, protocol),
            }
        return super().create_application(protocol, scope)


def _every_minute() -> None:
    from realtime import clock  # Django is set up by now: the CLI loaded the application

    task = internals.reactor_loop(reactor).create_task(clock.every_minute())
    reactor.addSystemEventTrigger("before", "shutdown", task.cancel)


class BackpressureCLI(CommandLineInterface):
    server_class = BackpressureServer


if __name__ == "__main__":
    BackpressureCLI.entrypoint()
