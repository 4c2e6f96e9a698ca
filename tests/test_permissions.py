"""Every URL of the community app, for every role, with the outcome it must have.

The table is the spec: 404 for what a role may not see, 403 for what it may see but not
do, a login redirect for visitors. A URL pattern without a row fails the suite.
"""

import pytest
from django.urls import reverse

from community.models import Notification, Report
from community.urls import urlpatterns
from tests.factories import make_thread, post_of

ROLES = ["anonymous", "member", "non_member", "other_moderator", "moderator", "staff"]
LOGIN = "login"  # a redirect to the login page

# name: (method, {role: expected status or LOGIN})
# The objects live in a PRIVATE space (members: teacher; moderator: rob), so that
# "non_member" and "other_moderator" must get 404 wherever the object is concerned.
ANY = dict.fromkeys(ROLES[1:], 200)
TABLE = {
    # accounts and schools
    "profile": ("GET", {"anonymous": LOGIN, **ANY}),
    "profile-edit": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 403,
            "other_moderator": 403,
            "moderator": 403,
            "staff": 403,
        },
    ),
    "schools": ("GET", {"anonymous": LOGIN, **ANY}),
    "school-create": ("GET", {"anonymous": LOGIN, **ANY}),
    "school": ("GET", {"anonymous": LOGIN, **ANY}),
    # spaces
    "spaces": ("GET", {"anonymous": LOGIN, **ANY}),
    "space-create": ("GET", {"anonymous": LOGIN, **ANY}),
    "space": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "space-join": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 403,
            "staff": 403,
        },
    ),
    "space-leave": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 403,
        },
    ),
    "space-members": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "space-feed": (
        "GET",
        {
            "anonymous": 404,
            "member": 404,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 404,
            "staff": 404,
        },
    ),
    "space-queue": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "space-log": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "member-mute": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "member-remove": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    # threads
    "thread-create": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 403,
        },
    ),
    "thread": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "thread-reply": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 403,
        },
    ),
    "thread-follow": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "thread-unread": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "thread-answer": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "thread-lock": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "thread-pin": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "thread-move": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    # posts (the post is the member's own opening post)
    "post": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "post-edit": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 200,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "post-delete": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "post-react": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 403,
        },
    ),
    "post-history": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "post-report": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "post-hide": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "post-restore": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    "report-dismiss": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 302,
            "staff": 302,
        },
    ),
    # network-wide moderation
    "queue": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 403,
            "other_moderator": 200,
            "moderator": 200,
            "staff": 200,
        },
    ),
    "log": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 403,
            "other_moderator": 403,
            "moderator": 403,
            "staff": 200,
        },
    ),
    "account-suspend": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 403,
            "non_member": 403,
            "other_moderator": 403,
            "moderator": 403,
            "staff": 200,
        },
    ),
    # notifications, search
    "notifications": ("GET", {"anonymous": LOGIN, **ANY}),
    "notifications-read-all": ("POST", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}),
    "notification-settings": ("GET", {"anonymous": LOGIN, **ANY}),
    "notification-open": (
        "GET",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 404,
            "staff": 404,
        },
    ),
    "notification-read": (
        "POST",
        {
            "anonymous": LOGIN,
            "member": 302,
            "non_member": 404,
            "other_moderator": 404,
            "moderator": 404,
            "staff": 404,
        },
    ),
    "unsubscribe": ("GET", dict.fromkeys(ROLES, 400)),
    "search": ("GET", {"anonymous": LOGIN, **ANY}),
    "tag": ("GET", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)}),
}


def test_every_url_pattern_has_a_row():
    names = {p.name for p in urlpatterns}
    assert names - TABLE.keys() == set(), "URL patterns with no expected outcomes"
    assert TABLE.keys() - names == set(), "rows for URL patterns that no longer exist"


@pytest.fixture
def world(private_space, school, teacher, moderator, outsider, other_moderator, staff):
    thread = make_thread(space=private_space, author=teacher, kind="question")
    post = post_of(thread)
    report = Report.objects.create(post=post, reporter=moderator, reason="other")
    note = Notification.objects.create(user=teacher, kind="reply", text="x", thread=thread)
    kwargs = {
        "profile": {"username": "amira"},
        "profile-edit": {"username": "amira"},
        "school": {"slug": school.slug},
        "tag": {"name": "nothing"},
        "unsubscribe": {"token": "not-a-token"},
        "account-suspend": {"username": "amira"},
        "member-mute": {"slug": private_space.slug, "username": "amira"},
        "member-remove": {"slug": private_space.slug, "username": "amira"},
        "report-dismiss": {"pk": report.pk},
        "notification-open": {"pk": note.pk},
        "notification-read": {"pk": note.pk},
    }
    users = {
        "member": teacher,
        "non_member": outsider,
        "other_moderator": other_moderator,
        "moderator": moderator,
        "staff": staff,
    }
    return private_space, thread, post, kwargs, users


def url_for(name, space, thread, post, kwargs):
    if name in kwargs:
        return reverse(f"community:{name}", kwargs=kwargs[name])
    pattern = next(p for p in urlpatterns if p.name == name)
    keys = set(pattern.pattern.converters)
    if keys == {"slug", "pk"}:
        return reverse(f"community:{name}", kwargs={"slug": thread.slug, "pk": thread.pk})
    if keys == {"slug"}:
        return reverse(f"community:{name}", kwargs={"slug": space.slug})
    if keys == {"pk"}:
        target = thread if name.startswith("thread") else post
        return reverse(f"community:{name}", kwargs={"pk": target.pk})
    return reverse(f"community:{name}")


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_outcome(client, world, name, role):
    space, thread, post, kwargs, users = world
    method, expected = TABLE[name]
    if role != "anonymous":
        client.force_login(users[role])
    url = url_for(name, space, thread, post, kwargs)
    data = {"kind": "helpful", "post": post.pk} if method == "POST" else None
    response = client.post(url, data) if method == "POST" else client.get(url)
    if expected[role] == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(n for n, (m, _) in TABLE.items() if m == "GET"))
def test_get_only_urls_refuse_other_methods(client, world, name):
    space, thread, post, kwargs, users = world
    client.force_login(users["staff"])
    url = url_for(name, space, thread, post, kwargs)
    assert client.delete(url).status_code in {405, 302}
