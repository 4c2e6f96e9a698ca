"""Time render_markdown() on adversarial input at the maximum length.

    cd /work/main && .venv/bin/python bench/markdown.py

Renders each input several times, prints the median and worst time, rewrites the
"## Markdown rendering" section of docs/performance.md (other sections are kept) and exits
non-zero when any input is over the bar. Tests pin behaviour; this measures it.
"""

import datetime
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace, not prepend: this file's own directory is sys.path[0], and since this file is
# called markdown.py it would shadow the Markdown library that it is measuring.
sys.path[0] = str(ROOT)
from bench.perfdoc import write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from community.markdown import MAX_MARKDOWN_LENGTH, render_markdown  # noqa: E402

RUNS = 7
BAR_MS = 250
HEADING = "## Markdown rendering"

REFLECTION = """\
## Week 3: questioning in Year 9 science

After @amira.k's session on *wait time* I tried waiting **five full seconds** before taking
answers. Three things happened:

1. More hands went up, and not only the usual ones.
2. Answers were longer; one student built on another's idea without prompting.
3. I found the silence hard: I counted on my fingers under the desk.

> "The point of wait time is not the wait, it is what the class does with it."
> (from the reading, p. 14)

What I want to try next, with @j_osei and the #assessment group:

- cold calling *after* the wait, with a no-hands rule
- a `think, pair, share` slot before every hinge question
- recording one lesson (see https://example.org/research/wait-time?ref=staffroom).

| Lesson | Wait (s) | Hands up |
|:-------|---------:|:--------:|
| Mon    |        2 |        4 |
| Thu    |        5 |       11 |

Notes for the #questioning thread: the EEF guidance (www.example.org/eef) agrees, and
[this summary](https://example.org/summary "EEF summary") is a good start.

"""


def fill(unit: str, length: int = MAX_MARKDOWN_LENGTH) -> str:
    """`unit` repeated and cut to exactly `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


def numbered(template: str, length: int = MAX_MARKDOWN_LENGTH) -> str:
    """`template` with an increasing number, so that no two names or URLs repeat."""
    parts, size, n = [], 0, 0
    while size < length:
        part = template.format(n=n)
        parts.append(part)
        size += len(part)
        n += 1
    return "".join(parts)[:length]


def nested_list(length: int = MAX_MARKDOWN_LENGTH) -> str:
    lines, size, depth = [], 0, 0
    while size < length:
        line = "    " * depth + "- a\n"
        lines.append(line)
        size += len(line)
        depth += 1
    return "".join(lines)[:length]


INPUTS = {
    # Brackets: Python-Markdown scans from each "[" or "](" to the end of the text.
    "nested `[`": fill("["),
    "`[a](` openers": fill("[a]("),
    "`[]((` openers": fill("[](("),
    "`![` openers": fill("!["),
    "`[ []` unclosed": fill("[ []"),
    "links `[a](http://x)`": fill("[a](http://x) "),
    "images `![a](http://x)`": fill("![a](http://x) "),
    "reference definitions between lines": fill('[a]: http://x "t"\n[a]\n'),
    # Our own patterns.
    "bare URLs": numbered("https://example.org/p{n}?x=1. "),
    "`www.` URLs": numbered("www.example{n}.org, "),
    "`@mentions`, all different": numbered("@user{n} "),
    "`@mentions`, all the same": fill("@a."),
    "`#tags`": numbered("#tag{n} "),
    "`@` `#` `http://` runs": fill("@#http://"),
    # Nesting: every level is a recursive parse.
    "nested `>`": fill(">"),
    "nested `> `": fill("> "),
    "nested list indentation": nested_list(),
    "nested lists on one line `1. 1. 1.`": fill("1. "),
    "nested quotes and lists `> - `": fill("> - "),
    "emphasis `*a **a *a`": fill("*a **a *a "),
    "emphasis `_a __a _a`": fill("_a __a _a "),
    "emphasis nested 4,000 deep": "*a " * 4000 + "a*" * 4000,
    # Code.
    "backticks": fill("`"),
    "backtick runs `` ` `` ``` `` ```": fill("` `` ``` "),
    "unclosed code spans ``` ``a` ```": fill("``a`"),
    "escaped fence marks between code spans": fill("\\``` `a` "),
    "fence lines": fill("```\n"),
    "unclosed fences `` ```a ``": fill("```a\n"),
    # Blocks that other processors eat a line at a time.
    "setext headings `a` / `=`": fill("a\n=\n"),
    "`#` headings between lines": fill("a\n# b\n"),
    "rules between lines": fill("a\n***\n"),
    "one-column table starts": fill("|a\n|-\nx\n---\n"),
    "tiny paragraphs `a`": fill("a\n\n"),
    "numbered list": fill("1. a\n"),
    "table, 1 column per `|`": fill("|a"),
    "table, 6,666 rows `|-`": fill("|-\n"),
    "table, 6,666 rows `|*`": fill("|*\n"),
    # Everything else.
    "long line, no spaces": fill("a"),
    "raw HTML `<a `": fill("<a "),
    "entities `&#35;`": fill("&#35;"),
    "realistic reflection": fill(REFLECTION),
}


def measure(text: str) -> tuple[float, float]:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render_markdown(text)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M).group(1)
    except (OSError, AttributeError):
        pass
    return (
        f"{len(os.sched_getaffinity(0))} CPUs (`nproc`), {cpu}; "
        f"Python {platform.python_version()}; {datetime.date.today().isoformat()}"
    )


def section(rows: list[tuple[str, int, float, float]]) -> str:
    lines = [
        HEADING,
        "",
        f"`render_markdown()` on adversarial input at the maximum length "
        f"({MAX_MARKDOWN_LENGTH:,} characters), {RUNS} runs each, timed by "
        "`bench/markdown.py`, which rewrites this section (`make bench`). "
        f"The bar: every input well under {BAR_MS} ms.",
        "",
        f"Machine: {machine()}.",
        "",
        "| input | length | median ms | worst ms |",
        "|:------|-------:|----------:|---------:|",
    ]
    for name, length, median, worst in rows:
        cell = name.replace("|", "\\|")  # a "|" ends a table cell, even in code
        lines.append(f"| {cell} | {length:,} | {median:.1f} | {worst:.1f} |")
    lines += [
        "",
        "Everything that took Python-Markdown worse than linear time (bracket and backtick",
        "scanning, fenced code, deep nesting, blocks eaten a line at a time) is replaced in",
        "`community/markdown.py`, and each replacement says what it measured before. What is",
        "left is linear: Python-Markdown spends some 20 µs on every block, table row or",
        "text node, so the slowest rows are thousands of tiny blocks. The worst column",
        "includes garbage-collector pauses.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    render_markdown(REFLECTION)  # warm up imports and URL resolvers
    rows = []
    width = max(len(name) for name in INPUTS)
    for name, text in INPUTS.items():
        med, worst = measure(text)
        rows.append((name, len(text), med, worst))
        print(f"{name:<{width}}  {len(text):>6}  median {med:7.1f} ms  worst {worst:7.1f} ms")
    write_section(HEADING, section(rows))
    print("Wrote docs/performance.md")
    slow = [name for name, _, _, worst in rows if worst >= BAR_MS]
    if slow:
        print(f"Over {BAR_MS} ms: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
