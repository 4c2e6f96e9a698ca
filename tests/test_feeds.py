"""The Atom feed of a network space: public, and only what a feed may carry."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Post
from tests.factories import make_space, make_thread, make_user, post_of

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(space):
    return reverse("community:space-feed", kwargs={"slug": space.slug})


def entries(response):
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_network_space_feed_is_atom_with_its_threads(client, space, teacher):
    thread = make_thread(space=space, author=teacher, title="Number talks", body="Try **this**")
    opening = post_of(thread)
    opening.body_html = "<p>Try <strong>this</strong></p>"
    opening.save(update_fields=["body_html"])
    response = client.get(feed_url(space))  # no login: feed readers have none
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.find(f"{ATOM}title").text == "Primary maths · Staffroom"
    [entry] = entries(response)
    assert entry.find(f"{ATOM}title").text == "Number talks"
    assert entry.find(f"{ATOM}link").get("href").endswith(thread.get_absolute_url())
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Amira Khan"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>Try <strong>this</strong></p>"
    # Nothing from the profile beyond the display name.
    assert b"/people/" not in response.content and b"amira@" not in response.content


def test_feed_leaves_out_deleted_threads_and_hidden_or_deleted_openings(client, space, teacher):
    make_thread(space=space, author=teacher, title="Kept")
    deleted = make_thread(space=space, author=teacher, title="Deleted thread")
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    hidden = make_thread(space=space, author=teacher, title="Hidden opening", replies=1)
    Post.objects.filter(thread=hidden, number=1).update(hidden_at=timezone.now())
    removed = make_thread(space=space, author=teacher, title="Deleted opening")
    Post.objects.filter(thread=removed, number=1).update(deleted_at=timezone.now())
    titles = [e.find(f"{ATOM}title").text for e in entries(client.get(feed_url(space)))]
    assert titles == ["Kept"]


def test_feed_holds_the_latest_thirty_threads(client, space, teacher):
    for _ in range(32):
        make_thread(space=space, author=teacher)
    assert len(entries(client.get(feed_url(space)))) == 30


def test_private_and_school_spaces_have_no_feed_even_for_members(
    client, teacher, private_space, school
):
    school_space = make_space(kind="school", school=school, members=[teacher])
    make_thread(space=private_space, author=teacher)
    client.force_login(teacher)
    assert client.get(feed_url(private_space)).status_code == 404
    assert client.get(feed_url(school_space)).status_code == 404


def test_unknown_space_feed_is_404(client, db):
    assert client.get(reverse("community:space-feed", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_405(client, space, method):
    assert getattr(client, method)(feed_url(space)).status_code == 405


@pytest.mark.parametrize("size", [2, 12])
def test_query_count_does_not_grow(client, space, django_assert_num_queries, size):
    for n in range(size):
        make_thread(space=space, author=make_user(display_name=f"Author {n}"))
    with django_assert_num_queries(2):  # the space; the threads, authors and openings
        assert len(entries(client.get(feed_url(space)))) == size
