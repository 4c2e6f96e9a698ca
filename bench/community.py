"""Time the community pages on a large network in PostgreSQL.

    cd /work/main && .venv/bin/python bench/community.py            # full run, writes the doc
    cd /work/main && .venv/bin/python bench/community.py --quick    # a tenth of the data
    cd /work/main && .venv/bin/python bench/community.py --reseed   # drop and seed again

Seeds a network once (about 2,000 teachers, 5,000 threads, 100,000 replies) into
`staffroom_bench` (or DATABASE_URL, which must be PostgreSQL), then requests the thread,
space, notification and search pages through the whole Django stack in-process and
reports the p50/p95 server time and the query count of each. A full run rewrites the
"## Community pages" section of docs/performance.md (other sections are kept); --quick
only prints, because its figures are not the ones we document.
"""

import argparse
import datetime
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace, not prepend: this directory is sys.path[0] and holds markdown.py, which would
# shadow the Markdown library (see bench/markdown.py).
sys.path[0] = str(ROOT)
from bench.perfdoc import write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HEADING = "## Community pages"
BATCH = 5000
WARMUP = 3
RUNS = 30
READER = "reader"  # the member whose pages we time
SEED = 20261124  # the same network on every machine

# The full network; --quick divides the counts by ten. The big threads have 20k - 1
# replies, so that their last page is a full page of 20 posts, like their first.
SCALE = {
    "full": {
        "schools": 50,
        "users": 2000,
        "spaces": 20,
        "threads": 5000,
        "replies": 100_000,
        "notifications": 500,
        "big_threads": [2499, 1799, 1499, 1199, 1019],
    },
    "quick": {
        "schools": 5,
        "users": 200,
        "spaces": 20,
        "threads": 500,
        "replies": 10_000,
        "notifications": 50,
        "big_threads": [1019],
    },
}


# --- The database, chosen and created before Django connects --------------------------


def database_settings(quick: bool) -> dict:
    """DATABASE_URL if set, else a local bench database; refuse anything but PostgreSQL,
    because SQLite has no GIN indexes and would time a different search."""
    import dj_database_url

    name = "staffroom_bench_quick" if quick else "staffroom_bench"
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in settings["ENGINE"]:
        sys.exit(
            "bench/community.py measures PostgreSQL (its full-text search and planner); "
            f"DATABASE_URL is {settings['ENGINE']}. Unset DATABASE_URL to use "
            "postgres://postgres@127.0.0.1:5432/staffroom_bench."
        )
    return settings


def prepare_database(settings: dict, *, reseed: bool) -> None:
    """Create the database if it is missing (dropping it first on --reseed)."""
    import psycopg
    from psycopg import sql

    server = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,  # CREATE/DROP DATABASE cannot run inside a transaction
    )
    name = sql.Identifier(settings["NAME"])
    with server:
        if reseed:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(name))
            print(f"Created database {settings['NAME']}")


# --- Text that full-text search can rank --------------------------------------------------

# Ordered from most to least used: word frequencies follow Zipf's law, so the first
# few appear in most posts and the last in a handful, as in real writing.
VOCABULARY = """
pupils class lesson students teaching year school question think work learning time
group marking feedback reading maths writing homework behaviour planning assessment
science children vocabulary department curriculum tried idea worked resources practice
knowledge classroom parents retrieval questioning scheme unit topic task tasks week
term talk explain model example examples modelling quiz quizzes test tests exam exams
grades data intervention support send inclusion tier words phonics spelling grammar
fractions algebra geometry equations number place value times tables history geography
english french spanish music art drama computing physics chemistry biology experiment
practical investigation evidence research reflection coaching mentor trainee observation
walkthrough deadline workload wellbeing timetable cover duty detention reward praise
seating plan routines expectations transitions starter plenary hinge misconception
misconceptions scaffold scaffolds sentence stems oracy debate discussion journal essay
paragraph analysis evaluate compare contrast summarise annotate highlight revision
mock moderation rubric criteria success exit ticket whiteboards mini cold calling wait
pairs share peer self checklist targets progress attainment gaps disadvantaged pupil
premium catch tutoring small groups booster sessions mastery manipulatives concrete
pictorial abstract bar models number lines counters cubes dienes ratio proportion
percentages decimals negative shapes angles area perimeter volume statistics probability
graphs charts poetry novel play shakespeare dickens creative narrative persuasive
letters speeches diary reports newspaper fieldwork maps rivers volcanoes earthquakes
climate rainforest population migration trade empire revolution suffrage industrial
medieval castles romans tudors victorians world wars source interpretation chronology
cells atoms elements compounds forces energy electricity circuits magnets light sound
waves plants animals habitats ecosystems digestion skeleton muscles evolution genetics
microscope bunsen titration safety goggles coding algorithms scratch python loops
variables debugging spreadsheets networks internet esafety keyboard printer projector
laptop tablets visualiser displays wall library books reading scheme bookbands
comprehension fluency inference prediction retrieve clarify decode blending segmenting
sounds digraphs trigraphs handwriting cursive presentation neat editing drafting
""".split()

# Words that occur in a few dozen posts of the full network: the "rare word" search.
RARE_WORDS = "zeugma palimpsest isthmus chiaroscuro sonnet".split()

FILLER = "the a and of to in it we our my with for on that this was is so but".split()


def _zipf_weights(n: int, s: float = 1.05) -> list[float]:
    cumulative, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1 / rank**s
        cumulative.append(total)
    return cumulative


WORD_WEIGHTS = _zipf_weights(len(VOCABULARY))


def sentence(rng: random.Random, words: int) -> str:
    content = rng.choices(VOCABULARY, cum_weights=WORD_WEIGHTS, k=words)
    # A stop word every few words, so that the text reads like text (PostgreSQL's english
    # configuration drops them, so they cost the index nothing).
    for i in range(1, len(content), 3):
        content[i] = f"{rng.choice(FILLER)} {content[i]}"
    return " ".join(content).capitalize() + rng.choice(".....?!")


def body_text(rng: random.Random) -> str:
    text = " ".join(sentence(rng, rng.randint(5, 12)) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.002:
        text += f" A word for the glossary: {rng.choice(RARE_WORDS)}."
    return text


def title_text(rng: random.Random) -> str:
    return sentence(rng, rng.randint(3, 7)).rstrip(".!?")[:150]


def reply_counts(rng: random.Random, scale: dict) -> list[int]:
    """Replies per thread, uneven like a real forum: a few huge threads (the first ones),
    most threads with a handful, a long tail in between."""
    big = scale["big_threads"]
    rest = scale["threads"] - len(big) - 1
    budget = scale["replies"] - sum(big) - 5
    # Pareto weights give the long tail; capped so the big threads stay the biggest.
    weights = [min(rng.paretovariate(1.3), 150) for _ in range(rest)]
    total = sum(weights)
    counts = [int(w / total * budget) for w in weights]
    for i in rng.choices(range(rest), k=budget - sum(counts)):
        counts[i] += 1
    # The first threads are the big ones and the next has exactly five replies: the
    # measurements look them up by these positions.
    return big + [5] + counts


# --- Seeding ----------------------------------------------------------------------------


def seed(scale: dict) -> None:
    """Write the network straight to the tables with bulk_create: the services would
    rate-limit a single author and render Markdown 100,000 times."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from community.models import (
        Follow,
        Membership,
        Notification,
        Post,
        Profile,
        Reaction,
        ReadState,
        School,
        Space,
        Thread,
        User,
    )

    rng = random.Random(SEED)
    now = timezone.now()
    started = time.perf_counter()

    def step(what: str) -> None:
        print(f"  {time.perf_counter() - started:6.1f} s  {what}", flush=True)

    with transaction.atomic():  # all or nothing: a half-seeded database never looks done
        schools = School.objects.bulk_create(
            School(
                name=f"{rng.choice(['St Anne', 'Oakfield', 'Riverside', 'Hillcrest'])} {kind} {n}",
                slug=f"bench-school-{n}",
                country="GB",
                town=rng.choice(["Leeds", "Bristol", "Hull", "Derby", "Truro", "York"]),
                timezone="Europe/London",
                phase=kind,
            )
            for n, kind in enumerate(rng.choices(School.Phase.values, k=scale["schools"]), start=1)
        )

        # One hash for everyone: hashing 2,000 passwords would take minutes and measure
        # nothing. Nobody logs in with it; the bench uses force_login.
        password = make_password("bench-password")
        users = User.objects.bulk_create(
            (
                User(
                    username=READER if n == 0 else f"teacher{n:04d}",
                    email=f"{READER if n == 0 else f'teacher{n:04d}'}@bench.example.org",
                    password=password,
                    date_joined=now - datetime.timedelta(days=rng.uniform(30, 900)),
                )
                for n in range(scale["users"])
            ),
            batch_size=BATCH,
        )
        first = "Amira Jon Priya Sam Grace Tom Leila Owen Mei Kofi Ruth Dan Ana Ravi".split()
        last = "Khan Osei Smith Patel Jones Chen Evans Ali Brown Novak Hughes Reid".split()
        Profile.objects.bulk_create(
            (
                Profile(
                    user=user,
                    display_name=f"{rng.choice(first)} {rng.choice(last)}",
                    school=rng.choice(schools),
                    career_stage=rng.choice(Profile.CareerStage.values),
                    timezone="Europe/London",
                    onboarded_at=user.date_joined,
                )
                for user in users
            ),
            batch_size=BATCH,
        )
        reader = users[0]
        step(f"{len(schools)} schools, {len(users)} teachers")

        subjects = (
            "Primary maths, Early reading, Secondary science, English literature, "
            "History teachers, Geography fieldwork, Computing, Modern languages, SEND, "
            "Early career teachers, Behaviour, Assessment, Music, Art and design, "
            "Physical education, Drama, Pastoral leads, Deputy heads, Trainees, Staffroom chat"
        ).split(", ")
        spaces = Space.objects.bulk_create(
            Space(
                name=subjects[n % len(subjects)]
                + (f" {n // len(subjects) + 1}" if n >= 20 else ""),
                slug=f"bench-space-{n}",
                kind=Space.Kind.NETWORK,
                description="A space for the bench network.",
                description_html="<p>A space for the bench network.</p>",
                created_at=now - datetime.timedelta(days=800),
            )
            for n in range(scale["spaces"])
        )
        # Space 0 is the busiest: Zipf weights again, for threads and for members.
        space_weights = _zipf_weights(len(spaces), s=0.9)
        memberships = {(0, 0)}  # the reader belongs to the busiest space
        for n in range(len(users)):
            for s in rng.choices(range(len(spaces)), cum_weights=space_weights, k=3):
                memberships.add((s, n))
        Membership.objects.bulk_create(
            (
                Membership(
                    space=spaces[s], user=users[n], role="moderator" if n % 97 == 1 else "member"
                )
                for s, n in sorted(memberships)
            ),
            batch_size=BATCH,
        )
        step(f"{len(spaces)} spaces, {len(memberships)} memberships")

        # Plan every thread first: its posts' times decide its last_activity_at.
        counts = reply_counts(rng, scale)
        plans = []
        for n, replies in enumerate(counts):
            # The measured threads live in the busiest space, where the reader is a member
            # (and two pinned threads, so its ordering has something to do).
            space = 0 if n < len(scale["big_threads"]) + 3 else None
            if space is None:
                space = rng.choices(range(len(spaces)), cum_weights=space_weights)[0]
            created = now - datetime.timedelta(days=rng.uniform(1, 365))
            span = (now - created).total_seconds()
            times = [created] + sorted(
                created + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in range(replies)
            )
            plans.append((space, rng.randrange(len(users)), times))
        pinned = {len(scale["big_threads"]) + 1, len(scale["big_threads"]) + 2}
        threads = Thread.objects.bulk_create(
            (
                Thread(
                    space=spaces[space],
                    author=users[author],
                    title=title_text(rng),
                    kind=rng.choice(Thread.Kind.values),
                    created_at=times[0],
                    last_activity_at=times[-1],
                    post_count=len(times),  # numbers handed out so far, the opening post is 1
                    pinned_at=times[0] if n in pinned else None,
                )
                for n, (space, author, times) in enumerate(plans)
            ),
            batch_size=BATCH,
        )
        step(f"{len(threads)} threads")

        # Posts go in batches so that 100,000 model instances never sit in memory at once.
        batch = []
        for thread, (_, author, times) in zip(threads, plans, strict=True):
            for number, created in enumerate(times, start=1):
                body = body_text(rng)
                batch.append(
                    Post(
                        thread=thread,
                        number=number,
                        author=users[author] if number == 1 else rng.choice(users),
                        body=body,
                        # A cheap wrap, not render_markdown(): the pages show body_html
                        # as stored, so its size matters, not how it was made.
                        body_html=f"<p>{body}</p>",
                        created_at=created,
                    )
                )
                if len(batch) == BATCH:
                    Post.objects.bulk_create(batch, batch_size=BATCH)
                    batch = []
        Post.objects.bulk_create(batch, batch_size=BATCH)
        step(f"{sum(len(times) for _, _, times in plans)} posts")

        # Reactions on about a fifth of the posts, one to four each.
        post_ids = list(Post.objects.values_list("pk", flat=True))
        reactions = set()
        for post_id in rng.sample(post_ids, len(post_ids) // 5):
            for _ in range(rng.randint(1, 4)):
                reactions.add(
                    (post_id, rng.randrange(len(users)), rng.choice(Reaction.Kind.values))
                )
        Reaction.objects.bulk_create(
            (Reaction(post_id=p, user=users[u], kind=k) for p, u, k in reactions),
            batch_size=BATCH,
        )
        step(f"{len(reactions)} reactions")

        # Authors follow their threads (as start_thread does); the reader follows more.
        follows = {(author, n) for n, (_, author, _) in enumerate(plans)}
        in_busiest = [n for n, (space, _, _) in enumerate(plans) if space == 0]
        follows |= {(0, n) for n in rng.sample(in_busiest, min(100, len(in_busiest)))}
        Follow.objects.bulk_create(
            (Follow(user=users[u], thread=threads[n]) for u, n in follows), batch_size=BATCH
        )
        # The reader has read part of many threads in the busiest space, so its page shows
        # unread counts; the measured threads are read to the end, so that timing them
        # measures reading, not the one-off write of a new read position.
        read = rng.sample(in_busiest, len(in_busiest) // 2)
        read = set(read) | set(range(len(scale["big_threads"]) + 1))
        ReadState.objects.bulk_create(
            (
                ReadState(
                    user=reader,
                    thread=threads[n],
                    last_read_number=threads[n].post_count
                    if n <= len(scale["big_threads"])
                    else rng.randint(1, threads[n].post_count),
                )
                for n in read
            ),
            batch_size=BATCH,
        )
        step(f"{len(follows)} follows, {len(read)} read states")

        # The reader's notification centre: replies, mentions and reactions, newest unread.
        sample = rng.sample(post_ids, scale["notifications"])
        rows = Post.objects.filter(pk__in=sample).values_list("pk", "thread_id", "thread__space_id")
        verbs = {
            Notification.Kind.REPLY: "replied in a thread you follow",
            Notification.Kind.MENTION: "mentioned you",
            Notification.Kind.REACTION: "found your post helpful",
        }
        notifications = []
        for i, (post_id, thread_id, space_id) in enumerate(rows):
            kind = rng.choice(list(verbs))
            created = now - datetime.timedelta(hours=i * 3 + rng.random())
            notifications.append(
                Notification(
                    user=reader,
                    kind=kind,
                    actor=rng.choice(users[1:]),
                    space_id=space_id,
                    thread_id=thread_id,
                    post_id=post_id,
                    text=f"A colleague {verbs[kind]}",
                    created_at=created,
                    read_at=None if i < 40 else created + datetime.timedelta(hours=1),
                )
            )
        Notification.objects.bulk_create(notifications, batch_size=BATCH)
        step(f"{len(notifications)} notifications")

    # Fresh statistics (and a visibility map) for the planner, as a settled database has.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    step("VACUUM ANALYZE")


def is_seeded(scale: dict) -> bool:
    from community.models import Thread, User

    if not User.objects.filter(username=READER).exists():
        return False
    if Thread.objects.count() != scale["threads"]:
        sys.exit(
            "This database holds a network of another size (--quick and full runs use "
            "different ones unless DATABASE_URL is set). Run again with --reseed."
        )
    return True


# --- Measuring --------------------------------------------------------------------------


def pages() -> list[tuple[str, str]]:
    """(label, URL) of every page we time, found in the seeded data."""
    from django.urls import reverse

    from community.models import Space, Thread
    from community.models.forum import POSTS_PER_PAGE

    busiest = Space.objects.get(slug="bench-space-0")
    threads = Thread.objects.filter(space=busiest)
    big = threads.order_by("-post_count").first()
    small = threads.filter(post_count=6).order_by("pk").first()  # an opening post + 5 replies
    last_page = math.ceil(big.post_count / POSTS_PER_PAGE)
    search = reverse("community:search")
    return [
        (f"thread, {big.reply_count:,} replies, first page", big.get_absolute_url()),
        (
            f"thread, {big.reply_count:,} replies, last page ({last_page})",
            f"{big.get_absolute_url()}?page={last_page}",
        ),
        (f"thread, {small.reply_count} replies", small.get_absolute_url()),
        (
            f"space page, busiest space ({threads.count():,} threads)",
            busiest.get_absolute_url(),
        ),
        ("notification centre", reverse("community:notifications")),
        (f"search, common word “{VOCABULARY[20]}”", f"{search}?q={VOCABULARY[20]}"),
        (f"search, rare word “{RARE_WORDS[0]}”", f"{search}?q={RARE_WORDS[0]}"),
    ]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: with 30 runs, p95 is the second slowest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


class SqlTimer:
    """Adds up the time spent inside the database's queries. (CaptureQueriesContext
    records each query's time only to the millisecond, too coarse to add up.)"""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def measure(client, url: str, *, runs: int = RUNS) -> dict:
    """p50 and p95 server time of a page over `runs` requests (after a warm-up), its
    queries, their SQL time, and its size. The other benches (library, record) use it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):  # caches, template loading, the first read-state write
        assert client.get(url).status_code == 200, url
    timings, sql_times, query_counts, size = [], [], set(), 0
    for _ in range(runs):
        sql = SqlTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(sql):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        query_counts.add(len(captured))
        sql_times.append(sql.seconds * 1000)
        size = len(response.content)
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 95),
        "queries": "/".join(str(n) for n in sorted(query_counts)),  # one number when steady
        "sql": statistics.median(sql_times),
        "kb": size / 1024,
    }


def seeded_counts() -> dict:
    from django.db import connection
    from django.db.models import Max

    from community.models import (
        Follow,
        Membership,
        Notification,
        Post,
        Reaction,
        ReadState,
        School,
        Space,
        Thread,
        User,
    )

    threads = Thread.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY post_count - 1) "
            "FROM community_thread"
        )
        median_replies = cursor.fetchone()[0]
    return {
        "teachers": User.objects.count(),
        "schools": School.objects.count(),
        "spaces": Space.objects.count(),
        "memberships": Membership.objects.count(),
        "threads": threads,
        "replies": Post.objects.count() - threads,
        "median_replies": median_replies,
        "max_replies": Thread.objects.aggregate(m=Max("post_count"))["m"] - 1,
        "reactions": Reaction.objects.count(),
        "follows": Follow.objects.count(),
        "read_states": ReadState.objects.count(),
        "notifications": Notification.objects.count(),
    }


def search_matches(reader) -> dict[str, int]:
    from community.queries_search import search_posts

    return {word: search_posts(reader, q=word).count() for word in (VOCABULARY[20], RARE_WORDS[0])}


# --- The report -------------------------------------------------------------------------


def machine() -> str:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M).group(1)
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return (
        f"{len(os.sched_getaffinity(0))} CPUs (`nproc`), {cpu}; "
        f"Python {platform.python_version()}; PostgreSQL {postgres} on the same machine; "
        f"{datetime.date.today().isoformat()}"
    )


def section(counts: dict, matches: dict, rows: list[tuple[str, dict]], took: dict) -> str:
    c = counts
    lines = [
        HEADING,
        "",
        "Server time of the community pages on a large network, measured by "
        "`bench/community.py` (`.venv/bin/python bench/community.py`), which seeds "
        "PostgreSQL once and rewrites this section. Each page is requested through the "
        "whole Django stack in-process (`django.test.Client`, session and middleware "
        f"included, no network or browser) as a member: {WARMUP} warm-up requests, then "
        f"{RUNS} timed. SQL ms is the median time spent in the database's queries, round "
        "trips included. On this shared machine p95 moves by tens of ms from run to run; "
        "compare p50s.",
        "",
        f"Seeded (read back from the database): {c['teachers']:,} teachers at "
        f"{c['schools']} schools; {c['spaces']} network spaces with {c['memberships']:,} "
        f"memberships; {c['threads']:,} threads with {c['replies']:,} replies (median "
        f"{c['median_replies']:g} per thread, the largest {c['max_replies']:,}); "
        f"{c['reactions']:,} reactions, {c['follows']:,} follows, {c['read_states']:,} "
        f"read states and {c['notifications']:,} notifications. "
        + (f"Seeding took {took['seed']:.0f} s (once); " if "seed" in took else "")
        + f"measuring took {took['measure']:.0f} s.",
        "",
        f"Machine: {machine()}.",
        "",
        "| page | p50 ms | p95 ms | queries | SQL ms |",
        "|:-----|-------:|-------:|--------:|-------:|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['queries']} | {r['sql']:.1f} |"
        )
    common, rare = matches.items()
    lines += [
        "",
        f"The common word matches {common[1]:,} posts, the rare one {rare[1]:,}.",
        "",
        " ".join(interpretation(rows, matches)),
    ]
    return "\n".join(lines) + "\n"


def interpretation(rows: list[tuple[str, dict]], matches: dict) -> list[str]:
    """Written after reading the figures of the full run; the numbers in it are live."""
    first, last, small, space, centre, common, rare = (r for _, r in rows)
    hits = list(matches.values())[0]
    return [
        f"The thread page takes {small['queries']} queries at 5 replies and "
        f"{first['queries']}/{last['queries']} on the first/last page of the largest thread: "
        "query counts stay flat with size.",
        "Most of the time is Python (templates and the per-post rules), not SQL. A thread "
        "page is a range of post numbers (they are gapless), so its last page costs what its "
        f"first does ({last['sql']:.1f} ms of SQL against {first['sql']:.1f} ms).",
        f"Search for a common word is the slowest page ({common['p50']:.0f} ms, "
        f"{common['sql']:.0f} ms of it SQL): the GIN index finds its {hits:,} posts quickly "
        "and ranking reads each one's stored vector (migration 0005) before the best 20 are "
        f"taken, and counting them for the pager adds to it; a rare word takes "
        f"{rare['p50']:.0f} ms. (Before the stored vector, ranking parsed every matching "
        "post again: 652 ms.)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data; no doc")
    parser.add_argument("--reseed", action="store_true", help="drop the database, seed again")
    args = parser.parse_args()
    scale = SCALE["quick" if args.quick else "full"]

    prepare_database(database_settings(args.quick), reseed=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from community.models import User

    call_command("migrate", verbosity=0, interactive=False)
    took = {}
    if is_seeded(scale):
        print("Already seeded (--reseed to start again)")
    else:
        print("Seeding:")
        started = time.perf_counter()
        seed(scale)
        took["seed"] = time.perf_counter() - started

    reader = User.objects.get(username=READER)
    # HTTP_HOST is one of the development ALLOWED_HOSTS, so there is no need for
    # setup_test_environment(), whose template instrumentation would add to the times.
    client = Client(HTTP_HOST="localhost")
    client.force_login(reader)
    started = time.perf_counter()
    rows = []
    for label, url in pages():
        result = measure(client, url)
        rows.append((label, result))
        print(
            f"{label:<48} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
            f"{result['queries']:>3} queries  SQL {result['sql']:6.1f} ms",
            flush=True,
        )
    took["measure"] = time.perf_counter() - started

    if args.quick:
        print("--quick: docs/performance.md is left alone (it holds the full run)")
        return 0
    write_section(HEADING, section(seeded_counts(), search_matches(reader), rows, took))
    print("Wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
