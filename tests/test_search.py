"""Searching the threads and posts a teacher may read."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from community.markdown import render_markdown
from community.models import Post, Tag, Thread
from community.queries_search import (
    parse_terms,
    posts_matching,
    web_query,
)
from tests.factories import make_space, make_thread, make_user, post_of

SEARCH = reverse("community:search")


def add_reply(thread, *, author, body):
    thread.post_count += 1
    thread.save(update_fields=["post_count"])
    return Post.objects.create(
        thread=thread,
        number=thread.post_count,
        author=author,
        body=body,
        body_html=render_markdown(body).html,
    )


def found(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return [post.pk for post in response.context["page"]]


def test_finds_a_thread_by_its_title(teacher_client, space, teacher):
    thread = make_thread(space=space, author=teacher, title="Fractions with paper strips")
    add_reply(thread, author=teacher, body="Thank you, trying it tomorrow")
    make_thread(space=space, author=teacher, title="Times tables")
    # A title match is the thread's opening post, once; not every reply.
    assert found(teacher_client, q="fractions") == [post_of(thread).pk]


def test_finds_a_post_by_its_body(teacher_client, space, teacher, colleague, thread):
    reply = add_reply(thread, author=colleague, body="We use **manipulatives** every lesson")
    add_reply(thread, author=colleague, body="Something else entirely")
    response = teacher_client.get(SEARCH, {"q": "manipulatives"})
    assert [post.pk for post in response.context["page"]] == [reply.pk]
    body = response.content.decode()
    assert "Number talks in Year 4" in body and "Tom Hughes" in body
    assert reply.get_absolute_url() in body
    assert "<mark>manipulatives</mark>" in body


def test_every_word_must_match(teacher_client, space, teacher):
    both = make_thread(space=space, author=teacher, body="Fractions on a number line")
    make_thread(space=space, author=teacher, body="Fractions with pizza")
    assert found(teacher_client, q="fractions line") == [post_of(both).pk]


def test_a_minus_leaves_a_word_out(teacher_client, space, teacher):
    keep = make_thread(space=space, author=teacher, body="Fractions with strips")
    make_thread(space=space, author=teacher, body="Fractions with pizza")
    assert found(teacher_client, q="fractions -pizza") == [post_of(keep).pk]


def test_never_finds_a_private_space_post_for_a_non_member(
    client, outsider, teacher, private_space
):
    secret = make_thread(space=private_space, author=teacher, body="Ofsted phonics worries")
    client.force_login(outsider)
    assert found(client, q="phonics") == []
    client.force_login(teacher)
    assert found(client, q="phonics") == [post_of(secret).pk]


@pytest.mark.parametrize("who", ["teacher", "colleague", "moderator", "staff"])
def test_never_finds_hidden_or_deleted_posts(client, request, space, teacher, thread, who):
    hidden = add_reply(thread, author=teacher, body="Phonics hidden")
    hidden.hidden_at = timezone.now()
    hidden.save(update_fields=["hidden_at"])
    deleted = add_reply(thread, author=teacher, body="Phonics deleted")
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    gone = make_thread(space=space, author=teacher, title="Phonics thread", body="Phonics gone")
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    client.force_login(request.getfixturevalue(who))
    response = client.get(SEARCH, {"q": "phonics"})
    assert list(response.context["page"]) == []
    body = response.content.decode()
    assert "Phonics hidden" not in body and "Phonics deleted" not in body
    assert "Phonics gone" not in body and "Phonics thread" not in body


def test_snippet_is_escaped_and_marks_the_match(teacher_client, space, teacher, thread):
    add_reply(thread, author=teacher, body="Paste `<script>alert(1)</script>` near fractions")
    body = teacher_client.get(SEARCH, {"q": "fractions"}).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<mark>fractions</mark>" in body


def test_snippet_is_cut_around_the_match(teacher_client, space, teacher, thread):
    add_reply(thread, author=teacher, body="word " * 200 + "fractions " + "more " * 200)
    body = teacher_client.get(SEARCH, {"q": "fractions"}).content.decode()
    assert "…word word" in body and "<mark>fractions</mark>" in body and "more more…" in body


def test_filters_by_space_tag_and_author(teacher_client, space, teacher, colleague):
    other_space = make_space(name="Science", slug="science", members=[teacher])
    in_space = make_thread(space=space, author=teacher, body="Fractions one")
    tagged = make_thread(space=other_space, author=teacher, body="Fractions two")
    tagged.tags.add(Tag.objects.create(name="ks2"))
    by_colleague = make_thread(space=other_space, author=colleague, body="Fractions three")

    assert found(teacher_client, q="fractions", space="primary-maths") == [post_of(in_space).pk]
    assert found(teacher_client, q="fractions", tag="ks2") == [post_of(tagged).pk]
    assert found(teacher_client, q="fractions", tag="#KS2") == [post_of(tagged).pk]
    assert found(teacher_client, q="fractions", author="TOM") == [post_of(by_colleague).pk]
    assert found(teacher_client, q="fractions", space="science", author="amira") == [
        post_of(tagged).pk
    ]


def test_a_space_filter_for_an_invisible_space_finds_nothing(
    client, outsider, teacher, private_space
):
    make_thread(space=private_space, author=teacher, body="Fractions in private")
    client.force_login(outsider)
    response = client.get(SEARCH, {"q": "fractions", "space": "reading-group"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Reading group" not in response.content.decode()


def test_space_filter_offers_only_visible_spaces(client, outsider, private_space, space):
    client.force_login(outsider)
    body = client.get(SEARCH).content.decode()
    assert "Primary maths" in body and "Reading group" not in body


def test_empty_query_shows_the_form_and_a_hint(teacher_client, thread):
    for params in [{}, {"q": "   "}, {"q": "", "space": "primary-maths"}]:
        response = teacher_client.get(SEARCH, params)
        assert response.status_code == 200
        assert response.context["page"] is None
        assert "Type a few words" in response.content.decode()


@pytest.mark.parametrize("q", ["!!! ???", "-opening"])
def test_a_query_with_nothing_to_look_for_finds_nothing(teacher_client, space, teacher, q):
    make_thread(space=space, author=teacher, body="Fractions")
    response = teacher_client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_results_are_paginated(teacher_client, space, teacher, thread):
    for n in range(23):
        add_reply(thread, author=teacher, body=f"Fractions idea {n}")
    first = teacher_client.get(SEARCH, {"q": "fractions"})
    assert len(first.context["page"].object_list) == 20
    assert "q=fractions&amp;page=2" in first.content.decode()
    second = teacher_client.get(SEARCH, {"q": "fractions", "page": 2})
    assert len(second.context["page"].object_list) == 3


def test_parse_terms_reads_websearch_syntax():
    assert parse_terms('"number bonds" or fractions -pizza') == (
        ["number", "bonds", "fractions"],
        ["pizza"],
    )


def test_anonymous_is_sent_to_login(client, thread):
    response = client.get(SEARCH, {"q": "fractions"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_wrong_method_is_405(teacher_client):
    assert teacher_client.post(SEARCH, {"q": "fractions"}).status_code == 405


@pytest.mark.parametrize("size", [2, 25])
def test_query_count_does_not_grow(client, space, teacher, django_assert_num_queries, size):
    for n in range(size):
        author = make_user(display_name=f"Author {n}")
        make_thread(space=space, author=author, title=f"Fractions {n}", body="Fractions talk")
    client.force_login(teacher)
    # session, user, profile (timezone), spaces for the filter, count, page of posts, and
    # the page frame's unread count and moderator check
    with django_assert_num_queries(8):
        response = client.get(SEARCH, {"q": "fractions"})
    assert len(response.context["page"].object_list) == min(size, 20)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_postgresql_search_lookups_can_use_the_gin_indexes(space, teacher, thread):
    query = web_query("fractions")
    with connection.cursor() as cursor:
        # On tiny tables reading everything is cheaper; forbid that, leaving only bitmap
        # scans, to see whether the indexes *can* serve the lookups: whether their
        # expressions are exactly the lookups'. (Which plan the whole search gets depends
        # on the data, so it is not pinned here.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = posts_matching(query).explain()
    assert "Bitmap Index Scan on post_search_vector" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_stored_vector_follows_edits_and_title_changes(space, teacher, thread):
    from community.services import forum

    opening = thread.posts.get(number=1)
    assert list(posts_matching(web_query("talks"))) == [opening]  # from the title
    forum.edit_post(actor=teacher, post=opening, body="We tried fractions walls")
    assert list(posts_matching(web_query("fraction"))) == [opening]
    Thread.objects.filter(pk=thread.pk).update(title="Place value games")
    assert list(posts_matching(web_query("games"))) == [opening]
    assert not posts_matching(web_query("talks")).exists()


def test_the_nav_search_box_keeps_the_words_only_on_the_search_page(client, teacher):
    client.force_login(teacher)
    searched = client.get(reverse("community:search"), {"q": "oracy"}).content.decode()
    assert 'id="nav-search-q" type="search" name="q" placeholder="Search" value="oracy"' in searched
    elsewhere = client.get("/library/", {"q": "oracy"}).content.decode()
    assert 'id="nav-search-q" type="search" name="q" placeholder="Search" value=""' in elsewhere
