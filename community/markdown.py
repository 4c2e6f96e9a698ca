"""The one door through which user-written text becomes HTML.

`render_markdown()` runs once, when text is written, and its `html` is stored in a
`body_html` field; templates mark only those fields safe. Three layers keep that safe:

1. raw HTML in the input is never parsed as HTML: it comes out as escaped text;
2. our own patterns only ever emit a handful of tags and two classes;
3. nh3 sanitizes the result last, with a strict allowlist, whatever happened before.

Python-Markdown takes quadratic time, or recurses without bound, on some inputs (20,000
"[" took 35 s). The second half of this module replaces those parts with linear ones;
`bench/markdown.py` times the worst inputs we know at the maximum length and records the
figures in docs/performance.md.
"""

import re
from html import escape
from typing import NamedTuple
from xml.etree import ElementTree

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.urls import reverse
from markdown.blockprocessors import (
    BlockQuoteProcessor,
    HashHeaderProcessor,
    HRProcessor,
    ListIndentProcessor,
    SetextHeaderProcessor,
)
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import (
    BACKTICK_RE,
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    BacktickInlineProcessor,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from community.models import USERNAME_PATTERN

MAX_MARKDOWN_LENGTH = 20_000  # characters


class Rendered(NamedTuple):
    html: str  # safe HTML, ready to store in a body_html field
    mentions: tuple[str, ...]  # @usernames, lower-cased, de-duplicated, in order
    tags: tuple[str, ...]  # #tags, lower-cased, de-duplicated, in order


def render_markdown(text: str, *, max_length: int = MAX_MARKDOWN_LENGTH) -> Rendered:
    # Checked before any work: rendering is only known to be fast up to this length, and
    # cutting the text short would silently lose what someone wrote.
    if len(text) > max_length:
        raise ValidationError(
            "This text is %(length)s characters long; the most is %(max_length)s.",
            code="max_length",
            params={"length": f"{len(text):,}", "max_length": f"{max_length:,}"},
        )
    if not text.strip():
        return Rendered("", (), ())

    mentions: list[str] = []
    tags: list[str] = []
    # A new instance per call: Markdown instances are not thread-safe, and building one
    # takes about 0.25 ms.
    md = _new_markdown(mentions=mentions, tags=tags)
    # Sanitized twice: when our URL rule drops an href, nh3 leaves rel= in front of title=
    # and a second pass would swap them back. Twice, the result is settled: sanitizing what
    # we store changes nothing (the tests check this).
    html = _sanitize(_sanitize(md.convert(text)))
    return Rendered(html, tuple(dict.fromkeys(mentions)), tuple(dict.fromkeys(tags)))


# --- Sanitizing ---------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "span",
}  # fmt: skip
ALIGNMENTS = {"left", "center", "right"}
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _keep_relative_url(url: str) -> str | None:
    """nh3 asks about every URL that has no scheme; keep only the ones on our own site.

    "//host/x" has no scheme but leaves the site, and browsers read "/\\host" and
    "\\\\host" the same way. A colon before the first "/" ("jav ascript:alert(1)",
    "%6Aavascript:") is no scheme to nh3 or to a browser, but a reader could take it for
    one, and no link to our own pages needs it, so that goes too.
    """
    # Browsers drop tabs and newlines anywhere in a URL, and spaces and controls at its ends.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE)
    if cleaned[:1] in ("/", "\\") and cleaned[1:2] in ("/", "\\"):
        return None
    if ":" in re.split(r"[/\\]", cleaned, maxsplit=1)[0]:
        return None
    return url


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    tag_attribute_values={"th": {"align": ALIGNMENTS}, "td": {"align": ALIGNMENTS}},
    # Only the classes our own patterns emit; users cannot write a class at all.
    allowed_classes={"a": {"mention", "tag"}},
    url_schemes={"http", "https", "mailto"},
    url_relative=_keep_relative_url,
    link_rel="nofollow ugc noopener",
    strip_comments=True,
)


def _sanitize(html: str) -> str:
    """One pass of the sanitizer. render_markdown() runs two (see there); the tests check
    that one more pass over what it returns changes nothing."""
    return _CLEANER.clean(html)


# --- Markdown -----------------------------------------------------------------------------


def _new_markdown(*, mentions: list[str], tags: list[str]) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists", "nl2br"])
    # Python-Markdown passes raw HTML through; without these two it is escaped as text.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")

    # Python-Markdown's fenced_code extension, rewritten (see _FencedCode).
    md.preprocessors.register(_FencedCode(md), "fenced_code_block", 25)
    # The rest keep the names and priorities of the processors they replace.
    parser = md.parser
    blocks = parser.blockprocessors
    blocks.register(_ListIndent(parser), "indent", 90)
    # align="" rather than style="": no style attribute gets through the sanitizer.
    blocks.register(_Table(parser, {"use_align_attribute": True}), "table", 75)
    blocks.register(_HashHeader(parser), "hashheader", 70)
    blocks.register(_SetextHeader(parser), "setextheader", 60)
    blocks.register(_HorizontalRule(parser), "hr", 50)
    blocks.register(_OList(parser), "olist", 40)
    blocks.register(_UList(parser), "ulist", 30)
    blocks.register(_BlockQuote(parser), "quote", 20)

    inline = md.inlinePatterns
    inline.register(_CodeSpan(BACKTICK_RE), "backtick", 190)
    inline.register(_Reference(REFERENCE_RE, md), "reference", 170)
    inline.register(_Link(LINK_RE, md), "link", 160)
    inline.register(_Image(IMAGE_LINK_RE, md), "image_link", 150)
    inline.register(_ImageReference(IMAGE_REFERENCE_RE, md), "image_reference", 140)
    inline.register(_ShortReference(REFERENCE_RE, md), "short_reference", 130)
    inline.register(_ShortImageReference(IMAGE_REFERENCE_RE, md), "short_image_ref", 125)
    # After "<http://…>" (120) and "<a@b.org>" (110), which need their angle brackets;
    # before emphasis (60), so that the "_" in a URL is not emphasis.
    inline.register(_BareUrl(_BARE_URL_RE), "bare_url", 115)
    inline.register(_Mention(_MENTION_RE), "mention", 105)
    # Before entities (80), so that "&#35;x" still has its "&" and is not a tag.
    inline.register(_Tag(_TAG_RE), "tag", 104)
    # After the inline patterns (20), before prettifying (10).
    md.treeprocessors.register(_Links(md, mentions=mentions, tags=tags), "links", 15)
    return md


# --- Our syntax: links from bare URLs, @mentions, #tags, images as links ------------------

# "https://…" or "www.…", not in the middle of a word or right after an earlier match; it
# stops at whitespace, quotes, brackets and Python-Markdown's placeholders (\x02…\x03,
# which stand for earlier matches such as code spans).
_BARE_URL_RE = r"(?<![\w.\x03])(?P<prefix>(?i:https?://|www\.))[^\s<>\"\[\]`\x02\x03]+"
_TRAILING_PUNCTUATION = ".,:;!?'*_~"


def _trim_url(url: str) -> str:
    """Drop the punctuation that ends the sentence, and any ")" closing a bracket that the
    URL did not open: "(see https://a.org/x_(y))." links https://a.org/x_(y)."""
    unmatched = url.count(")") - url.count("(")
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last == ")" and unmatched > 0:
            end -= 1
            unmatched -= 1
        else:
            break
    return url[:end]


class _BareUrl(InlineProcessor):
    def handleMatch(self, m, data):
        url = _trim_url(m.group(0))
        if len(url) <= len(m["prefix"]):
            return None, None, None
        el = ElementTree.Element("a")
        el.set("href", url if "://" in m["prefix"] else "https://" + url)
        el.text = AtomicString(url)  # no emphasis or mentions inside a URL
        return el, m.start(0), m.start(0) + len(url)


# "@" not after a word character (so "teacher@school.org" is no mention) nor after "\x03",
# the end of a placeholder that stands for an earlier match ("@a@b" has no second mention).
# Then a username, which does not end with "." or "-" ("thanks @sam." mentions sam). A
# mention is never cut short: a longer run of name characters is no mention at all, and
# neither is an address elsewhere ("@sam@school.social").
_MENTION_RE = rf"(?<![\w\x03])@(?P<name>{USERNAME_PATTERN})(?![A-Za-z0-9_@]|[.-][A-Za-z0-9_])"


class _Mention(InlineProcessor):
    def __init__(self, pattern: str):
        super().__init__(pattern)
        self.urls: dict[str, str] = {}  # reverse() takes 25 µs, and names repeat

    def handleMatch(self, m, data):
        name = m["name"]
        if name not in self.urls:
            self.urls[name] = reverse("community:profile", kwargs={"username": name})
        el = ElementTree.Element("a")
        el.set("class", "mention")
        el.set("href", self.urls[name])
        el.text = AtomicString("@" + name)
        return el, m.start(0), m.end(0)


# "#" not after a word character, "&" (so "&#35;" is no tag) or a placeholder (as for
# mentions), then a letter and 1-39 more letters, digits, "_" or "-": "#1" and "# Heading"
# are not tags.
_TAG_RE = r"(?<![\w&\x03])#(?P<tag>[A-Za-z][A-Za-z0-9_-]{1,39}+)(?![A-Za-z0-9_-])"


class _Tag(InlineProcessor):
    def handleMatch(self, m, data):
        # Tags are stored lower-cased: "#Oracy" and "#oracy" are one tag page.
        el = ElementTree.Element("a")
        el.set("class", "tag")
        el.set("href", reverse("community:tag", kwargs={"name": m["tag"].lower()}))
        el.text = AtomicString("#" + m["tag"])
        return el, m.start(0), m.end(0)


class _Links(Treeprocessor):
    """After the inline patterns, walk the tree once in document order to

    - turn every image into a plain link named by its alt text: someone else's image
      would tell its host who reads our pages (and our CSP blocks it anyway);
    - flatten a link inside a link's text (a bare URL, a mention, an image) to plain
      text, since <a> cannot nest;
    - collect the mentions and tags that remain, in order. Text in code never had any.

    (Python-Markdown's ANCESTOR_EXCLUDES would also keep links out of links, but it
    searches the list of ancestors for every pattern and text: 3,000 nested "*a" took
    an extra 175 ms.)
    """

    def __init__(self, md: markdown.Markdown, *, mentions: list[str], tags: list[str]):
        super().__init__(md)
        self.mentions = mentions
        self.tags = tags

    def run(self, root: ElementTree.Element) -> None:
        stack = [(root, False)]
        while stack:
            el, in_link = stack.pop()
            if el.tag == "img":
                href = el.get("src", "")
                text, title = el.get("alt") or href, el.get("title")
                el.attrib.clear()
                el.tag, el.text = "a", AtomicString(text)
                el.set("href", href)
                if title:
                    el.set("title", title)
            kind = el.get("class")
            if in_link and el.tag == "a":
                el.tag = "span"
                el.attrib.clear()
            elif kind == "mention":
                self.mentions.append(el.text.removeprefix("@").lower())
            elif kind == "tag":
                self.tags.append(el.text.removeprefix("#").lower())
            stack.extend((child, in_link or el.tag == "a") for child in reversed(el))


# --- Python-Markdown's slow paths, made linear --------------------------------------------


class _FencedCode(Preprocessor):
    """Fenced code blocks (``` or ~~~), found in one pass over the lines.

    Replaces Python-Markdown's fenced_code, whose pattern searches from every opening
    fence to the end of the text for its closing one: 430 ms for 20,000 characters of
    "```a" lines. As on GitHub, a fence left open runs to the end of the text. The info
    string ("```python") is ignored: the sanitizer allows no class on <code>.
    """

    OPENING_RE = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>.*)")

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence, code = "", []
        for line in lines:
            if not fence:
                m = self.OPENING_RE.fullmatch(line)
                # "```a```" on one line is an inline code span, not a fence.
                if m and not (m["fence"][0] == "`" and "`" in m["info"]):
                    fence, code = m["fence"], []
                else:
                    out.append(line)
            elif self.closes(line, fence):
                out += ["", self.stash(code), ""]
                fence = ""
            else:
                code.append(line)
        if fence:
            # Python-Markdown ends the text with blank lines: they are not code.
            while code and not code[-1].strip():
                code.pop()
            out += ["", self.stash(code), "", ""]
        return out

    @staticmethod
    def closes(line: str, fence: str) -> bool:
        line = line.rstrip(" ")
        return len(line) >= len(fence) and line == fence[0] * len(line)

    def stash(self, code: list[str]) -> str:
        escaped = escape("".join(line + "\n" for line in code), quote=False)
        return self.md.htmlStash.store(f"<pre><code>{escaped}</code></pre>")


class _CodeSpan(BacktickInlineProcessor):
    """A code span closes at the next run of exactly as many backticks (CommonMark's rule).

    Python-Markdown walks the rest of the text in Python for every opening run, then falls
    back to a shorter closing run: 2 s for 20,000 characters of "``a`". A regex search
    runs at C speed, and we remember, for each length, a text found to have no closing
    run: the same text or any tail of it never will (5,000 "\\```" lines took 460 ms).
    """

    def __init__(self, pattern: str):
        super().__init__(pattern)
        self.unclosable: dict[int, str] = {}  # run length -> text with no such run

    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:
        opening_end = _BACKTICKS_RE.match(text, start).end()
        ticks = opening_end - start
        rest = text[opening_end:]
        if self.unclosable.get(ticks, "").endswith(rest):
            return opening_end, None
        closing = re.compile(rf"(?<!`)`{{{ticks}}}(?!`)").search(rest)
        if closing is None:
            self.unclosable[ticks] = rest
            return opening_end, None
        return opening_end, opening_end + closing.start()


_BACKTICKS_RE = re.compile(r"`+")

# Link text may nest brackets three deep ("[a [b [c]]]"); the scan stops at a fourth.
# Possessive quantifiers (*+, ++) never backtrack, so each attempt is linear.
_LINK_TEXT_RE = re.compile(r"((?:[^\[\]]++|\[(?:[^\[\]]++|\[[^\[\]]*+\])*+\])*+)\]")
# "(url)", "(url "title")", "(<url with spaces>)"; parentheses in a URL nest two deep,
# as in "https://en.wikipedia.org/wiki/Bath_(Somerset)".
_LINK_TARGET_RE = re.compile(
    r"""\(\s*+
    (?: <(?P<angled>[^<>\n]*+)> | (?P<bare>(?:[^\s()]++|\((?:[^\s()]++|\([^\s()]*+\))*+\))*+) )
    (?: \s++ (?: "(?P<title>[^"]*+)" | '(?P<title2>[^']*+)' ) )?
    \s*+\)""",
    re.VERBOSE,
)


class _LinearLinkScanning:
    """Python-Markdown scans from every "[" to the end of the text for its "]", and from
    every "](" for its ")": 20,000 "[" took 35 s. Each regex here scans once per link."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        m = _LINK_TEXT_RE.match(data, index)
        if m is None:
            return "", index, False
        return m.group(1), m.end(), True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        m = _LINK_TARGET_RE.match(data, index)
        if m is None:
            return "", None, index, False
        href = m["angled"] if m["angled"] is not None else m["bare"]
        title = m["title"] if m["title"] is not None else m["title2"]
        if title is not None:
            title = " ".join(self.unescape(title).split())
        return self.unescape(href).strip(), title, m.end(), True


class _Link(_LinearLinkScanning, LinkInlineProcessor):
    pass


class _Reference(_LinearLinkScanning, ReferenceInlineProcessor):
    pass


class _ShortReference(_LinearLinkScanning, ShortReferenceInlineProcessor):
    pass


class _Image(_LinearLinkScanning, ImageInlineProcessor):
    pass


class _ImageReference(_LinearLinkScanning, ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_LinearLinkScanning, ShortImageReferenceInlineProcessor):
    pass


class _Table(TableProcessor):
    """Python-Markdown splits and strips every row of a block to test whether it is a
    table, and a block that other processors eat a line at a time is tested once per
    line: 2.6 s for 20,000 characters. The first two rows decide, except that every row
    of a one-column table needs a "|" at one end; that check stops at the first without.
    """

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        lines = block.split("\n", 2)
        if not super().test(parent, "\n".join(lines[:2])):
            return False
        if len(lines) < 3 or len(self.separator) > 1:
            return True
        rows = (line.group().strip(" ") for line in _LINE_RE.finditer(lines[2]))
        return all(row.startswith("|") or self.RE_END_BORDER.search(row) for row in rows)


_LINE_RE = re.compile(r"^.*$", re.MULTILINE)


class _SearchOncePerBlock:
    """For the tests that search a whole block for a line that starts a heading, a rule
    or a quote.

    Other processors eat a block a line or two at a time and give back the rest (10,000
    setext headings in one block), and each time these tests searched all of the rest
    again: 0.9 s for 20,000 characters. Their patterns are anchored at line starts, so a
    search that found nothing in a block finds nothing in a tail of it that starts at a
    line. We remember the last few such blocks, since the rest of a block comes back in
    turns with the pieces cut from its front.
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.found_nothing_in: list[str] = []  # most recently used first

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        for seen in self.found_nothing_in:
            if _is_tail(block, of=seen):
                self.found_nothing_in.remove(seen)
                self.found_nothing_in.insert(0, seen)
                return False
        if super().test(parent, block):
            return True
        self.found_nothing_in = [block, *self.found_nothing_in[:3]]
        return False


def _is_tail(block: str, *, of: str) -> bool:
    """Whether `block` is the end of `of`, from the start of one of its lines."""
    start = len(of) - len(block)
    return start >= 0 and (start == 0 or of[start - 1] == "\n") and of.endswith(block)


class _SetextHeader(SetextHeaderProcessor):
    """Python-Markdown splits the whole block into lines to take the first two, and gives
    back the rest joined again: quadratic for a block of 10,000 setext headings."""

    def run(self, parent: ElementTree.Element, blocks: list[str]) -> None:
        lines = blocks[0].split("\n", 2)
        if len(lines) == 3:
            blocks[0:1] = ["\n".join(lines[:2]), lines[2]]
        super().run(parent, blocks)


# Parser states: one per quote level, one or two per list level.
MAX_NESTING = 16


class _NestingLimit:
    """Beyond MAX_NESTING the markers stay text. Nobody nests quotes or lists that deep,
    and each level is a recursive parse: 10,000 "1. " in a row hit Python's recursion
    limit (an error page), and 20,000 ">" took 120 ms."""

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        return len(self.parser.state) < MAX_NESTING and super().test(parent, block)


class _HashHeader(_SearchOncePerBlock, HashHeaderProcessor):
    """`# Title` is a heading but `#maths` at the start of a line is a tag, as on GitHub.

    This is Python-Markdown's pattern plus the space it does not require after the "#".
    """

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?=[ \t]|\n|$)"
        r"(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"
    )


class _HorizontalRule(_SearchOncePerBlock, HRProcessor):
    pass


class _BlockQuote(_NestingLimit, _SearchOncePerBlock, BlockQuoteProcessor):
    pass


class _OList(_NestingLimit, SaneOListProcessor):
    pass


class _UList(_NestingLimit, SaneUListProcessor):
    pass


class _ListIndent(_NestingLimit, ListIndentProcessor):
    pass
