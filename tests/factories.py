"""Plain factory functions: each makes one valid object, with keyword overrides."""

import itertools

from allauth.account.models import EmailAddress
from django.utils import timezone

from community.models import Profile, School, User

_n = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_school(**overrides) -> School:
    n = next(_n)
    fields = {
        "name": f"School {n}",
        "slug": f"school-{n}",
        "country": "GB",
        "town": "Leeds",
        "timezone": "Europe/London",
        "phase": School.Phase.PRIMARY,
    }
    fields.update(overrides)
    return School.objects.create(**fields)


def make_user(
    *,
    username: str | None = None,
    email: str | None = None,
    school=None,
    onboarded: bool = True,
    timezone_name: str = "Europe/London",
    **profile,
) -> User:
    """An active account with a verified email and a profile (onboarded unless told)."""
    n = next(_n)
    username = username or f"teacher{n}"
    email = email or f"{username}@example.org"
    user = User.objects.create_user(username=username, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Profile.objects.create(
        user=user,
        display_name=profile.pop("display_name", f"Teacher {n}"),
        school=school,
        timezone=timezone_name,
        onboarded_at=timezone.now() if onboarded else None,
        **profile,
    )
    return user


def make_space(*, kind: str = "network", school=None, moderators=(), members=(), **overrides):
    """A space with the given moderators and members (users)."""
    from community.models import Membership, Space

    n = next(_n)
    fields = {"name": f"Space {n}", "slug": f"space-{n}", "kind": kind, "school": school}
    fields.update(overrides)
    space = Space.objects.create(**fields)
    for user in moderators:
        Membership.objects.create(space=space, user=user, role=Membership.Role.MODERATOR)
    for user in members:
        Membership.objects.create(space=space, user=user)
    return space


def make_thread(
    *,
    space,
    author,
    title: str | None = None,
    replies: int = 0,
    repliers=(),
    kind: str = "discussion",
    body: str = "Opening post",
):
    """A thread with an opening post and `replies` replies (authors cycle through
    `repliers`, default the thread's author), written straight to the tables (no rate limit)."""
    from community.models import Follow, Post, Thread

    now = timezone.now()
    thread = Thread.objects.create(
        space=space,
        author=author,
        title=title or f"Thread {next(_n)}",
        kind=kind,
        post_count=replies + 1,
        created_at=now,
        last_activity_at=now,
    )
    Follow.objects.create(user=author, thread=thread)  # as start_thread does
    authors = list(repliers) or [author]
    Post.objects.bulk_create(
        Post(
            thread=thread,
            number=number,
            author=author if number == 1 else authors[(number - 2) % len(authors)],
            body=body if number == 1 else f"Reply {number - 1}",
            body_html=f"<p>{body if number == 1 else f'Reply {number - 1}'}</p>",
            created_at=now,
        )
        for number in range(1, replies + 2)
    )
    return thread


def post_of(thread, number: int = 1):
    return thread.posts.get(number=number)


def make_module(*, author, status: str = "published", title: str | None = None, **overrides):
    """A library module (published unless told), written straight to the table: no
    review, no discussion thread. `phases`, `subjects`, `areas` and `tags` (names) may
    be given as lists."""
    from community.models import Tag
    from inquiry import search
    from inquiry.models import Module

    n = next(_n)
    now = timezone.now()
    m2m = {key: overrides.pop(key, ()) for key in ("phases", "subjects", "areas", "tags")}
    fields = {
        "title": title or f"Module {n}",
        "slug": f"module-{n}",
        "summary": "Three ways to make thinking visible.",
        "body": "Read this.",
        "body_html": "<p>Read this.</p>",
        "minutes": 10,
        "try_prompt": "Try it.",
        "try_prompt_html": "<p>Try it.</p>",
        "author": author,
        "status": status,
        "published_at": now if status == "published" else None,
        "created_at": now,
        "updated_at": now,
    }
    fields.update(overrides)
    module = Module.objects.create(**fields)
    module.phases.set(m2m["phases"])
    module.subjects.set(m2m["subjects"])
    module.areas.set(m2m["areas"])
    module.tags.set([Tag.objects.get_or_create(name=name)[0] for name in m2m["tags"]])
    search.index_module(module.pk)  # as the library service does (PostgreSQL's vector)
    return module


REFLECTION = {
    "reflect_did": "I used talk partners before every written answer.",
    "reflect_means": "Quieter pupils explained more when they had rehearsed.",
    "reflect_came_to": "The module's try-this prompt, adapted for Year 4.",
    "reflect_differently": "How can talk partners work in mixed-attainment groups of three?",
}


def make_cycle(*, owner, stage: str = "learn", reflected: bool = False, **overrides):
    """An inquiry cycle written straight to the table (no record entries); `reflected`
    fills the four reflection prompts, and a stage past plan gets a trial plan."""
    from inquiry.models import InquiryCycle

    now = timezone.now()
    fields = {
        "owner": owner,
        "focus_question": f"How can I get more pupils talking? ({next(_n)})",
        "stage": stage,
        "stage_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    if stage not in ("learn", "plan"):
        fields.update(trial_what="Talk partners", trial_what_html="<p>Talk partners</p>")
    if reflected:
        for field, text in REFLECTION.items():
            fields[field], fields[f"{field}_html"] = text, f"<p>{text}</p>"
    fields.update(overrides)
    return InquiryCycle.objects.create(**fields)


def make_course(
    *,
    units: int = 4,
    authors=(),
    created_by=None,
    published: bool = True,
    unlock: str = "by_date",
    title: str | None = None,
    session_kind: str = "live_room",
    **overrides,
):
    """A course (published unless told) with `units` units, written straight to the
    tables: each unit has one published library module as pre-learning, a session
    (`session_kind`, default live in the cohort's room), a classroom task and a
    reflection prompt. `authors` (users) are its facilitators; the first is its creator
    unless `created_by` is given (default: a new staff user)."""
    from inquiry.models import Course, Unit, UnitModule

    n = next(_n)
    now = timezone.now()
    authors = list(authors)
    if created_by is None:
        created_by = authors[0] if authors else make_user(username=f"coursestaff{n}")
    fields = {
        "title": title or f"Course {n}",
        "slug": f"course-{n}",
        "summary": "Talk for learning, in four blended units.",
        "outcomes": "- Plan talk partners",
        "outcomes_html": "<ul>\n<li>Plan talk partners</li>\n</ul>",
        "unlock": unlock,
        "created_by": created_by,
        "published_at": now if published else None,
        "created_at": now,
        "updated_at": now,
    }
    fields.update(overrides)
    course = Course.objects.create(**fields)
    course.authors.set(authors)
    session = {
        "in_person": {"session_place": "Room 4, Riverside Primary"},
        "link": {"session_link": "https://meet.example.org/talk"},
    }.get(session_kind, {})
    for number in range(1, units + 1):
        unit = Unit.objects.create(
            course=course,
            number=number,
            title=f"Unit {number} of {course.title}",
            intro=f"Welcome to unit {number}.",
            intro_html=f"<p>Welcome to unit {number}.</p>",
            session_kind=session_kind,
            session_minutes=60,
            task=f"Try unit {number}'s idea with one class.",
            task_html=f"<p>Try unit {number}'s idea with one class.</p>",
            reflection_prompt="What changed for your pupils?",
            reflection_prompt_html="<p>What changed for your pupils?</p>",
            **session,
        )
        module = make_module(author=created_by, title=f"Module for unit {number} ({n})")
        UnitModule.objects.create(unit=unit, module=module, order=0)
    return course
