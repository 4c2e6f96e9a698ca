"""render_markdown(): the one door through which user text becomes HTML.

The XSS checks parse the output with the standard library's HTMLParser rather than
searching it for substrings, so that an encoded or split payload cannot slip past.
"""

from html.parser import HTMLParser

import markdown
import pytest
from django.core.exceptions import ValidationError
from markdown.extensions.tables import TableExtension

from community.markdown import MAX_MARKDOWN_LENGTH, Rendered, _sanitize, render_markdown
from tests.xss_corpus import XSS_PAYLOADS

# The policy, written out again here so that a change to it is a change to this test too.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "rel"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "span": {"class"},
}
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "span",
}  # fmt: skip
FORBIDDEN_TAGS = {
    "img", "script", "style", "iframe", "svg", "math", "object", "embed", "form", "base",
    "meta", "link",
}  # fmt: skip
ALLOWED_CLASSES = {"a": {"mention", "tag"}, "span": set()}
SAFE_HREF_STARTS = ("http://", "https://", "mailto:", "/", "#", "?")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def executable_vectors(html: str) -> list[str]:
    """Everything in `html` that could run script or leave our policy; [] when safe."""
    problems = []
    for tag, attrs in elements(html):
        if tag in FORBIDDEN_TAGS or tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("data-"):
                problems.append(f"<{tag} {name}>")
            elif name in {"style", "id", "name", "srcdoc", "formaction"}:
                problems.append(f"<{tag} {name}>")
            elif name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                problems.append(f"<{tag} {name}> not allowed")
            elif name == "class" and set((value or "").split()) - ALLOWED_CLASSES[tag]:
                problems.append(f'<{tag} class="{value}">')
        if "href" in attrs:
            problems += unsafe_href(attrs["href"] or "")
        if tag == "a":
            rel = set((attrs.get("rel") or "").split())
            if not {"nofollow", "ugc", "noopener"} <= rel:
                problems.append(f'<a rel="{attrs.get("rel")}">')
    return problems


def unsafe_href(href: str) -> list[str]:
    # HTMLParser has already decoded character references, as a browser would.
    cleaned = "".join(ch for ch in href if ord(ch) > 0x20 and ch != "\x7f").lower()
    if cleaned.startswith(("//", "/\\", "\\")):
        return [f"href={href!r} leaves the site"]
    if cleaned.startswith(SAFE_HREF_STARTS):
        return []
    if ":" in cleaned.split("/", 1)[0]:
        return [f"href={href!r} has a scheme"]
    return []


def text_of(html: str) -> str:
    chunks = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = chunks.append
    parser.feed(html)
    parser.close()
    return "".join(chunks)


# --- XSS ----------------------------------------------------------------------------------


XSS_CASES = [pytest.param(text, id=name) for name, text in XSS_PAYLOADS]


def test_the_corpus_is_big_enough():
    assert len(XSS_PAYLOADS) >= 60
    assert len({name for name, _ in XSS_PAYLOADS}) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("text", XSS_CASES)
def test_payload_renders_with_zero_executable_vectors(text):
    html = render_markdown(text).html
    assert executable_vectors(html) == []


@pytest.mark.parametrize("text", XSS_CASES)
def test_payload_output_is_already_sanitized(text):
    html = render_markdown(text).html
    assert _sanitize(html) == html


def test_the_checker_catches_what_it_should():
    # Guard the guard: each of these must be reported.
    assert executable_vectors('<img src="x">')
    assert executable_vectors('<p onclick="x">a</p>')
    assert executable_vectors('<p style="x">a</p>')
    assert executable_vectors('<a href="JaVa&#x09;script:x" rel="nofollow ugc noopener">a</a>')
    assert executable_vectors('<a href="//evil.example" rel="nofollow ugc noopener">a</a>')
    assert executable_vectors('<a href="/ok">a</a>')  # no rel
    assert executable_vectors('<span class="mention">a</span>')
    assert executable_vectors('<p data-x="1">a</p>')
    assert not executable_vectors('<a href="/people/a/" rel="nofollow ugc noopener">a</a>')


def test_raw_html_comes_out_as_text():
    html = render_markdown('<b>bold</b> <img src=x onerror="alert(1)">').html
    assert html == '<p>&lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror="alert(1)"&gt;</p>'


def test_scripting_link_keeps_its_words_but_loses_its_href():
    html = render_markdown("[click me](javascript:alert(1))").html
    assert html == '<p><a rel="nofollow ugc noopener">click me</a></p>'


@pytest.mark.parametrize(
    "href",
    # Markdown turns "\\\\" into one backslash: these reach the browser as "/\\x", "\\\\x".
    ["//evil.example/x", "/\\\\evil.example/x", "\\\\\\\\evil.example/x", " //evil.example/x"],
)
def test_protocol_relative_link_is_not_kept(href):
    html = render_markdown(f"[away](<{href}>)").html
    assert html == '<p><a rel="nofollow ugc noopener">away</a></p>'


def test_a_link_that_loses_its_href_keeps_a_settled_title():
    html = render_markdown('[away](//evil.example "Away")').html
    assert html == '<p><a title="Away" rel="nofollow ugc noopener">away</a></p>'
    assert _sanitize(html) == html


@pytest.mark.parametrize("href", ["/spaces/maths/", "../up/", "notes.html", "?page=2", "#part-2"])
def test_relative_link_to_our_own_pages_is_kept(href):
    html = render_markdown(f"[here]({href})").html
    assert html == f'<p><a href="{href}" rel="nofollow ugc noopener">here</a></p>'


@pytest.mark.parametrize(
    "href", ["jav ascript:alert(1)", "%6Aavascript:alert(1)", "&#0000106avascript:alert(1)"]
)
def test_relative_link_with_a_colon_before_the_first_slash_is_not_kept(href):
    html = render_markdown(f"[x](<{href}>)").html
    assert html == '<p><a rel="nofollow ugc noopener">x</a></p>'


# --- Happy path ---------------------------------------------------------------------------

HAPPY_PATH = [
    (
        "*em* and **strong** and _em_ and __strong__",
        "<p><em>em</em> and <strong>strong</strong> and "
        "<em>em</em> and <strong>strong</strong></p>",
    ),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("```\n<b>&amp;</b>\n```", "<pre><code>&lt;b&gt;&amp;amp;&lt;/b&gt;\n</code></pre>"),
    ("~~~python\nx = 1\n~~~", "<pre><code>x = 1\n</code></pre>"),
    ("    indented <b>", "<pre><code>indented &lt;b&gt;\n</code></pre>"),
    ("`<b>` code", "<p><code>&lt;b&gt;</code> code</p>"),
    (
        "| Lesson | Wait |\n|:--|--:|\n| Mon | 2 |",
        '<table>\n<thead>\n<tr>\n<th align="left">Lesson</th>\n<th align="right">Wait</th>\n'
        '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">Mon</td>\n<td align="right">2</td>\n'
        "</tr>\n</tbody>\n</table>",
    ),
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("## Heading two", "<h2>Heading two</h2>"),
    ("Heading\n=======", "<h1>Heading</h1>"),
    ("> quoted\n> more", "<blockquote>\n<p>quoted<br>\nmore</p>\n</blockquote>"),
    ("---", "<hr>"),
    (
        "See https://example.org/path?x=1&y=2.",
        '<p>See <a href="https://example.org/path?x=1&amp;y=2" rel="nofollow ugc noopener">'
        "https://example.org/path?x=1&amp;y=2</a>.</p>",
    ),
    (
        "Try (www.example.org/a).",
        '<p>Try (<a href="https://www.example.org/a" rel="nofollow ugc noopener">'
        "www.example.org/a</a>).</p>",
    ),
    (
        "https://en.wikipedia.org/wiki/Bath_(Somerset)!",
        '<p><a href="https://en.wikipedia.org/wiki/Bath_(Somerset)" rel="nofollow ugc noopener">'
        "https://en.wikipedia.org/wiki/Bath_(Somerset)</a>!</p>",
    ),
    (
        "http://example.org/a_b_c",
        '<p><a href="http://example.org/a_b_c" rel="nofollow ugc noopener">'
        "http://example.org/a_b_c</a></p>",
    ),
    ("xhttp://a.org and foo.www.a.org", "<p>xhttp://a.org and foo.www.a.org</p>"),
    (
        "[mail me](mailto:amira@example.org) or <tom@example.org>",
        '<p><a href="mailto:amira@example.org" rel="nofollow ugc noopener">mail me</a> or '
        '<a href="mailto:tom@example.org" rel="nofollow ugc noopener">tom@example.org</a></p>',
    ),
    (
        '[the guidance](https://example.org/eef "EEF")',
        '<p><a href="https://example.org/eef" title="EEF" rel="nofollow ugc noopener">'
        "the guidance</a></p>",
    ),
    (
        "[Bath](https://en.wikipedia.org/wiki/Bath_(Somerset))",
        '<p><a href="https://en.wikipedia.org/wiki/Bath_(Somerset)" rel="nofollow ugc noopener">'
        "Bath</a></p>",
    ),
    (
        "[notes][n]\n\n[n]: https://example.org/n",
        '<p><a href="https://example.org/n" rel="nofollow ugc noopener">notes</a></p>',
    ),
    (
        "Thanks @amira.k, see teacher@school.org",
        '<p>Thanks <a class="mention" href="/people/amira.k/" rel="nofollow ugc noopener">'
        "@amira.k</a>, see teacher@school.org</p>",
    ),
    ("#maths", '<p><a class="tag" href="/tags/maths/" rel="nofollow ugc noopener">#maths</a></p>'),
    ("# Heading", "<h1>Heading</h1>"),
    ("&#35;nope #1 #a C#", "<p>#nope #1 #a C#</p>"),
    (
        "`@amira #maths https://example.org`",
        "<p><code>@amira #maths https://example.org</code></p>",
    ),
    (
        "```\n@amira #maths https://example.org\n```",
        "<pre><code>@amira #maths https://example.org\n</code></pre>",
    ),
    (
        "![A diagram](https://example.org/d.png)",
        '<p><a href="https://example.org/d.png" rel="nofollow ugc noopener">A diagram</a></p>',
    ),
    (
        "![](https://example.org/e.png)",
        '<p><a href="https://example.org/e.png" rel="nofollow ugc noopener">'
        "https://example.org/e.png</a></p>",
    ),
    (
        "![chart][c]\n\n[c]: https://example.org/c.png",
        '<p><a href="https://example.org/c.png" rel="nofollow ugc noopener">chart</a></p>',
    ),
    (
        "[![badge](https://example.org/b.svg)](https://example.org)",
        '<p><a href="https://example.org" rel="nofollow ugc noopener"><span>badge</span></a></p>',
    ),
]


@pytest.mark.parametrize(("text", "expected"), HAPPY_PATH)
def test_renders(text, expected):
    assert render_markdown(text).html == expected


@pytest.mark.parametrize(("text", "expected"), HAPPY_PATH)
def test_happy_path_output_is_already_sanitized(text, expected):
    html = render_markdown(text).html
    assert _sanitize(html) == html
    assert executable_vectors(html) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \n"])
def test_empty_text_renders_to_nothing(text):
    assert render_markdown(text) == Rendered("", (), ())


# --- Mentions -----------------------------------------------------------------------------


def test_mention_links_to_the_profile_and_is_returned():
    rendered = render_markdown("Thanks @Amira.")
    assert rendered.html == (
        '<p>Thanks <a class="mention" href="/people/Amira/" rel="nofollow ugc noopener">'
        "@Amira</a>.</p>"
    )
    assert rendered.mentions == ("amira",)


def test_mentions_are_lower_cased_de_duplicated_and_in_document_order():
    text = "> @tom and @Amira\n\n@amira, @wanjiru and @TOM"
    assert render_markdown(text).mentions == ("tom", "amira", "wanjiru")


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("teacher@school.org", ()),
        ("(@bob) and @bob's", ("bob",)),
        ("@a.b-c_d", ("a.b-c_d",)),
        ("@" + "x" * 30, ("x" * 30,)),
        ("@" + "x" * 31, ()),  # longer than any username: not cut short
        ("@-bob @.bob", ()),
        ("`@bob`", ()),
        ("```\n@bob\n```", ()),
        ("    @bob", ()),
        ("[@bob](https://example.org)", ()),
        ("# Hello @bob\n\n- @ann", ("bob", "ann")),
        ("@a@b@c", ()),
        ("@sam@school.social", ()),
        ("@bob#maths", ("bob",)),
    ],
)
def test_what_counts_as_a_mention(text, mentions):
    assert render_markdown(text).mentions == mentions


def test_mention_inside_link_text_stays_text():
    html = render_markdown("[ask @bob](https://example.org)").html
    assert html == (
        '<p><a href="https://example.org" rel="nofollow ugc noopener">ask <span>@bob</span></a></p>'
    )


# --- Tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#maths and #Year-9 and #MATHS", ("maths", "year-9")),
        ("#maths at the start of a line\n#science too", ("maths", "science")),
        ("# Heading", ()),
        ("&#35;nope", ()),
        ("&#x23;nope", ()),
        ("#1 #a C# x#yz", ()),
        ("#" + "a" * 40, ("a" * 40,)),
        ("#" + "a" * 41, ()),
        ("`#maths`", ()),
        ("```\n#maths\n```", ()),
        ("[#maths](https://example.org)", ()),
        ("## Plans #maths", ("maths",)),
        ("#ab#cd", ("ab",)),
        ("@bob#maths", ()),
    ],
)
def test_what_counts_as_a_tag(text, tags):
    assert render_markdown(text).tags == tags


# --- Length -------------------------------------------------------------------------------


def test_text_of_exactly_the_maximum_length_renders_in_full():
    text = ("word " * MAX_MARKDOWN_LENGTH)[: MAX_MARKDOWN_LENGTH - 1] + "!"
    html = render_markdown(text).html
    assert text_of(html) == text


def test_text_over_the_maximum_length_is_refused_not_cut():
    with pytest.raises(ValidationError) as error:
        render_markdown("a" * (MAX_MARKDOWN_LENGTH + 1))
    assert error.value.messages == ["This text is 20,001 characters long; the most is 20,000."]


def test_a_lower_maximum_can_be_given():
    assert render_markdown("abcd", max_length=4).html == "<p>abcd</p>"
    with pytest.raises(ValidationError, match="5 characters long; the most is 4"):
        render_markdown("abcde", max_length=4)


# --- Inputs that were slow, and what the fixes render ---------------------------------------
# bench/markdown.py measures these at full length; here they only pin the output.


@pytest.mark.parametrize(
    "text",
    [
        "[" * 2000 + "x](javascript:alert(1))",
        "[a](" * 500 + "javascript:alert(1))" + ")" * 500,
        "![" * 1000,
        "[ []" * 500,
        ">" * 2000 + " <script>",
        "1. " * 700 + "<img src=x onerror=alert(1)>",
        "> - " * 500 + "[x](javascript:alert(1))",
        "*a " * 300 + "<script>" + "a*" * 300,
        "``a`" * 500,
        "\\``` `a` " * 300,
        "```a\n" * 400 + "<script>",
        "a\n=\n" * 500,
        "a\n# b\n" * 300,
        "|a\n|-\nx\n---\n" * 200,
        '[a]: javascript:alert(1) "t"\n[a]\n' * 100,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_pathological_input_stays_safe(text):
    html = render_markdown(text).html
    assert executable_vectors(html) == []
    assert _sanitize(html) == html


def test_links_allow_brackets_nested_three_deep_but_not_four():
    assert render_markdown("[a [b [c]]](/x)").html == (
        '<p><a href="/x" rel="nofollow ugc noopener">a [b [c]]</a></p>'
    )
    assert render_markdown("[a [b [c [d]]]](/x)").html == "<p>[a [b [c [d]]]](/x)</p>"


def test_link_target_forms():
    assert render_markdown("[a]( <https://example.org/a b> )").html == (
        '<p><a href="https://example.org/a b" rel="nofollow ugc noopener">a</a></p>'
    )
    assert render_markdown("[a](https://example.org 'single')").html == (
        '<p><a href="https://example.org" title="single" rel="nofollow ugc noopener">a</a></p>'
    )
    assert render_markdown("[a](https://example.org/(").html == (
        '<p>[a](<a href="https://example.org/(" rel="nofollow ugc noopener">'
        "https://example.org/(</a></p>"
    )


def test_quotes_and_lists_nest_only_so_deep():
    html = render_markdown("> " * 40 + "deep").html
    assert html.count("<blockquote>") == 16
    assert "&gt; &gt; deep" in html
    html = render_markdown("1. " * 40 + "deep").html
    assert html.count("<ol>") == 16
    assert "1. 1. deep" in html


def test_code_span_closes_at_a_run_of_as_many_backticks():
    assert render_markdown("``a`b`` and `c`").html == "<p><code>a`b</code> and <code>c</code></p>"
    assert render_markdown("``a` b").html == "<p>``a` b</p>"


def test_a_fence_left_open_runs_to_the_end():
    assert render_markdown("text\n\n```\n<b>\n\nmore").html == (
        "<p>text</p>\n<pre><code>&lt;b&gt;\n\nmore\n</code></pre>"
    )


def test_a_fence_closes_on_a_line_of_at_least_as_many_of_its_marks():
    assert render_markdown("````\n```\n`````\nafter").html == (
        "<pre><code>```\n</code></pre>\n<p>after</p>"
    )


def python_markdown(text: str) -> str:
    """What Python-Markdown itself renders, through the same sanitizer."""
    extensions = ["fenced_code", TableExtension(use_align_attribute=True), "sane_lists", "nl2br"]
    return _sanitize(markdown.Markdown(extensions=extensions).convert(text))


@pytest.mark.parametrize(
    "text",
    [
        "a\n=\nb\n---\n# c\n> d\n[e]: /e\n[e]",
        "a\n===\nb\n---\n* * *\n> q\n\nc\n-\nd",
        "para\n# h\npara2\n---\npara3\n> q",
        "x# h\n\n# h",
        "> a\n> > b\n> c",
        "| a |\n|---|\n| b |",
        "| a |\n|---|\nb",
        "a | b\n--|--\n1 | 2\n3 | 4",
        "- a\n- b\n    - c\n\n1. x\n2. y",
        '[a [b [c]]](/x) [x](/y "t") [r][] [r]\n\n[r]: /r',
        "[a](/x)[b](/y) [c]( /z ) [d](</w x>)",
        "`a` ``b`c`` and *em* **strong** _x_",
        "```\ncode\n```\n\n~~~\nmore\n~~~",
        "a\n\n    code\n\n    more\n\nb",
    ],
)
def test_the_linear_rewrites_render_what_python_markdown_renders(text):
    assert render_markdown(text).html == python_markdown(text)


def test_remembered_searches_only_skip_tails_that_start_a_line():
    # "# h" ends the first block, but mid-line: it must still be a heading on its own.
    assert render_markdown("x# h\n\n# h").html == "<p>x# h</p>\n<h1>h</h1>"


def test_one_column_table_needs_a_pipe_on_every_row():
    assert render_markdown("| a |\n|---|\n| b |").html == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b</td>\n"
        "</tr>\n</tbody>\n</table>"
    )
    assert render_markdown("| a |\n|---|\nb").html == "<p>| a |<br>\n|---|<br>\nb</p>"
