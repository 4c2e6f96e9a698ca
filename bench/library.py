"""Time the library pages with 500 published modules in PostgreSQL.

    cd /work/main && .venv/bin/python bench/library.py            # writes docs/performance.md
    cd /work/main && .venv/bin/python bench/library.py --reseed   # drop and seed again
    cd /work/main && .venv/bin/python bench/library.py --dry-run  # only print

Seeds a library once into `staffroom_bench_library` (created if missing; or DATABASE_URL,
which must be PostgreSQL): 500 published modules by 60 teachers, tagged with phases,
subjects, curriculum areas and free tags, their search vectors written by
inquiry.search.index_module as the library service writes them; a reader who has
completed a fifth of them. Then it requests the library's first page, a filtered page,
a search and a module page through the whole Django stack in-process, and writes the
p50 server time and query count of each to the "## Library" section of
docs/performance.md (other sections are kept).
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # as bench/community.py: this directory holds a markdown.py
from bench import community as community_bench  # noqa: E402
from bench.community import WARMUP, machine, prepare_database, sentence  # noqa: E402
from bench.perfdoc import write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HEADING = "## Library"
MODULES = 500
AUTHORS = 60
RUNS = 50
READER = "library-reader"
SEED = 20261201
SEARCH_WORDS = ("questioning", "oracy")  # in most modules; in about one in eight


def database_settings() -> dict:
    import dj_database_url

    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/staffroom_bench_library"
    )
    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in settings["ENGINE"]:
        sys.exit("bench/library.py measures PostgreSQL's full-text search; unset DATABASE_URL.")
    return settings


def seed() -> None:
    """Straight to the tables (bulk_create): the service would render Markdown 500 times
    and measure nothing the pages do. The search vectors are the service's own."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from community.models import Phase, Post, Profile, Space, Subject, Tag, Thread, User
    from inquiry import search
    from inquiry.models import CurriculumArea, Module, ModuleCompletion, ModuleResource

    rng = random.Random(SEED)
    now = timezone.now()
    with transaction.atomic():
        password = make_password("bench-password")
        users = User.objects.bulk_create(
            User(username=READER if n == 0 else f"author{n:03d}", password=password)
            for n in range(AUTHORS + 1)
        )
        Profile.objects.bulk_create(
            Profile(user=u, display_name=f"Teacher {u.username}", onboarded_at=now) for u in users
        )
        phases, subjects = list(Phase.objects.all()), list(Subject.objects.all())
        areas = list(CurriculumArea.objects.all())
        tags = Tag.objects.bulk_create(
            Tag(name=word)
            for word in dict.fromkeys(sentence(rng, 60).lower().split())
            if word.isalpha() and len(word) > 3
        )
        space = Space.objects.create(name="Library discussions", slug="bench-library")
        modules = []
        for n in range(MODULES):
            body = "\n\n".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(4, 9)))
            prompt = sentence(rng, 12)
            published = now - datetime.timedelta(days=rng.uniform(0, 700))
            modules.append(
                Module(
                    title=sentence(rng, rng.randint(3, 6)).rstrip(".!?")[:110] + f" {n}",
                    slug=f"bench-module-{n}",
                    summary=sentence(rng, rng.randint(10, 20))[:300],
                    body=body,
                    body_html="".join(f"<p>{p}</p>" for p in body.split("\n\n")),
                    minutes=rng.randint(3, 20),
                    try_prompt=prompt,
                    try_prompt_html=f"<p>{prompt}</p>",
                    author=rng.choice(users[1:]),
                    status=Module.Status.PUBLISHED,
                    published_at=published,
                    created_at=published,
                    updated_at=published,
                )
            )
        modules = Module.objects.bulk_create(modules)
        for relation, column, choices, most in (
            (Module.phases.through, "phase_id", phases, 2),
            (Module.subjects.through, "subject_id", subjects, 2),
            (Module.areas.through, "curriculumarea_id", areas, 2),
            (Module.tags.through, "tag_id", tags, 4),
        ):
            relation.objects.bulk_create(
                relation(module_id=m.pk, **{column: c.pk})
                for m in modules
                for c in rng.sample(choices, rng.randint(1, most))
            )
        measured = modules[0]
        thread = Thread.objects.create(
            space=space, author=measured.author, title=measured.title, post_count=13
        )
        Post.objects.bulk_create(
            Post(thread=thread, number=k, author=rng.choice(users), body="x", body_html="<p>x</p>")
            for k in range(1, 14)
        )
        Module.objects.filter(pk=measured.pk).update(thread=thread)
        ModuleResource.objects.bulk_create(
            ModuleResource(
                module=measured,
                kind=kind,
                title=f"Resource {k}",
                file=f"resources/bench-{k}.pdf",
                content_type="application/pdf",
                size=120_000 + k,
                original_name=f"r{k}.pdf",
                uploaded_by=measured.author,
            )
            for k, kind in enumerate(ModuleResource.Kind.values)
        )
        ModuleCompletion.objects.bulk_create(
            ModuleCompletion(user=users[0], module=m, completed_at=now)
            for m in rng.sample(modules, MODULES // 5)
        )
    for module in modules:  # as the library service does after every write
        search.index_module(module.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages() -> list[tuple[str, str]]:
    from django.urls import reverse

    from inquiry.models import Module

    library = reverse("inquiry:library")
    measured = Module.objects.get(slug="bench-module-0")
    return [
        ("library, first page (24 of 500)", library),
        (
            "library, filtered: phase, subject, ≤ 10 minutes",
            f"{library}?phase=primary&subject=mathematics&minutes=10",
        ),
        *((f"library, search “{word}”", f"{library}?q={word}") for word in SEARCH_WORDS),
        ("library, page 10, A to Z", f"{library}?sort=az&page=10"),
        ("module page (6 resources, a discussion)", measured.get_absolute_url()),
    ]


def section(rows, matches: dict[str, int], took: dict) -> str:
    found = " and ".join(f"“{word}” {n}" for word, n in matches.items())
    lines = [
        HEADING,
        "",
        "Server time of the library pages with 500 published modules, measured by "
        "`bench/library.py` (`.venv/bin/python bench/library.py`), which seeds "
        "`staffroom_bench_library` in PostgreSQL once and rewrites this section. Each page "
        "is requested in-process through the whole Django stack (`django.test.Client`, "
        f"session and middleware included) as a signed-in teacher: {WARMUP} warm-up "
        f"requests, then {RUNS} timed. SQL ms is the median time spent in the queries.",
        "",
        f"Seeded: {MODULES} published modules by {AUTHORS} teachers, each with 1-2 phases, "
        "subjects and curriculum areas and 1-4 free tags; the reader has completed "
        f"{MODULES // 5} of them. The search words match: {found} modules. "
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
    lines += [
        "",
        "Query counts are the same at any number of modules (tests/test_library.py pins "
        "them at 2 and 30); a filter by phase or subject adds the one query that looks its "
        "slug up. The search ranks with the stored `search_vector` (no GIN index yet: at "
        "500 modules a scan of the vectors is cheap; add one if the library grows tenfold).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the database, seed again")
    parser.add_argument("--dry-run", action="store_true", help="print; leave the doc alone")
    args = parser.parse_args()
    prepare_database(database_settings(), reseed=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from community.models import User
    from inquiry.models import Module
    from inquiry.search import search_modules

    call_command("migrate", verbosity=0, interactive=False)
    took = {}
    if User.objects.filter(username=READER).exists():
        print("Already seeded (--reseed to start again)")
    else:
        started = time.perf_counter()
        seed()
        took["seed"] = time.perf_counter() - started
        print(f"Seeded in {took['seed']:.1f} s")

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=READER))
    started = time.perf_counter()
    rows = []
    for label, url in pages():
        result = community_bench.measure(client, url, runs=RUNS)
        rows.append((label, result))
        print(
            f"{label:<52} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
            f"{result['queries']:>3} queries  SQL {result['sql']:6.1f} ms",
            flush=True,
        )
    took["measure"] = time.perf_counter() - started
    matches = {w: search_modules(Module.objects.published(), w).count() for w in SEARCH_WORDS}
    if args.dry_run:
        return 0
    write_section(HEADING, section(rows, matches, took))
    print("Wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
