"""Page-shaped reads for search, tag pages and space feeds.

What search matches: a post's body, and a thread's title standing for the thread's
opening post (so that a title match is one result, not one per reply). Hidden and
deleted posts are never searched: their text is for moderators only, and a snippet
would leak it.

On PostgreSQL each post has a stored search vector (the title weighted above the body;
kept by a trigger, GIN-indexed: migration 0005_search_vector) and results are ranked;
elsewhere (SQLite, in development and tests) every word must appear, newest first.
"""

import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from community.models import Post, Space, Thread

RESULTS_PER_PAGE = 20
THREADS_PER_PAGE = 20
FEED_LENGTH = 30
SNIPPET_LENGTH = 240
SEARCH_CONFIG = "english"

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"\w+")
_SUFFIXES = ("ing", "es", "ed", "s")


# --- The query as the person typed it ----------------------------------------------------


def parse_terms(q: str) -> tuple[list[str], list[str]]:
    """The words to find and the words to leave out (`-word`), in websearch syntax:
    quotes group words, a leading minus excludes, `or` is read as "and" by the fallback."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for quoted_neg, quoted, neg, bare in _TOKEN.findall(q):
        words = _WORD.findall(quoted or bare)
        if not quoted and [w.lower() for w in words] == ["or"]:
            continue
        (unwanted if (quoted_neg or neg) else wanted).extend(words)
    return wanted, unwanted


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight_pattern(words: list[str]) -> re.Pattern | None:
    """Whole words starting with a query word's stem ("fractions" marks "fraction")."""
    stems = sorted({_stem(w) for w in words}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def snippet(post: Post, pattern: re.Pattern | None, *, length: int = SNIPPET_LENGTH) -> SafeString:
    """A short piece of the post's plain text around the first match, escaped, with the
    matches wrapped in <mark>. Every piece of the user's text goes through escape()."""
    text = " ".join(html.unescape(strip_tags(post.body_html)).split())
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > length // 3:
        start = text.find(" ", first.start() - length // 3) + 1
    end = start + length
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    window = text[start:end]
    parts = ["…"] if start > 0 else []
    position = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(window[position:]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))


# --- Search ----------------------------------------------------------------------------


def searchable_posts(user):
    """The posts whose text the viewer may read in a list: visible, neither hidden nor
    deleted (threads that are deleted are already outside `visible_to`)."""
    return Post.objects.visible_to(user).filter(hidden_at__isnull=True, deleted_at__isnull=True)


def web_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


def posts_matching(query: SearchQuery):
    """Posts whose stored vector matches (PostgreSQL; migration 0005 keeps the vector and
    its GIN index)."""
    return Post.objects.filter(search_vector=query)


def _match_postgresql(posts, q: str):
    query = web_query(q)
    return (
        posts.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-created_at", "-pk")
    )


def _match_fallback(posts, q: str):
    wanted, unwanted = parse_terms(q)
    in_body = Q()
    in_title = Q()
    for word in wanted:
        in_body &= Q(body__icontains=word)
        in_title &= Q(thread__title__icontains=word)
    posts = posts.filter(in_body | (Q(number=1) & in_title))
    for word in unwanted:
        posts = posts.exclude(body__icontains=word)
    return posts.order_by("-created_at", "-pk")


def search_posts(user, *, q: str, space: str = "", tag: str = "", author: str = ""):
    """Posts the viewer may read that match `q`, best first, narrowed by a space's slug,
    a tag name and an author's handle. A space the viewer cannot see simply matches
    nothing, like one that does not exist."""
    posts = searchable_posts(user)
    if not parse_terms(q)[0]:
        # Nothing to look for (punctuation, or only words to leave out): on PostgreSQL a
        # query of exclusions alone would read every post.
        return posts.none()
    if space:
        posts = posts.filter(thread__space__slug=space)
    if tag:
        posts = posts.filter(thread__tags__name=tag)
    if author:
        posts = posts.filter(author__username__iexact=author.lstrip("@"))
    if connections[posts.db].vendor == "postgresql":
        posts = _match_postgresql(posts, q)
    else:
        posts = _match_fallback(posts, q)
    return posts.select_related("thread__space", "author__profile")


def search_page(user, *, q: str, page_number, **filters) -> dict:
    """One page of search results, each post carrying its highlighted `snippet`."""
    results = search_posts(user, q=q, **filters)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(page_number)
    pattern = highlight_pattern(parse_terms(q)[0])
    for post in page.object_list:
        post.snippet = snippet(post, pattern)
    return {"page": page}


def space_choices(user) -> list[tuple[str, str]]:
    return [
        (slug, name)
        for slug, name in Space.objects.visible_to(user)
        .order_by("name")
        .values_list("slug", "name")
    ]


# --- Tags --------------------------------------------------------------------------------


def threads_tagged(user, tag):
    """Threads the viewer may see with this tag, latest activity first."""
    return (
        Thread.objects.visible_to(user)
        .filter(tags=tag)
        .select_related("space", "author__profile")
        .order_by("-last_activity_at", "-pk")
    )


def tag_page(user, tag, page_number):
    return Paginator(threads_tagged(user, tag), THREADS_PER_PAGE).get_page(page_number)


# --- Feeds -------------------------------------------------------------------------------


def feed_threads(space):
    """A network space's latest threads for its public feed, each with its opening
    post's (already sanitized) HTML; threads whose opening post is hidden or deleted are
    left out."""
    opening = Post.objects.filter(thread=OuterRef("pk"), number=1)
    readable_opening = opening.filter(hidden_at__isnull=True, deleted_at__isnull=True)
    return list(
        Thread.objects.filter(space=space, deleted_at__isnull=True)
        .filter(Exists(readable_opening))
        .annotate(opening_html=Subquery(opening.values("body_html")[:1]))
        .select_related("author__profile")
        .order_by("-created_at", "-pk")[:FEED_LENGTH]
    )
