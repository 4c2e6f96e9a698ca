"""Every URL of the community app, for every role, with the outcome it must have.

The table is the spec: 404 for what a role may not see, 403 for what it may see but not
do, a login redirect for visitors. A URL pattern without a row fails the suite.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import ChatMessage, ChatRoom, Notification, Report
from community.services import sessions
from community.services.sessions import RunSheet
from community.urls import urlpatterns
from tests.factories import make_thread, post_of

ROLES = ["anonymous", "member", "non_member", "other_moderator", "moderator", "staff"]
# name: (method, outcome for each role in ROLES order). L is a redirect to the login page.
# The objects live in a PRIVATE space (members: teacher; moderator: rob), so that
# non_member and other_moderator must get 404 wherever the object is concerned.
L = "login"

# fmt: off
TABLE = {
    # accounts and schools
    "profile": ("GET", (L, 200, 200, 200, 200, 200)),
    "profile-edit": ("GET", (L, 200, 403, 403, 403, 403)),
    "schools": ("GET", (L, 200, 200, 200, 200, 200)),
    "school-create": ("GET", (L, 200, 200, 200, 200, 200)),
    "school": ("GET", (L, 200, 200, 200, 200, 200)),
    # spaces
    "spaces": ("GET", (L, 200, 200, 200, 200, 200)),
    "space-create": ("GET", (L, 200, 200, 200, 200, 200)),
    "space": ("GET", (L, 200, 404, 404, 200, 200)),
    "space-join": ("POST", (L, 403, 404, 404, 403, 403)),
    "space-leave": ("POST", (L, 302, 404, 404, 302, 403)),
    "space-members": ("GET", (L, 200, 404, 404, 200, 200)),
    "space-feed": ("GET", (404, 404, 404, 404, 404, 404)),
    "space-queue": ("GET", (L, 403, 404, 404, 200, 200)),
    "space-log": ("GET", (L, 403, 404, 404, 200, 200)),
    "member-mute": ("GET", (L, 403, 404, 404, 200, 200)),
    "member-remove": ("GET", (L, 403, 404, 404, 200, 200)),
    # threads
    "thread-create": ("GET", (L, 200, 404, 404, 200, 403)),
    "thread": ("GET", (L, 200, 404, 404, 200, 200)),
    "thread-reply": ("GET", (L, 200, 404, 404, 200, 403)),
    "thread-follow": ("POST", (L, 302, 404, 404, 302, 302)),
    "thread-unread": ("GET", (L, 302, 404, 404, 302, 302)),
    "thread-answer": ("POST", (L, 302, 404, 404, 302, 302)),
    "thread-lock": ("POST", (L, 403, 404, 404, 302, 302)),
    "thread-pin": ("POST", (L, 403, 404, 404, 302, 302)),
    "thread-move": ("GET", (L, 403, 404, 404, 302, 200)),  # rob moderates no other space
    # posts (the post is the member's own opening post)
    "post": ("GET", (L, 302, 404, 404, 302, 302)),
    "post-edit": ("GET", (L, 200, 404, 404, 200, 200)),
    "post-delete": ("POST", (L, 302, 404, 404, 302, 302)),
    "post-react": ("POST", (L, 403, 404, 404, 302, 403)),
    "post-history": ("GET", (L, 403, 404, 404, 200, 200)),
    "post-fragment": ("GET", (L, 200, 404, 404, 200, 200)),
    "post-report": ("GET", (L, 403, 404, 404, 200, 200)),
    "post-hide": ("GET", (L, 403, 404, 404, 200, 200)),
    "post-restore": ("POST", (L, 403, 404, 404, 302, 302)),
    "report-dismiss": ("POST", (L, 403, 404, 404, 302, 302)),
    # network-wide moderation
    "queue": ("GET", (L, 403, 403, 200, 200, 200)),
    "log": ("GET", (L, 403, 403, 403, 403, 200)),
    "account-suspend": ("GET", (L, 403, 403, 403, 403, 200)),
    # chat rooms (the message is the member's own)
    "chat": ("GET", (L, 200, 404, 404, 200, 200)),
    "chat-slow-mode": ("POST", (L, 403, 404, 404, 302, 302)),
    "chat-close": ("POST", (L, 403, 404, 404, 302, 302)),
    "chat-pin": ("POST", (L, 403, 404, 404, 302, 302)),
    "chat-react": ("POST", (L, 403, 404, 404, 302, 403)),  # own message; staff is no member
    # timed sessions (the session is the private space's, hosted by its moderator)
    "sessions": ("GET", (L, 200, 200, 200, 200, 200)),
    "session-create": ("GET", (L, 403, 403, 200, 200, 200)),
    "session": ("GET", (L, 200, 404, 404, 200, 200)),
    "session-edit": ("GET", (L, 403, 404, 404, 200, 200)),
    "session-rsvp": ("POST", (L, 302, 404, 404, 302, 302)),
    "session-control": ("POST", (L, 403, 404, 404, 302, 302)),
    "session-duplicate": ("POST", (L, 403, 404, 404, 302, 302)),
    "session-calendar": ("GET", (L, 200, 404, 404, 200, 200)),
    "session-markdown": ("GET", (L, 200, 404, 404, 200, 200)),
    # the session's weekly series; its feed takes a signed token instead of a login
    "series": ("GET", (L, 200, 404, 404, 200, 200)),
    "series-calendar": ("GET", (404, 200, 404, 404, 200, 200)),
    "session-mute": ("POST", (L, 403, 404, 404, 302, 302)),  # the member, amira
    "session-unmute": ("POST", (L, 403, 404, 404, 302, 302)),
    # continue a question as a thread (refused with a message: the session has not ended)
    "session-continue": ("POST", (L, 403, 404, 404, 302, 302)),
    "chat-edit": ("GET", (L, 200, 404, 404, 403, 403)),
    "chat-delete": ("POST", (L, 302, 404, 404, 403, 403)),
    "chat-hide": ("POST", (L, 403, 404, 404, 302, 302)),
    # notifications and search
    "notifications": ("GET", (L, 200, 200, 200, 200, 200)),
    "notifications-read-all": ("POST", (L, 302, 302, 302, 302, 302)),
    "notification-settings": ("GET", (L, 200, 200, 200, 200, 200)),
    "notification-open": ("GET", (L, 302, 404, 404, 404, 404)),
    "notification-read": ("POST", (L, 302, 404, 404, 404, 404)),
    "unsubscribe": ("GET", (400, 400, 400, 400, 400, 400)),
    "search": ("GET", (L, 200, 200, 200, 200, 200)),
    "tag": ("GET", (L, 404, 404, 404, 404, 404)),
}
# fmt: on


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
    message = ChatMessage.objects.create(
        room=ChatRoom.objects.create(space=private_space),
        author=teacher,
        body="hi",
        body_html="<p>hi</p>",
    )
    session = sessions.create_session(
        actor=moderator,
        sheet=RunSheet(
            title="Wait time",
            starts_at=timezone.now() + timedelta(hours=1),
            duration_minutes=60,
            questions=["Q1?"],
            space=private_space,
            new_series=True,
        ),
    )
    kwargs = {
        **{name: {"slug": session.slug} for name in TABLE if name.startswith("session-")},
        "session-create": {},
        "session": {"slug": session.slug},
        "series": {"slug": session.series.slug},
        "series-calendar": {"slug": session.series.slug},
        "session-continue": {"slug": session.slug, "number": 1},
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
        "chat-edit": {"pk": message.pk},
        "chat-delete": {"pk": message.pk},
        "chat-hide": {"pk": message.pk},
        "chat-pin": {"pk": message.pk},
        "chat-react": {"pk": message.pk},
        "session-mute": {"slug": session.slug, "username": "amira"},
        "session-unmute": {"slug": session.slug, "username": "amira"},
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
    method, outcomes = TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))
    if role != "anonymous":
        client.force_login(users[role])
    url = url_for(name, space, thread, post, kwargs)
    data = {"kind": "helpful", "post": post.pk} if method == "POST" else None
    response = client.post(url, data) if method == "POST" else client.get(url)
    if expected[role] == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(n for n, (method, _) in TABLE.items() if method == "GET"))
def test_get_only_urls_refuse_other_methods(client, world, name):
    space, thread, post, kwargs, users = world
    client.force_login(users["staff"])
    url = url_for(name, space, thread, post, kwargs)
    assert client.delete(url).status_code in {405, 302}


# --- The CPD record (inquiry): the entry is the member's (teacher's) own -------------------
# fmt: off
INQUIRY_TABLE = {
    "record": ("GET", (L, 200, 200, 200, 200, 200)),
    "entry-add": ("GET", (L, 200, 200, 200, 200, 200)),
    "entry-edit": ("GET", (L, 200, 404, 404, 404, 404)),  # staff included: it is private
}
# fmt: on


def test_every_inquiry_url_pattern_has_a_row():
    from inquiry.urls import urlpatterns as inquiry_patterns

    assert {p.name for p in inquiry_patterns} == INQUIRY_TABLE.keys()


def _inquiry_url(name, teacher):
    from inquiry.models import RecordEntry

    if name != "entry-edit":
        return reverse(f"inquiry:{name}")
    entry = RecordEntry.objects.create(
        user=teacher, kind="manual", title="Reading", occurred_at=timezone.now(), minutes=30
    )
    return reverse("inquiry:entry-edit", kwargs={"pk": entry.pk})


@pytest.mark.parametrize("name", sorted(INQUIRY_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_inquiry_outcome(client, world, teacher, name, role):
    users = world[4]
    method, outcomes = INQUIRY_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(_inquiry_url(name, teacher))
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {name} as {role}"


@pytest.mark.parametrize("name", sorted(INQUIRY_TABLE))
def test_inquiry_urls_refuse_other_methods(client, world, teacher, name):
    client.force_login(teacher)
    assert client.delete(_inquiry_url(name, teacher)).status_code == 405
