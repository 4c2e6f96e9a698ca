"""Finding modules: the library's search box, and the three modules suggested for a
teacher's focus question, with the words that matched.

On PostgreSQL both use the module's stored `search_vector` (title weighted A, summary B,
body and "try this" C), kept by `index_module` after every write, and rank with
ts_rank: a focus question is a sentence, so its words are OR-ed, and the modules sharing
the most (and the weightiest) of them come first. SQLite has no full-text search here:
there words are matched in Python over the published modules with the same weights,
which is plenty for a library of hundreds. No hosted AI, nothing leaves the server."""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet

from inquiry.models import Module

SUGGESTIONS = 3
WEIGHTS = (("title", 3), ("summary", 2), ("body", 1), ("try_prompt", 1))
# Words too common in teachers' questions to say anything about a module.
STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be been before being but by can could
    did do does doing for from get had has have how i if in into is it its just make may me
    more most my no not of on or our out so some such than that the their them then there
    these they this to too up us very was we were what when where which while who why will
    with would you your pupils pupil students student children child class classes lesson
    lessons teach teaching teacher use using help better""".split()
)


@dataclass(frozen=True)
class Suggestion:
    module: Module
    matched: list[str]  # the focus question's words the module shares, for "matched: …"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def words(text: str) -> list[str]:
    """The words of a question that could match a module, in order, once each."""
    found = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())
    return list(dict.fromkeys(w for w in found if len(w) > 2 and w not in STOP_WORDS))


def index_module(module_id: int) -> None:
    """Refresh a module's stored search vector (PostgreSQL; nothing to do on SQLite)."""
    if not _postgres():
        return
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", "try_prompt", weight="C", config="english")
    )
    Module.objects.filter(pk=module_id).update(search_vector=vector)


def search_modules(modules: QuerySet, text: str) -> QuerySet:
    """The library's search: every word must match (title, summary or body), best first."""
    terms = words(text) or re.findall(r"\w+", text.lower())[:8]
    if not terms:
        return modules
    if _postgres():
        query = SearchQuery(" ".join(terms), config="english")
        return (
            modules.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")
        )
    for term in terms:
        modules = modules.filter(
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        )
    return modules


def suggest_modules(modules: QuerySet, text: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The modules (of `modules`, e.g. the published ones) most relevant to a focus
    question, with the words that matched; none when nothing matches."""
    terms = words(text)
    if not terms:
        return []
    if _postgres():
        query = reduce(or_, (SearchQuery(term, config="english") for term in terms))
        ranked = (
            modules.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")[:limit]
        )
        return [Suggestion(m, _matched(m, terms)) for m in ranked]
    scored = []
    for module in modules.only("pk", "slug", "title", "summary", "body", "try_prompt", "minutes"):
        score = sum(
            weight * sum(_mentions(getattr(module, field), term) for term in terms)
            for field, weight in WEIGHTS
        )
        if score:
            scored.append((-score, module.title, module))
    scored.sort(key=lambda row: row[:2])
    return [Suggestion(m, _matched(m, terms)) for _, _, m in scored[:limit]]


def _mentions(text: str, term: str) -> bool:
    # A word's stem at the start of a word: "question" matches "questioning", "questions".
    stem = term[:-1] if len(term) > 4 and term.endswith("s") else term
    return re.search(rf"\b{re.escape(stem)}", text.lower()) is not None


def _matched(module: Module, terms: list[str]) -> list[str]:
    text = " ".join(getattr(module, field) for field, _ in WEIGHTS)
    return [term for term in terms if _mentions(text, term)]
