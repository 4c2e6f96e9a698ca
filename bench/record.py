"""Time the CPD record's page and exports for a teacher with 1,000 entries, in PostgreSQL.

    cd /work/main && .venv/bin/python bench/record.py            # writes the doc's section
    cd /work/main && .venv/bin/python bench/record.py --reseed   # drop and seed again

Seeds `staffroom_bench_record` once (or DATABASE_URL, which must be PostgreSQL): one
teacher with 1,000 entries of every kind over two years, eight of her own tags, notes on
a third of them, and 200 other teachers with 50 entries each (so that her record is read
out of a table of 11,000 through its index, as on a real network). Then requests the
record page, a filtered page, the CSV, the JSON and the print page through the whole
Django stack in-process and rewrites the "## CPD record" section of docs/performance.md.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace, not prepend: this directory holds markdown.py, which would shadow Markdown.
sys.path[0] = str(ROOT)
from bench import community as community_bench  # noqa: E402
from bench.community import WARMUP, machine, prepare_database  # noqa: E402
from bench.perfdoc import write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HEADING = "## CPD record"
DATABASE = "staffroom_bench_record"
OWNER = "recorder"
ENTRIES = 1000
OTHERS, OTHERS_ENTRIES = 200, 50
RUNS = 50
SEED = 20261201
TAGS = [
    "Teachers' Standard 1",
    "Teachers' Standard 2",
    "Teachers' Standard 4",
    "Teachers' Standard 5",
    "oracy",
    "retrieval practice",
    "behaviour",
    "early reading",
]
TITLES = [
    "Retrieval practice in ten minutes",
    "Wait time and cold call",
    "Talk partners in Year 4",
    "Modelling with a visualiser",
    "Mini whiteboards for hinge questions",
    "Sentence stems for science explanations",
    "Reading the research on feedback",
    "Phonics assessment moderation",
]


def database_settings() -> dict:
    import dj_database_url

    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in settings["ENGINE"]:
        sys.exit(f"bench/record.py measures PostgreSQL; DATABASE_URL is {settings['ENGINE']}.")
    return settings


def seed() -> None:
    """Straight to the tables with bulk_create: the services would render Markdown
    11,000 times and measure nothing the pages do."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from community.models import Profile, School, User
    from inquiry.models import RecordEntry, RecordTag

    rng = random.Random(SEED)
    now = timezone.now()
    kinds = RecordEntry.Kind.values
    weights = [30, 25, 12, 12, 10, 5, 6]  # modules and cycle stages most often
    with transaction.atomic():
        school = School.objects.create(
            name="Riverside Primary", slug="bench-riverside", timezone="Europe/London"
        )
        password = make_password("bench-password")
        users = User.objects.bulk_create(
            User(username=name, email=f"{name}@bench.example.org", password=password)
            for name in [OWNER] + [f"teacher{n:03d}" for n in range(OTHERS)]
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                display_name="Amira Khan" if user.username == OWNER else user.username,
                school=school,
                timezone="Europe/London",
                onboarded_at=now,
            )
            for user in users
        )
        owner = users[0]
        tags = RecordTag.objects.bulk_create(RecordTag(user=owner, name=name) for name in TAGS)

        def entries_for(user, count):
            for n in range(count):
                kind = rng.choices(kinds, weights=weights)[0]
                notes = "" if rng.random() > 0.33 else "Tried it with **Year 4**: more hands up."
                yield RecordEntry(
                    user=user,
                    kind=kind,
                    title=f"{rng.choice(TITLES)} ({n})",
                    occurred_at=now - datetime.timedelta(minutes=rng.randint(0, 730 * 24 * 60)),
                    minutes=rng.choice([5, 10, 15, 20, 30, 45, 60, 90]),
                    url="" if kind == "manual" else f"/library/modules/{n}/",
                    details="6 answers" if kind == "session" else "",
                    notes=notes,
                    notes_html=notes
                    and "<p>Tried it with <strong>Year 4</strong>: more hands up.</p>",
                    source="" if kind == "manual" else f"bench:{n}",
                )

        mine = RecordEntry.objects.bulk_create(entries_for(owner, ENTRIES), batch_size=1000)
        for user in users[1:]:
            RecordEntry.objects.bulk_create(entries_for(user, OTHERS_ENTRIES))
        Through = RecordEntry.tags.through
        Through.objects.bulk_create(
            Through(recordentry_id=entry.pk, recordtag_id=tag.pk)
            for entry in mine
            for tag in rng.sample(tags, rng.choice([0, 0, 1, 1, 2, 3]))
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages() -> list[tuple[str, str]]:
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    spring = f"from={(today - datetime.timedelta(days=365)).isoformat()}&tag=oracy"
    return [
        (f"record page, all {ENTRIES:,} entries (first page of 100)", reverse("inquiry:record")),
        ("record page, last page", f"{reverse('inquiry:record')}?page=10"),
        ("record page, the last year, tagged “oracy”", f"{reverse('inquiry:record')}?{spring}"),
        (f"CSV export, all {ENTRIES:,} entries", reverse("inquiry:record-export-csv")),
        (f"JSON export, all {ENTRIES:,} entries", reverse("inquiry:record-export-json")),
        (f"print page, all {ENTRIES:,} entries", reverse("inquiry:record-print")),
    ]


def section(rows, took: float, filtered_entries: int) -> str:
    lines = [
        HEADING,
        "",
        "Server time of one teacher's CPD record and its exports, measured by "
        "`bench/record.py` (`.venv/bin/python bench/record.py`), which seeds "
        f"`{DATABASE}` once and rewrites this section. The teacher has {ENTRIES:,} entries "
        f"of every kind over two years, {len(TAGS)} tags and notes on a third of them; "
        f"{OTHERS} other teachers have {OTHERS_ENTRIES} each. Each URL is requested through "
        "the whole Django stack in-process (`django.test.Client`, session and middleware "
        f"included) as that teacher: {WARMUP} warm-up requests, then {RUNS} timed. SQL ms is "
        "the median time inside the database's queries.",
        "",
        f"Machine: {machine()}. Measuring took {took:.0f} s.",
        "",
        "| page | p50 ms | p95 ms | queries | SQL ms | KB |",
        "|:-----|-------:|-------:|--------:|-------:|---:|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['queries']} | {r['sql']:.1f} "
            f"| {r['kb']:.0f} |"
        )
    page, last, filtered, csv_row, json_row, print_row = (r for _, r in rows)
    lines += [
        "",
        f"The filtered page holds {filtered_entries} entries. The record page's totals, "
        "chart and month headings come from two aggregate queries over the whole range "
        "(per month and kind, per tag), and the timeline is a page of 100 with its tags "
        f"in one more: its last page costs what its first does ({last['p50']:.0f} ms "
        f"against {page['p50']:.0f} ms). The exports read every entry in the range, 500 "
        "at a time (one query, a server-side cursor) with their tags (one query per 500): "
        "their time is Python writing "
        f"rows, not SQL ({csv_row['sql']:.0f} ms of {csv_row['p50']:.0f} ms for the CSV); "
        f"the print page renders all {ENTRIES:,} rows in a template "
        f"({print_row['p50']:.0f} ms).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the database, seed again")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    prepare_database(database_settings(), reseed=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from community.models import User
    from inquiry import queries_record
    from inquiry.models import RecordEntry, RecordTag

    call_command("migrate", verbosity=0, interactive=False)
    if User.objects.filter(username=OWNER).exists():
        print("Already seeded (--reseed to start again)")
    else:
        started = time.perf_counter()
        seed()
        print(f"Seeded in {time.perf_counter() - started:.1f} s")
    owner = User.objects.get(username=OWNER)
    assert RecordEntry.objects.visible_to(owner).count() == ENTRIES

    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    started = time.perf_counter()
    rows = []
    for label, url in pages():
        result = community_bench.measure(client, url, runs=RUNS)
        rows.append((label, result))
        print(
            f"{label:<52} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
            f"{result['queries']:>3} queries  SQL {result['sql']:6.1f} ms  {result['kb']:.0f} KB",
            flush=True,
        )
    took = time.perf_counter() - started
    import zoneinfo

    from django.utils import timezone

    zone = zoneinfo.ZoneInfo("Europe/London")
    today = timezone.localdate(timezone=zone)
    span = queries_record.RecordRange(
        zone=zone,
        start=today - datetime.timedelta(days=365),
        tag=RecordTag.objects.get(user=owner, name="oracy"),
    )
    filtered = span.entries(owner).count()
    if args.no_doc:
        return 0
    write_section(HEADING, section(rows, took, filtered))
    print("Wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
