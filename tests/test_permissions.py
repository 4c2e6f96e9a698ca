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
    # the teacher's data: each person's own page and export; the export is the member's
    # (ready), for her only; staff act for a teacher (amira) who asked outside Staffroom
    "privacy": ("GET", (200, 200, 200, 200, 200, 200)),
    "data": ("GET", (L, 200, 200, 200, 200, 200)),
    "data-export": ("POST", (L, 302, 302, 302, 302, 302)),
    "data-download": ("GET", (L, 200, 404, 404, 404, 404)),
    "account-delete": ("GET", (L, 200, 200, 200, 200, 200)),
    "staff-data": ("GET", (L, 403, 403, 403, 403, 200)),
    "staff-data-export": ("POST", (L, 403, 403, 403, 403, 302)),
    "staff-data-erase": ("GET", (L, 403, 403, 403, 403, 200)),
}
# fmt: on


def test_every_url_pattern_has_a_row():
    names = {p.name for p in urlpatterns}
    assert names - TABLE.keys() == set(), "URL patterns with no expected outcomes"
    assert TABLE.keys() - names == set(), "rows for URL patterns that no longer exist"


def _ready_export(user):
    """A ready export of the user's data (its file under the test's MEDIA_ROOT)."""
    from django.core.files.base import ContentFile

    from community.models import DataExport

    now = timezone.now()
    return DataExport.objects.create(
        user=user,
        requested_by=user,
        started_at=now,
        finished_at=now,
        expires_at=now + timedelta(days=7),
        file=ContentFile(b"PK\x05\x06" + bytes(18), name="export.zip"),
    )


@pytest.fixture
def world(
    private_space, school, teacher, moderator, outsider, other_moderator, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
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
        "data-download": {"pk": _ready_export(teacher).pk},
        "staff-data-export": {"username": "amira"},
        "staff-data-erase": {"username": "amira"},
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
    "entry-delete": ("GET", (L, 200, 404, 404, 404, 404)),  # a manual entry: it asks first
    # each signed-in person exports their own record (and only theirs)
    "record-export-csv": ("GET", (L, 200, 200, 200, 200, 200)),
    "record-export-json": ("GET", (L, 200, 200, 200, 200, 200)),
    "record-print": ("GET", (L, 200, 200, 200, 200, 200)),
}
# fmt: on


def test_every_inquiry_url_pattern_has_a_row():
    from inquiry.urls import urlpatterns as inquiry_patterns

    tables = INQUIRY_TABLE.keys() | LIBRARY_TABLE.keys() | PRIORITY_TABLE.keys()
    tables |= CYCLE_TABLE.keys()
    tables |= COURSE_TABLE.keys()
    tables |= FACILITATION_TABLE.keys()
    tables |= CREDENTIAL_TABLE.keys()
    tables |= COHORT_TABLE.keys()
    assert {p.name for p in inquiry_patterns} == tables


def _inquiry_url(name, teacher):
    from inquiry.models import RecordEntry

    if name not in ("entry-edit", "entry-delete"):
        return reverse(f"inquiry:{name}")
    entry = RecordEntry.objects.create(
        user=teacher, kind="manual", title="Reading", occurred_at=timezone.now(), minutes=30
    )
    return reverse(f"inquiry:{name}", kwargs={"pk": entry.pk})


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


# --- The library (inquiry): every module is the member's (teacher's) own ------------------------
# (method, which of the member's modules, outcomes). A draft exists only for its author and
# staff (404 for the rest); a published module is everyone's to read and its author's no
# longer to edit (403). Requests use the row's method.
# fmt: off
LIBRARY_TABLE = {
    "library": ("GET", None, (L, 200, 200, 200, 200, 200)),
    "module-create": ("GET", None, (L, 200, 200, 200, 200, 200)),
    "library-mine": ("GET", None, (L, 200, 200, 200, 200, 200)),
    "library-review": ("GET", None, (L, 403, 403, 403, 403, 200)),
    "module": ("GET", "draft", (L, 200, 404, 404, 404, 200)),
    "module-edit": ("GET", "published", (L, 403, 403, 403, 403, 200)),
    "module-resource-add": ("GET", "draft", (L, 200, 404, 404, 404, 200)),
    "module-resource-remove": ("POST", "draft", (L, 302, 404, 404, 404, 302)),
    "module-file": ("GET", "draft", (L, 200, 404, 404, 404, 200)),
    "module-submit": ("POST", "draft", (L, 302, 404, 404, 404, 403)),
    "module-publish": ("POST", "in_review", (L, 403, 404, 404, 404, 302)),
    "module-send-back": ("GET", "in_review", (L, 403, 404, 404, 404, 200)),
    "module-start": ("POST", "published", (L, 302, 302, 302, 302, 302)),
    "module-complete": ("POST", "published", (L, 302, 302, 302, 302, 302)),
}
# fmt: on


@pytest.fixture
def library_world(world, teacher, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inquiry.services import library
    from tests.factories import make_module

    settings.MEDIA_ROOT = tmp_path
    modules = {
        status: make_module(author=teacher, status=status)
        for status in ("draft", "in_review", "published")
    }
    resource = library.add_resource(
        actor=teacher,
        module=modules["draft"],
        kind="other",
        title="Plan",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    return modules, resource, world[4]


def _library_url(name, modules, resource, which):
    if which is None:
        return reverse(f"inquiry:{name}")
    kwargs = {"slug": modules[which].slug}
    if name in ("module-file", "module-resource-remove"):
        kwargs["pk"] = resource.pk
    return reverse(f"inquiry:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(LIBRARY_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_library_outcome(client, library_world, name, role):
    modules, resource, users = library_world
    method, which, outcomes = LIBRARY_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _library_url(name, modules, resource, which)
    response = client.post(url) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(LIBRARY_TABLE))
def test_library_urls_refuse_other_methods(client, library_world, name):
    modules, resource, users = library_world
    method, which, _ = LIBRARY_TABLE[name]
    client.force_login(users["staff"])
    url = _library_url(name, modules, resource, which)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


# --- School priorities (inquiry): a priority of the member's (teacher's) school, Riverside --
# Any signed-in teacher reads it (the school directory is open); only the school's leads
# (here: staff; a moderator of the school's own space is tested in test_school_priorities)
# publish, edit and archive. Requests use the row's method.
# fmt: off
PRIORITY_TABLE = {
    "priority": ("GET", (L, 200, 200, 200, 200, 200)),
    "priority-create": ("GET", (L, 403, 403, 403, 403, 200)),
    "priority-edit": ("GET", (L, 403, 403, 403, 403, 200)),
    "priority-archive": ("POST", (L, 403, 403, 403, 403, 302)),
}
# fmt: on


def _priority_url(name, school, staff):
    from inquiry.services.priorities import create_priority

    if name == "priority-create":
        return reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    priority = create_priority(actor=staff, school=school, title="Oracy")
    return reverse(f"inquiry:{name}", kwargs={"slug": school.slug, "pk": priority.pk})


@pytest.mark.parametrize("name", sorted(PRIORITY_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_priority_outcome(client, world, school, staff, name, role):
    method, outcomes = PRIORITY_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(world[4][role])
    url = _priority_url(name, school, staff)
    response = client.post(url) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(PRIORITY_TABLE))
def test_priority_urls_refuse_other_methods(client, world, school, staff, name):
    method, _ = PRIORITY_TABLE[name]
    client.force_login(staff)
    url = _priority_url(name, school, staff)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


# --- Inquiry cycles: the member's (teacher's) cycle, shared with the PRIVATE space -------------
# (in its share stage, already shared there, with a photo as evidence). The space's moderator
# (rob) is a member, so sees it: 403 on every write. Everyone else: 404 (staff included:
# a cycle is seen only as far as its owner shared it). Requests use the row's method.
# fmt: off
CYCLE_TABLE = {
    "cycles": ("GET", (L, 200, 200, 200, 200, 200)),
    "cycle-start": ("GET", (L, 200, 200, 200, 200, 200)),
    "cycle-suggest": ("GET", (L, 200, 200, 200, 200, 200)),
    "cycle": ("GET", (L, 200, 404, 404, 200, 404)),
    "cycle-advance": ("POST", (L, 302, 404, 404, 403, 404)),  # share → done: it is shared
    "cycle-plan": ("GET", (L, 302, 404, 404, 403, 404)),  # the owner: "plan in the plan stage"
    "cycle-evidence-add": ("GET", (L, 200, 404, 404, 403, 404)),
    "cycle-evidence": ("GET", (L, 200, 404, 404, 200, 404)),
    "cycle-evidence-delete": ("POST", (L, 302, 404, 404, 403, 404)),
    "cycle-reflect": ("GET", (L, 302, 404, 404, 403, 404)),  # shared: the reflection stays
    "cycle-visibility": ("GET", (L, 200, 404, 404, 403, 404)),
    "cycle-share": ("GET", (L, 302, 404, 404, 403, 404)),  # already shared
    "cycle-feedback": ("GET", (L, 403, 404, 404, 200, 404)),  # not on your own cycle
}
# fmt: on


@pytest.fixture
def cycle_world(world, teacher, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from inquiry.models import InquiryCycle
    from inquiry.services import cycles
    from tests.factories import make_cycle

    settings.MEDIA_ROOT = tmp_path
    space, thread = world[0], world[1]
    cycle = make_cycle(
        owner=teacher, stage="share", reflected=True, visibility="space", space=space
    )
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(photo, "PNG")
    upload = SimpleUploadedFile("work.png", photo.getvalue())
    evidence = cycles.add_evidence(actor=teacher, cycle=cycle, kind="photo", upload=upload)
    InquiryCycle.objects.filter(pk=cycle.pk).update(thread=thread)
    return cycle, evidence, world[4]


def _cycle_url(name, cycle, evidence):
    if name in ("cycles", "cycle-start", "cycle-suggest"):
        return reverse(f"inquiry:{name}")
    if name in ("cycle-evidence", "cycle-evidence-delete"):
        return reverse(f"inquiry:{name}", kwargs={"pk": cycle.pk, "eid": evidence.pk})
    return reverse(f"inquiry:{name}", kwargs={"pk": cycle.pk})


@pytest.mark.parametrize("name", sorted(CYCLE_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_cycle_outcome(client, cycle_world, name, role):
    cycle, evidence, users = cycle_world
    method, outcomes = CYCLE_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _cycle_url(name, cycle, evidence)
    response = client.post(url, {"to": "done"}) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(CYCLE_TABLE))
def test_cycle_urls_refuse_other_methods(client, cycle_world, name):
    cycle, evidence, users = cycle_world
    method, _ = CYCLE_TABLE[name]
    client.force_login(users["member"])
    url = _cycle_url(name, cycle, evidence)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


# --- Facilitation (inquiry): a cohort whose member is the member (teacher) and whose -------
# facilitator is the moderator (rob). Members see the cohort but not its facilitator's
# pages (403); anyone not in it does not find it (404); staff facilitate any cohort.
# fmt: off
FACILITATION_TABLE = {
    "cohort-dashboard": ("GET", (L, 403, 404, 404, 200, 200)),
    "cohort-dashboard-csv": ("GET", (L, 403, 404, 404, 200, 200)),
    "cohort-register": ("GET", (L, 403, 404, 404, 200, 200)),
    "cohort-nudge": ("GET", (L, 403, 404, 404, 200, 200)),  # nudge the member, amira
    "cohort-nudge-behind": ("GET", (L, 403, 404, 404, 200, 200)),
}
# fmt: on


@pytest.fixture
def facilitation_world(world, teacher, moderator):
    from tests.test_attendance import make_cohort

    return make_cohort(facilitators=[moderator], members=[teacher]), world[4]


def _facilitation_url(name, cohort):
    kwargs = {"slug": cohort.slug}
    if name == "cohort-register":
        kwargs["number"] = 1
    if name == "cohort-nudge":
        kwargs["username"] = "amira"
    return reverse(f"inquiry:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(FACILITATION_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_facilitation_outcome(client, facilitation_world, name, role):
    cohort, users = facilitation_world
    method, outcomes = FACILITATION_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _facilitation_url(name, cohort)
    response = client.post(url) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(FACILITATION_TABLE))
def test_facilitation_urls_refuse_other_methods(client, facilitation_world, name):
    cohort, users = facilitation_world
    client.force_login(users["moderator"])
    assert client.delete(_facilitation_url(name, cohort)).status_code == 405


# --- Courses (inquiry): the member (teacher) is an author of both courses -----------------------
# (method, which course, outcomes). A draft exists for its authors and staff only (404 for the
# rest); a published course is every signed-in teacher's to read, its authors' and staff's to
# change (403 for the rest); staff alone create courses and choose their authors. The course
# has no cohort, so its units can change. Requests use the row's method.
# fmt: off
COURSE_TABLE = {
    "courses": ("GET", None, (L, 200, 200, 200, 200, 200)),
    "course-create": ("GET", None, (L, 403, 403, 403, 403, 200)),
    "course": ("GET", "draft", (L, 200, 404, 404, 404, 200)),
    "course-edit": ("GET", "published", (L, 200, 403, 403, 403, 200)),
    "course-publish": ("POST", "draft", (L, 302, 404, 404, 404, 302)),
    "course-authors": ("GET", "published", (L, 403, 403, 403, 403, 200)),
    "course-author-remove": ("POST", "published", (L, 403, 403, 403, 403, 302)),
    "unit-create": ("GET", "published", (L, 200, 403, 403, 403, 200)),
    "unit-edit": ("GET", "published", (L, 200, 403, 403, 403, 200)),
    "unit-delete": ("GET", "published", (L, 200, 403, 403, 403, 200)),
    "unit-move": ("POST", "published", (L, 302, 403, 403, 403, 302)),
    "unit-module-add": ("POST", "published", (L, 302, 403, 403, 403, 302)),
    "unit-module-remove": ("POST", "published", (L, 302, 403, 403, 403, 302)),
    "unit-module-move": ("POST", "published", (L, 302, 403, 403, 403, 302)),
}
# fmt: on


@pytest.fixture
def course_world(world, teacher, staff):
    from tests.factories import make_course

    courses = {
        "draft": make_course(units=2, authors=[teacher], created_by=staff, published=False),
        "published": make_course(units=2, authors=[teacher], created_by=staff),
    }
    return courses, world[4]


def _course_url(name, courses, which):
    if which is None:
        return reverse(f"inquiry:{name}")
    course = courses[which]
    kwargs = {"slug": course.slug}
    if name == "course-author-remove":
        kwargs["username"] = "amira"
    if name.startswith("unit-") and name != "unit-create":
        kwargs["number"] = 1
    if name in ("unit-module-remove", "unit-module-move"):
        kwargs["pk"] = course.units.get(number=1).unit_modules.get().module_id
    return reverse(f"inquiry:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(COURSE_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_course_outcome(client, course_world, name, role):
    courses, users = course_world
    method, which, outcomes = COURSE_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _course_url(name, courses, which)
    module = courses["draft"].units.get(number=1).unit_modules.get().module_id
    data = {"to": "down", "module": module}
    response = client.post(url, data) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(COURSE_TABLE))
def test_course_urls_refuse_other_methods(client, course_world, name):
    courses, users = course_world
    method, which, _ = COURSE_TABLE[name]
    client.force_login(users["staff"])
    url = _course_url(name, courses, which)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


# --- Credentials (inquiry): the member's (teacher's) credential for a cohort the moderator
# (rob) facilitates. Its page, downloads, the check page, the keys and the issuer need no
# login; a hidden one exists only for its holder, the facilitator and staff (404 for the
# rest, a "not public" page). The holder hides and shows it; rob and staff revoke it.
# (method, "public" / "hidden" / None, outcomes). Requests use the row's method.
# fmt: off
CREDENTIAL_TABLE = {
    "credentials": ("GET", None, (L, 200, 200, 200, 200, 200)),
    "credential-keys": ("GET", None, (200, 200, 200, 200, 200, 200)),
    "credential-issuer": ("GET", None, (200, 200, 200, 200, 200, 200)),
    "credential-verify": ("GET", None, (200, 200, 200, 200, 200, 200)),
    "credential": ("GET", "public", (200, 200, 200, 200, 200, 200)),
    "credential-json": ("GET", "hidden", (404, 200, 404, 404, 200, 200)),
    "credential-jwt": ("GET", "public", (200, 200, 200, 200, 200, 200)),
    "credential-hide": ("POST", "public", (L, 302, 403, 403, 403, 403)),
    "credential-show": ("POST", "hidden", (L, 302, 404, 404, 403, 403)),
    "credential-revoke": ("GET", "public", (L, 403, 403, 403, 200, 200)),
}
# fmt: on


@pytest.fixture
def credential_world(world, teacher, moderator):
    from inquiry.services.credentials import check_completion
    from tests.factories import make_course
    from tests.test_credentials import complete_course, make_cohort

    course = make_course(units=1, authors=[moderator])
    cohort = make_cohort(course=course, facilitators=[moderator], members=[teacher])
    complete_course(teacher, cohort, marked_by=moderator)
    return check_completion(user=teacher, cohort=cohort), world[4]


def _credential_url(name, credential, which):
    from inquiry.models import Credential

    if which is None:
        return reverse(f"inquiry:{name}")
    if which == "hidden":
        Credential.objects.filter(pk=credential.pk).update(hidden_at=timezone.now())
    return reverse(f"inquiry:{name}", kwargs={"uid": credential.uid})


@pytest.mark.parametrize("name", sorted(CREDENTIAL_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_credential_outcome(client, credential_world, name, role):
    credential, users = credential_world
    method, which, outcomes = CREDENTIAL_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _credential_url(name, credential, which)
    response = client.post(url) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(CREDENTIAL_TABLE))
def test_credential_urls_refuse_other_methods(client, credential_world, name):
    credential, users = credential_world
    method, which, _ = CREDENTIAL_TABLE[name]
    client.force_login(users["member"])
    url = _credential_url(name, credential, which)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


# --- Cohorts (inquiry): a cohort of a course written by the moderator (rob), who facilitates
# it; the member (amira) joined with the code; unit 1 is open. Everyone else: 404 (a cohort
# exists only for its people); staff see and run it but are not its members. The feed takes
# a signed token instead of a login. Requests use the row's method.
# fmt: off
COHORT_TABLE = {
    "my-courses": ("GET", (L, 200, 200, 200, 200, 200)),
    "cohort-create": ("GET", (L, 403, 403, 403, 200, 200)),  # the course is published
    "cohort-join": ("GET", (L, 200, 200, 200, 200, 200)),
    "cohort-join-code": ("GET", (L, 302, 200, 200, 200, 200)),  # a member is sent in
    "cohort": ("GET", (L, 200, 404, 404, 200, 200)),
    "cohort-calendar": ("GET", (404, 200, 404, 404, 200, 200)),
    "cohort-dates": ("GET", (L, 403, 404, 404, 200, 200)),
    "cohort-members": ("GET", (L, 403, 404, 404, 200, 200)),
    "cohort-member-remove": ("POST", (L, 403, 404, 404, 302, 302)),  # amira
    "cohort-code": ("POST", (L, 403, 404, 404, 302, 302)),
    "cohort-task": ("POST", (L, 302, 404, 404, 403, 403)),  # members only
}
# fmt: on


@pytest.fixture
def cohort_world(world, teacher, moderator):
    from datetime import date as date_type
    from zoneinfo import ZoneInfo

    from inquiry.services import cohorts
    from tests.factories import make_course

    course = make_course(authors=[moderator], units=2)
    dates = cohorts.default_unit_dates(
        list(course.units.order_by("number")),
        start=date_type.today() - timedelta(days=3),
        zone=ZoneInfo("Europe/London"),
    )
    cohort = cohorts.create_cohort(
        actor=moderator, course=course, name="Spring", capacity=10, unit_dates=dates
    )
    cohorts.join_with_code(actor=teacher, code=cohort.invite_code)
    return course, cohort, world[4]


def _cohort_url(name, course, cohort):
    kwargs = {
        "my-courses": {},
        "cohort-join": {},
        "cohort-create": {"slug": course.slug},
        "cohort-join-code": {"code": cohort.invite_code},
        "cohort-member-remove": {"slug": cohort.slug, "username": "amira"},
        "cohort-task": {"slug": cohort.slug, "number": 1},
    }.get(name, {"slug": cohort.slug})
    return reverse(f"inquiry:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(COHORT_TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_cohort_outcome(client, cohort_world, name, role):
    course, cohort, users = cohort_world
    method, outcomes = COHORT_TABLE[name]
    expected = dict(zip(ROLES, outcomes, strict=True))[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = _cohort_url(name, course, cohort)
    response = client.post(url) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, f"{method} {url} as {role}"


@pytest.mark.parametrize("name", sorted(COHORT_TABLE))
def test_cohort_urls_refuse_other_methods(client, cohort_world, name):
    course, cohort, users = cohort_world
    method, _ = COHORT_TABLE[name]
    client.force_login(users["moderator"])
    url = _cohort_url(name, course, cohort)
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405
