"""A thousand websocket clients in one chat room: latency, loss and recovery.

    cd /work/main && .venv/bin/python bench/live_load.py          # all; writes the doc
    cd /work/main && .venv/bin/python bench/live_load.py --quick  # 200 clients; prints only
    cd /work/main && .venv/bin/python bench/live_load.py --only steady,redis --seconds 30

Everything runs on 127.0.0.1 and is stopped at the end:
- a private redis-server on port 6390 (so the restart scenario touches nothing else);
- --servers Staffroom processes (bench/live_server.py, i.e. realtime.server) sharing the
  PostgreSQL database staffroom_live (created and migrated if missing) and that Redis;
- this process: --clients websocket clients spread over the servers, --senders of whom
  also send (as real people, through the same `send` frame and rate limits as anyone).

The load: 10 messages a second, plus a burst of 30 sent at once every 10 seconds.

Scenarios (each in a fresh room, all clients connected and subscribed first):
  steady    the load, nothing else                                        (a)
  redis     Redis is stopped for 2 s in the middle of the run             (b)
  drop      every server process is killed in the middle and restarted,
            so every socket drops at once and every client reconnects     (c)
  slow      1% of the clients read one frame a second while the load lasts,
            then catch up (they must end with everything too)             (d)
  session   a timed session (docs/sessions.md) with every client in its room, under
            the same load, the senders answering the latest question they have seen;
            questions fall due every --question-every seconds during the run, and
            every client must see each `question.released` within 1 s (p99)
  quiet     a calm room over the same servers: one message every 2 s for the run,
            nothing else (what a teacher typing into a quiet room waits for; a quiet
            room must not look like an outage to the servers' channel-layer reads)
  dbkill    an idle room: every database connection of the servers is terminated
            (pg_terminate_backend) while nobody sends, then 10 messages are sent; every
            client must receive all 10 (no socket left silent, issue 14)
  baseline  plain Channels (a consumer and a channel per connection, one
            group_send per message) under the same load, for comparison

The session scenario's clock. A run-sheet's offsets are whole minutes, so in a 60 s run
at most one question could fall due, and shifting the start moves every due time by the
same amount, keeping them a minute apart. So the servers (and this process, to know the
due times) run with a run-sheet minute of --question-every seconds (12.5 by default:
bench/live_server.py's compress_session_minutes; ChatSession.due_at still decides, only
its minute is shorter). In a 60 s run, three questions fall due, 25, 37.5 and 50 s after
the start: the first with a burst of 30 sends, the others between bursts. The session is
network-wide, created an hour ahead (a start must be in the future) while the clients
connect, and started by its host
(`sessions.control(action="start")`) the moment the load begins; its questions have
offsets 2, 3, ... so that the first falls due 2 x --question-every seconds after the
start (after every server's clock has re-read the run-sheet, which it does at least every
15 s) and the last at least 8 s before the load ends. Nothing in this process releases a
question: the servers do, by their own clocks (community/session_clock.py's timers) or on the
first send after a due time, whichever comes first. A client's release latency is from
the question's due time (ChatSession.due_at) to the client reading its
`question.released`; p99 is over clients x questions.

Every client subscribes with the room's head when the run starts and must end with every
event after it exactly once and in order (checked per client, across reconnects).
Latency runs from the moment a sender wrote its `send` frame to the moment each client
read the event, so it includes the database write, the channel layer and both ends.
A full run rewrites the "## Live delivery" section of docs/performance.md and writes the
figures as JSON to --json (default: /tmp/live_load.json).
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # this directory holds markdown.py, which would shadow Markdown
from bench.perfdoc import write_section  # noqa: E402

HEADING = "## Live delivery"
REDIS_PORT = 6390
FIRST_PORT = 8811
RATE = 10  # messages a second
BURST, BURST_EVERY = 30, 10  # a burst of 30 messages at once every 10 s
SLOW_SHARE, SLOW_READ = 0.01, 1.0  # 1% of the clients read a frame a second
P99_BAR, SLOW_BAR = 0.5, 1.2
RELEASE_BAR = 1.0  # seconds from a question's due time to every client seeing it (p99)
FIRST_OFFSET = 2  # the first question's offset, in (compressed) run-sheet minutes
SCENARIOS = "steady,redis,drop,slow,session,quiet,dbkill,baseline"

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/staffroom_live")
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def prepare_database() -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("bench/live_load.py needs PostgreSQL: unset DATABASE_URL for staffroom_live.")
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as server:
        if not server.execute(
            "SELECT 1 FROM pg_database WHERE datname=%s", [db["NAME"]]
        ).fetchone():
            server.execute(f'CREATE DATABASE "{db["NAME"]}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_room(clients: int, label: str, questions: int = 0) -> tuple[str, list[str], int]:
    """A fresh network space with `clients` members: (stream, session cookies, head).
    With `questions`, a fresh network-wide timed session's room instead (see above)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from community.models import Membership, Space, User
    from community.services import chat
    from realtime import streams

    existing = {u.username: u for u in User.objects.filter(username__startswith="load")}
    User.objects.bulk_create(
        [
            User(
                username=f"load{i:04d}",
                email=f"load{i:04d}@bench.test",
                first_name="Load",
                last_name=f"Teacher {i}",
            )
            for i in range(clients)
            if f"load{i:04d}" not in existing
        ]
    )
    users = list(User.objects.filter(username__startswith="load").order_by("username")[:clients])
    if questions:
        room = make_session(questions).room
    else:
        space = Space.objects.create(
            name=f"Load hour {label} {time.strftime('%H:%M:%S')}",
            slug=f"load-{label}-{time.time_ns()}",
            kind=Space.Kind.NETWORK,
        )
        Membership.objects.bulk_create([Membership(space=space, user=u) for u in users])
        room = chat.room_for(space)
    cookies = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return room.stream, cookies, streams.head(room.stream)


def make_session(questions: int):
    """A network-wide session an hour ahead, hosted by staff, with `questions` questions
    at offsets FIRST_OFFSET, FIRST_OFFSET + 1, ... (compressed minutes)."""
    from django.utils import timezone

    from community.models import User
    from community.services import sessions

    host, _ = User.objects.get_or_create(
        username="loadhost",
        defaults={"email": "loadhost@bench.test", "first_name": "Load", "last_name": "Host"},
    )
    if not host.is_staff:
        host.is_staff = True
        host.save(update_fields=["is_staff"])
    sheet = sessions.RunSheet(
        title=f"Load session {time.strftime('%H:%M:%S')}",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        duration_minutes=60,
        questions=[f"Q{n}: what made the difference this week?" for n in range(1, questions + 1)],
        offsets=list(range(FIRST_OFFSET, FIRST_OFFSET + questions)),
    )
    return sessions.create_session(actor=host, sheet=sheet)


def start_session(stream: str) -> None:
    """The host presses Start (the load begins at once)."""
    from community.models import ChatSession
    from community.services import sessions

    session = ChatSession.objects.get(room_id=int(stream.partition(":")[2]))
    sessions.control(actor=session.host, session=session, action="start")


def due_times(stream: str) -> dict[int, tuple[float, float]]:
    """Question number -> (when it was due, when a server stamped it released), as Unix
    times, from the database after the run (ChatSession.due_at, compressed as above)."""
    from community.models import ChatSession

    session = ChatSession.objects.get(room_id=int(stream.partition(":")[2]))
    return {
        q.number: (
            session.due_at(q).timestamp(),
            q.released_at.timestamp() if q.released_at else float("nan"),
        )
        for q in session.questions.order_by("number")
    }


def session_questions(args) -> int:
    """How many questions fall due inside the run (the last at least 8 s before its end)."""
    return max(1, int((args.seconds - 8) // args.question_every) - FIRST_OFFSET + 1)


# --- The processes under test ------------------------------------------------------------


class Redis:
    def __init__(self):
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(REDIS_PORT)

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()


class Servers:
    def __init__(self, kind: str, count: int, logdir: Path):
        self.kind, self.ports, self.logdir = kind, [FIRST_PORT + i for i in range(count)], logdir
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "live_server.py"), self.kind, str(port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(self.logdir / f"{self.kind}-{port}.log").open("a"),
            )
            for port in self.ports
        ]
        for port in self.ports:
            wait_for_port(port, timeout=60)

    def kill(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
        for process in self.processes:
            process.wait()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes:
            with open(f"/proc/{process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def log_count(self, needle: str) -> int:
        return sum(log.read_text().count(needle) for log in self.logdir.glob(f"{self.kind}-*.log"))


def wait_for_port(port: int, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"nothing is listening on 127.0.0.1:{port}")
        time.sleep(0.1)


# --- The clients ------------------------------------------------------------------------


class Run:
    """What one scenario's clients share: what was sent, and when."""

    def __init__(self, stream: str, baseline: bool = False, extra_events: int = 0):
        self.stream, self.baseline = stream, baseline
        # Events in the stream that are not messages (a session's start and releases).
        self.extra_events = extra_events
        self.answering = extra_events > 0  # senders tag answers with the latest question
        self.sent: dict[str, float] = {}  # client_id -> when it was first written
        self.acked: dict[str, int] = {}  # client_id -> seq
        self.refused: dict[str, int] = {}
        self.latencies: list[float] = []
        self.ack_latencies: list[float] = []  # send written -> ack read: the write path
        self.slow_latencies: list[float] = []
        self.fanout: list[float] = []  # event written (its `at`) -> read by a client
        self.stopping = False
        self.draining = False  # the load is over: slow readers read at full speed again


class Client:
    def __init__(self, run: Run, port: int, cookie: str, after: int, *, slow: bool = False):
        self.run, self.port, self.cookie, self.slow = run, port, cookie, slow
        self.last = after
        self.seqs: list[int] = []
        self.got = 0  # events of messages sent in this run
        self.pending: dict[str, str] = {}  # client_id -> body, until acked
        self.ws = None
        self.subscribed = asyncio.Event()
        self.reconnects = 0
        self.closes: dict[int, int] = {}
        self.resets = 0
        self.releases: list[tuple[int, float]] = []  # (question number, Unix time read)

    async def main(self) -> None:
        import websockets

        delay = 0.25
        while not self.run.stopping:
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/live/",
                    additional_headers={"Cookie": self.cookie},
                    origin=f"http://127.0.0.1:{self.port}",
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=4 if self.slow else 64,
                ) as ws:
                    await ws.send(
                        json.dumps(
                            {"type": "subscribe", "stream": self.run.stream, "after": self.last}
                        )
                    )
                    self.ws = ws
                    if self.run.baseline:  # it joined the group before accepting
                        self.subscribed.set()
                    for client_id, body in list(self.pending.items()):
                        await self.write(client_id, body)
                    delay = 0.25
                    async for text in ws:
                        self.receive(json.loads(text))
                        if self.slow and not self.run.draining:
                            await asyncio.sleep(SLOW_READ)
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                self.closes[code] = self.closes.get(code, 0) + 1
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                self.closes[0] = self.closes.get(0, 0) + 1
            self.ws = None
            self.subscribed.clear()
            if self.run.stopping:
                return
            self.reconnects += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # backoff with jitter
            delay = min(delay * 2, 5)

    def receive(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "events":
            now = time.monotonic()
            self.subscribed.set()
            latencies = self.run.slow_latencies if self.slow else self.run.latencies
            for event in frame["events"]:
                self.seqs.append(event["seq"])
                self.last = max(self.last, event["seq"])
                if event["kind"] == "question.released":
                    self.releases.append((event["number"], time.time()))
                sent = self.run.sent.get(event.get("client_id"))
                if sent is not None:
                    self.got += 1
                    latencies.append(now - sent)
                    if not self.slow and "at" in event:
                        self.run.fanout.append(time.time() - _timestamp(event["at"]))
        elif kind == "ack":
            if self.pending.pop(frame["client_id"], None) is not None:
                self.run.ack_latencies.append(time.monotonic() - self.run.sent[frame["client_id"]])
            self.run.acked[frame["client_id"]] = frame["seq"]
        elif kind == "error":
            self.pending.pop(frame.get("client_id"), None)
            self.run.refused[frame["code"]] = self.run.refused.get(frame["code"], 0) + 1
        elif kind == "reset":
            self.resets += 1
            self.last = frame["head"]
        elif kind in {"hb", "presence"}:
            self.subscribed.set()

    async def send(self, client_id: str, body: str) -> None:
        self.run.sent[client_id] = time.monotonic()
        self.pending[client_id] = body
        await self.write(client_id, body)

    async def write(self, client_id: str, body: str) -> None:
        frame = {"type": "send", "stream": self.run.stream, "client_id": client_id, "body": body}
        if self.run.answering and self.releases:  # "A3: ...": the latest question seen
            frame["question"] = max(number for number, _ in self.releases)
        try:
            if self.ws is not None:
                await self.ws.send(json.dumps(frame))
        except Exception:  # noqa: BLE001 - the socket dropped: resent on reconnect
            pass


def _timestamp(iso: str) -> float:
    return datetime.datetime.fromisoformat(iso).timestamp()


async def offer_load(run: Run, senders: list[Client], seconds: float, events: dict) -> int:
    """RATE messages a second and a BURST every BURST_EVERY seconds; events maps a second
    into the run to a coroutine function to start then. Returns the messages offered."""
    start = time.monotonic()
    turn = sent = 0
    next_burst = BURST_EVERY / 2
    tick = 0
    while (elapsed := time.monotonic() - start) < seconds:
        for at in [at for at in events if at <= elapsed]:
            asyncio.create_task(events.pop(at)())
        batch = 1
        if elapsed >= next_burst:
            batch += BURST
            next_burst += BURST_EVERY
        for _ in range(batch):
            sender = senders[turn % len(senders)]
            turn += 1
            sent += 1
            await sender.send(f"{run.stream}-{sent}", f"Answer {sent}: trying think-pair-share")
        tick += 1
        await asyncio.sleep(max(0, start + tick / RATE - time.monotonic()))
    return sent


async def calm(run: Run, senders: list[Client], seconds: float, every: float = 2) -> int:
    """One message every `every` seconds from a different sender, nothing else."""
    sent = 0
    while sent * every < seconds:
        sender = senders[sent % len(senders)]
        sent += 1
        await sender.send(f"{run.stream}-{sent}", f"A calm thought {sent}")
        await asyncio.sleep(every)
    return sent


async def idle_then_send(run: Run, senders: list[Client], quiet: float = 5) -> int:
    """Nobody sends; every server's database connection is terminated in the quiet; then
    ten people send one message each, a second apart."""
    await asyncio.sleep(quiet)
    await asyncio.to_thread(terminate_database_connections)
    await asyncio.sleep(quiet)
    for i, sender in enumerate(senders[:10]):
        await sender.send(f"{run.stream}-{i + 1}", f"After the outage {i + 1}")
        await asyncio.sleep(1)
    return min(10, len(senders))


def terminate_database_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def scenario(name: str, args, servers: Servers, redis: Redis) -> dict:
    questions = session_questions(args) if name == "session" else 0
    stream, cookies, head = await asyncio.to_thread(make_room, args.clients, name, questions)
    run = Run(stream, baseline=name == "baseline", extra_events=questions and 1 + questions)
    slow_count = max(1, round(args.clients * SLOW_SHARE)) if name == "slow" else 0
    clients = [
        Client(
            run,
            servers.ports[i % len(servers.ports)],
            cookie,
            head,
            slow=i >= args.clients - slow_count,
        )
        for i, cookie in enumerate(cookies)
    ]
    tasks = []
    began = time.monotonic()
    for i in range(0, len(clients), 50):  # connect in waves, as a room fills before an hour
        tasks += [asyncio.create_task(c.main()) for c in clients[i : i + 50]]
        await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in clients)), timeout=180)
    connect_seconds = time.monotonic() - began
    await asyncio.sleep(3)  # presence settles

    marks: dict[str, float] = {}
    half = args.seconds / 2

    async def redis_outage():
        marks["outage_at"] = time.monotonic()
        redis.stop()
        await asyncio.sleep(2)
        redis.start()

    async def drop_everyone():
        marks["outage_at"] = time.monotonic()
        servers.kill()
        await asyncio.to_thread(servers.start)
        marks["servers_back_after"] = time.monotonic() - marks["outage_at"]

    lags: list[float] = []

    async def watch_own_loop():  # how late this process's own loop runs: a measuring error
        while not run.stopping:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - before - 0.01)

    watcher = asyncio.create_task(watch_own_loop())
    events = {"redis": {half: redis_outage}, "drop": {half: drop_everyone}}.get(name, {})
    cpu_before, own_before = servers.cpu_seconds(), time.process_time()
    senders = clients[: args.senders]
    if questions:
        await asyncio.to_thread(start_session, stream)
    if name == "dbkill":
        offered = await idle_then_send(run, senders)
    elif name == "quiet":
        offered = await calm(run, senders, args.seconds)
    else:
        offered = await offer_load(run, senders, args.seconds, events)
    marks["generator_cpu"] = time.process_time() - own_before
    run.draining = True
    # Wait for the acks and for every client to reach the head (the baseline has no
    # head: wait until nothing more has arrived for 3 seconds).
    deadline = time.monotonic() + 60
    arrived, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        if any(s.pending for s in senders) or len(run.acked) + sum(run.refused.values()) < offered:
            continue
        if name == "baseline":
            if (now_arrived := len(run.latencies)) != arrived:
                arrived, still_since = now_arrived, time.monotonic()
            elif time.monotonic() - still_since > 3:
                break
        elif all(c.last >= head + len(run.acked) + run.extra_events for c in clients):
            break
    drained_seconds = time.monotonic() - began - connect_seconds - 3 - args.seconds
    cpu = servers.cpu_seconds() - cpu_before if name not in {"drop"} else None
    run.stopping = True
    await watcher
    marks["generator_lag_p99"] = percentile(lags, 0.99)
    for client in clients:
        if client.ws is not None:
            await client.ws.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if questions:
        marks["due"] = await asyncio.to_thread(due_times, stream)
    return summarise(
        name, args, run, clients, head, offered, connect_seconds, drained_seconds, cpu, marks
    )


def summarise(
    name, args, run, clients, head, offered, connect_seconds, drained_seconds, cpu, marks
) -> dict:
    expected_events = len(run.acked) + run.extra_events
    lost = doubled = reordered = 0
    for client in clients:
        if name == "baseline":  # no log and no seq to check: count what arrived
            lost += max(0, expected_events - client.got)
            continue
        seen = set(client.seqs)
        doubled += len(client.seqs) - len(seen)
        reordered += sum(1 for a, b in zip(client.seqs, client.seqs[1:], strict=False) if b < a)
        lost += len(set(range(head + 1, head + expected_events + 1)) - seen)
    delivered = len(run.latencies) + len(run.slow_latencies)
    result = {
        "scenario": name,
        "clients": len(clients),
        "servers": args.servers,
        "seconds": args.seconds,
        "offered": offered,
        "acked": len(run.acked),
        "refused": run.refused,
        "deliveries": delivered,
        "deliveries_per_second": round(delivered / args.seconds),
        "connect_seconds": round(connect_seconds, 1),
        "drain_seconds": round(max(0.0, drained_seconds), 1),
        "ack_p50_ms": round(percentile(run.ack_latencies, 0.50) * 1000, 1),
        "ack_p99_ms": round(percentile(run.ack_latencies, 0.99) * 1000, 1),
        "fanout_p50_ms": round(percentile(run.fanout, 0.50) * 1000, 1),
        "fanout_p99_ms": round(percentile(run.fanout, 0.99) * 1000, 1),
        "p50_ms": round(percentile(run.latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(run.latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(run.latencies, 0.99) * 1000, 1),
        "max_ms": round(max(run.latencies, default=float("nan")) * 1000, 1),
        "lost": lost,
        # Clients that heard none of the run's messages although some were acked.
        "silent": sum(1 for c in clients if run.acked and not c.got),
        "doubled": doubled,
        "reordered": reordered,
        "resets": sum(c.resets for c in clients),
        "reconnects": sum(c.reconnects for c in clients),
        "closes": {
            str(k): v
            for k, v in sorted(
                {
                    code: sum(c.closes.get(code, 0) for c in clients)
                    for code in {code for c in clients for code in c.closes}
                }.items()
            )
        },
        "server_cpu_seconds": None if cpu is None else round(cpu, 1),
        "server_cpu_us_per_delivery": None
        if cpu is None or not delivered
        else round(cpu / delivered * 1e6, 1),
    }
    if run.slow_latencies:
        result["slow_readers"] = sum(1 for c in clients if c.slow)
        result["slow_p99_ms"] = round(percentile(run.slow_latencies, 0.99) * 1000, 1)
    result["generator_cpu_seconds"] = round(marks["generator_cpu"], 1)
    result["generator_lag_p99_ms"] = round(marks["generator_lag_p99"] * 1000, 1)
    if "servers_back_after" in marks:
        result["servers_back_seconds"] = round(marks["servers_back_after"], 1)
    if "due" in marks:
        result.update(releases(args, clients, marks["due"]))
    return result


def releases(args, clients, due: dict[int, tuple[float, float]]) -> dict:
    """Each client's reading of each question.released against the question's due time."""
    latencies, lost, doubled, reordered = [], 0, 0, 0
    per_question: dict[int, list[float]] = {number: [] for number in due}
    for client in clients:
        numbers = [number for number, _ in client.releases]
        lost += len(set(due) - set(numbers))
        doubled += len(numbers) - len(set(numbers))
        reordered += sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b < a)
        for number, read_at in client.releases:
            if number in due:
                latencies.append(read_at - due[number][0])
                per_question[number].append(read_at - due[number][0])
    return {
        "question_every_s": args.question_every,
        "questions": len(due),
        "releases": len(latencies),
        "release_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "release_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "release_max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "releases_lost": lost,
        "releases_doubled": doubled,
        "releases_reordered": reordered,
        # How late a server stamped each question (its clock or a send), and how late the
        # last client read it: where a slow release's time went.
        "stamped_late_ms": {
            str(n): round((stamped - when) * 1000, 1) for n, (when, stamped) in due.items()
        },
        "question_max_ms": {
            str(n): round(max(v, default=float("nan")) * 1000, 1) for n, v in per_question.items()
        },
    }


async def main_async(args) -> list[dict]:
    from bench.live_server import MINUTE_ENV, compress_session_minutes

    logdir = Path(args.logs)
    logdir.mkdir(parents=True, exist_ok=True)
    os.environ[MINUTE_ENV] = str(args.question_every)  # the servers' run-sheet minute...
    compress_session_minutes(args.question_every)  # ...and this process's, to measure by
    redis = Redis()
    results = []
    try:
        redis.start()
        for name in args.only:
            kind = "baseline" if name == "baseline" else "staffroom"
            for old in logdir.glob("*.log"):
                old.unlink()
            servers = Servers(kind, args.servers, logdir)
            try:
                servers.start()
                print(f"-- {name}: {args.clients} clients for {args.seconds} s", flush=True)
                results.append(await scenario(name, args, servers, redis))
                results[-1]["channel_layer_recoveries"] = servers.log_count("Rejoined")
                print(json.dumps(results[-1]), flush=True)
            finally:
                servers.stop()
    finally:
        redis.stop()
    return results


def verdicts(results: list[dict]) -> list[str]:
    """One line per bar the issue sets, each ending in met or MISSED."""
    by = {r["scenario"]: r for r in results}
    lines = []
    for r in results:
        if r["scenario"] == "baseline":
            continue
        clean = r["lost"] == r["doubled"] == r["reordered"] == 0 and not r["refused"]
        state = "met" if clean else "MISSED"
        lines.append(f"{r['scenario']}: nothing lost, doubled or reordered: {state}")
    session = by.get("session")
    if session:
        clean = session["releases_lost"] == session["releases_doubled"] == 0
        state = "met" if clean and session["release_p99_ms"] <= RELEASE_BAR * 1000 else "MISSED"
        lines.append(
            f"session: question.released p99 {session['release_p99_ms']} ms after its due "
            f"time ({session['clients']:,} clients x {session['questions']} questions), "
            f"{session['releases_lost']} lost, {session['releases_doubled']} doubled; bar "
            f"{RELEASE_BAR * 1000:.0f} ms, none lost or doubled: {state}"
        )
        state = "met" if session["p99_ms"] <= P99_BAR * 1000 else "MISSED"
        lines.append(
            f"session: message p99 {session['p99_ms']} ms, bar {P99_BAR * 1000:.0f} ms: {state}"
        )
    quiet = by.get("quiet")
    if quiet:
        lines.append(
            f"quiet: a calm room over {quiet['servers']} processes, p50 {quiet['p50_ms']} ms, "
            f"p99 {quiet['p99_ms']} ms, {quiet['channel_layer_recoveries']} channel-layer "
            "recoveries (an idle read taken for an outage would show here)"
        )
    dbkill = by.get("dbkill")
    if dbkill:
        state = "met" if dbkill["lost"] == dbkill["silent"] == 0 else "MISSED"
        lines.append(
            f"dbkill: after every database connection was terminated in a quiet room, "
            f"{dbkill['lost']} events lost and {dbkill['silent']} sockets left silent: {state}"
        )
    steady = by.get("steady")
    if steady:
        state = "met" if steady["p99_ms"] <= P99_BAR * 1000 else "MISSED"
        lines.append(f"steady: p99 {steady['p99_ms']} ms, bar {P99_BAR * 1000:.0f} ms: {state}")
    if steady and "slow" in by:
        ratio = by["slow"]["p99_ms"] / steady["p99_ms"]
        state = "met" if ratio <= SLOW_BAR else "MISSED"
        lines.append(
            f"slow: the other clients' p99 is {ratio:.2f}x steady's, bar {SLOW_BAR}x: {state}"
        )
    base = by.get("baseline")
    if steady and base and base["server_cpu_us_per_delivery"]:
        cpu = base["server_cpu_us_per_delivery"] / steady["server_cpu_us_per_delivery"]
        share = base["lost"] / max(1, base["lost"] + base["deliveries"])
        lines.append(
            f"baseline: {cpu:.1f}x Staffroom's server CPU per delivery, p99 "
            f"{base['p99_ms'] / steady['p99_ms']:.0f}x, and {share:.0%} of deliveries lost"
        )
    return lines


COLUMNS = {
    "scenario": "scenario",
    "offered": "messages",
    "deliveries": "deliveries",
    "ack_p99_ms": "ack p99 ms",
    "p50_ms": "p50 ms",
    "p95_ms": "p95 ms",
    "p99_ms": "p99 ms",
    "max_ms": "max ms",
    "lost": "lost",
    "silent": "silent sockets",
    "doubled": "doubled",
    "reordered": "reordered",
    "reconnects": "reconnects",
    "server_cpu_us_per_delivery": "server CPU µs per delivery",
}


def _cell(value) -> str:
    if value is None:
        return "–"  # the drop scenario restarts the servers: no CPU figure
    return f"{value:,}" if isinstance(value, int) else str(value)


def document(args, results: list[dict], lines: list[str]) -> str:
    table = [
        "| " + " | ".join(COLUMNS.values()) + " |",
        "|" + "---|" * len(COLUMNS),
        *("| " + " | ".join(_cell(r.get(c)) for c in COLUMNS) + " |" for r in results),
    ]
    slow = next((r for r in results if r["scenario"] == "slow"), None)
    cut = sum(slow["closes"].values()) if slow else 0
    session = next((r for r in results if r["scenario"] == "session"), None)
    return "\n".join(
        [
            HEADING,
            "",
            f"`bench/live_load.py`, {time.strftime('%Y-%m-%d')}, Python "
            f"{platform.python_version()}, {os.cpu_count()} cores shared by the load "
            "generator, the servers, PostgreSQL and Redis. "
            f"{args.clients} clients in one room over {args.servers} Staffroom processes; "
            f"{args.senders} of them send {RATE} messages a second plus a burst of {BURST} at "
            f"once every {BURST_EVERY} s, for {args.seconds:.0f} s per scenario. Latency is "
            "from a sender writing its `send` frame to each client reading the event (the "
            "database write, the channel layer and both ends); a delivery is one event read "
            "by one client; `ack` is the sender's own round trip.",
            "",
            *table,
            "",
            *[f"- {line}" for line in lines],
            "",
            "`redis` stops Redis for 2 s and `drop` kills every server process (and so every "
            "socket) in the middle of the run: their `max` is the recovery time, most of it "
            "the clients' reconnect backoff. `slow` makes 1% of the clients read one frame a "
            "second while the load lasts (its latency columns are the other 99%'s); "
            f"{cut} of them were cut off for falling behind and resumed. "
            "`baseline` is plain Channels, one consumer and channel per connection and one "
            "`group_send` per message, on the same machine and load "
            "(`bench/live_server.py`); it stores nothing and still falls behind.",
            "",
            *(session_section(session) if session else []),
            "Reproduce (about 10 minutes; the JSON goes to /tmp/live_load.json): "
            "`cd /work/main && .venv/bin/python bench/live_load.py`",
            "",
        ]
    )


def session_section(r: dict) -> list[str]:
    late = ", ".join(f"Q{n} {ms:,.0f}" for n, ms in r["stamped_late_ms"].items())
    return [
        "### Timed sessions",
        "",
        f"`session` is the same load in a timed session's room (`docs/sessions.md`): "
        f"{r['clients']:,} clients in a network-wide session started by its host as the "
        f"load begins, the senders answering the latest question they have seen, and "
        f"{r['questions']} questions falling due every {r['question_every_s']:g} s during "
        "the run (a run-sheet minute shortened to that, because offsets are whole minutes; "
        "the script's docstring says how). The servers release them, by their own clocks "
        "or on the first send after the due time; a release's latency is from the due "
        "time (`ChatSession.due_at`) to each client reading its `question.released`.",
        "",
        "| questions | releases read | p50 ms | p99 ms | max ms | lost | doubled | "
        "reordered | message p99 ms |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {r['questions']} | {r['releases']:,} | {r['release_p50_ms']} | "
        f"{r['release_p99_ms']} | {r['release_max_ms']} | {r['releases_lost']} | "
        f"{r['releases_doubled']} | {r['releases_reordered']} | {r['p99_ms']} |",
        "",
        f"How late a server stamped each question after its due time (ms): {late}.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--only", default=SCENARIOS)
    parser.add_argument(
        "--question-every",
        type=float,
        default=12.5,
        help="seconds between a session's questions (the length of a run-sheet minute)",
    )
    parser.add_argument("--json", default="/tmp/live_load.json")
    parser.add_argument("--logs", default="/tmp/live_load_logs")
    parser.add_argument(
        "--document", action="store_true", help="rewrite the doc from --json without running"
    )
    args = parser.parse_args()
    args.clients = args.clients or (200 if args.quick else 1000)
    args.seconds = args.seconds or (20 if args.quick else 60)
    args.senders = min(args.senders, args.clients)
    args.only = args.only.split(",")
    if args.document:
        results = json.loads(Path(args.json).read_text())["results"]
        args.seconds = results[0]["seconds"]
        write_section(HEADING, document(args, results, verdicts(results)))
        return
    # A plain `kill` ends the run as Ctrl-C does: through the finally blocks that stop
    # the servers and Redis (the default SIGTERM would leave them running).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    prepare_database()
    try:
        results = asyncio.run(main_async(args))
    except KeyboardInterrupt:
        sys.exit("Interrupted: the servers and Redis it started are stopped.")
    lines = verdicts(results)
    Path(args.json).write_text(json.dumps({"results": results, "verdicts": lines}, indent=2))
    print("\n".join(lines))
    full = not args.quick and args.clients == 1000 and set(args.only) == set(SCENARIOS.split(","))
    if full:
        write_section(HEADING, document(args, results, lines))


if __name__ == "__main__":
    main()
