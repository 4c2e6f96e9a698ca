"""Timed chat sessions: writing the run-sheet, the hosts' controls, and releasing
questions on time (docs/sessions.md).

Releases need no scheduler: whoever notices that a question is due (a page, a socket, a
server process's timer) calls `release_due`, and a conditional UPDATE lets exactly one
of them stamp it and announce it in the room's stream."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from community import hooks, rules
from community.markdown import render_markdown
from community.models import (
    ChatMessage,
    ChatRoom,
    ChatSession,
    Notification,
    SessionMute,
    SessionQuestion,
    SessionRSVP,
    Space,
    User,
)
from community.models.forum import Membership, Thread
from community.models.sessions import DURATIONS, MAX_QUESTIONS, SessionSeries
from community.services import attendance, forum
from community.services.audit import log_action
from community.services.notifications import notify
from community.slugs import unique_slug
from realtime import streams

QUESTION_MAX_LENGTH = 500
INTRO_MAX_LENGTH = 5000


@dataclass
class RunSheet:
    """What a host fills in. Offsets (minutes after the start) are optional: left out,
    the questions are spread evenly over the session."""

    title: str
    starts_at: datetime  # aware; the form reads it in the host's zone
    duration_minutes: int
    questions: list[str]
    offsets: list[int] | None = None
    intro: str = ""
    space: Space | None = None
    cohosts: tuple = ()
    answer_first: bool = False
    # Repeat weekly: add to a series the host has, or (new_series) start one named after it.
    series: SessionSeries | None = None
    new_series: bool = False


def spread(count: int, duration: int) -> list[int]:
    """Even offsets for `count` questions: the first after a short welcome, the last
    leaving time to wrap up (8 questions in an hour: every 6 minutes from minute 6)."""
    step = max(1, duration // (count + 1))
    return [step * (n + 1) for n in range(count)]


def _clean(sheet: RunSheet, *, now: datetime, released: int = 0) -> list[int]:
    """Check a run-sheet; returns the offsets. `released` questions are already out and
    keep their place. Raises one ValidationError naming every problem by field."""
    errors: dict[str, list[str]] = {}

    def problem(field, message):
        errors.setdefault(field, []).append(message)

    if not sheet.title.strip():
        problem("title", "Give the session a title.")
    if len(sheet.intro) > INTRO_MAX_LENGTH:
        problem("intro", f"The introduction is at most {INTRO_MAX_LENGTH:,} characters.")
    if sheet.duration_minutes not in DURATIONS:
        problem("duration_minutes", "A session lasts from 15 minutes to 4 hours.")
    if not released and sheet.starts_at <= now:
        problem("starts_at", "Choose a start time in the future.")
    questions = [q.strip() for q in sheet.questions]
    if not questions:
        problem("questions", "Add at least one question.")
    elif len(questions) > MAX_QUESTIONS:
        problem("questions", f"A session has at most {MAX_QUESTIONS} questions.")
    for number, text in enumerate(questions, start=1):
        if not text:
            problem("questions", f"Q{number} is empty.")
        elif len(text) > QUESTION_MAX_LENGTH:
            problem("questions", f"Q{number} is over {QUESTION_MAX_LENGTH} characters.")
    offsets = sheet.offsets
    if offsets is None:
        offsets = spread(len(questions), sheet.duration_minutes)
    elif len(offsets) != len(questions):
        problem("offsets", "Give every question a release time, or none.")
    elif any(b <= a for a, b in zip(offsets, offsets[1:], strict=False)) or min(offsets) < 0:
        problem("offsets", "Release times go up, question by question, from minute 0.")
    elif max(offsets) >= sheet.duration_minutes:
        problem("offsets", "Every question is released before the session ends.")
    if errors:
        raise ValidationError(errors)
    return offsets


def _cohosts(actor: User, cohosts) -> list[User]:
    return [user for user in cohosts if user.pk != actor.pk]


@transaction.atomic
def create_session(*, actor: User, sheet: RunSheet, now: datetime | None = None) -> ChatSession:
    now = now or timezone.now()
    if not rules.can_host_session(actor, sheet.space):
        raise PermissionDenied("Moderators host sessions for their spaces.")
    if sheet.series is not None and not rules.can_add_to_series(actor, sheet.series):
        raise PermissionDenied("Only a series' host plans its sessions.")
    offsets = _clean(sheet, now=now)
    session = ChatSession.objects.create(
        title=sheet.title.strip(),
        slug=_slug(sheet.title, sheet.starts_at),
        intro=sheet.intro,
        intro_html=render_markdown(sheet.intro, max_length=INTRO_MAX_LENGTH).html,
        host=actor,
        space=sheet.space,
        room=ChatRoom.objects.create(),
        starts_at=sheet.starts_at,
        duration_minutes=sheet.duration_minutes,
        timezone_name=_zone_of(actor),
        answer_first=sheet.answer_first,
        series=_new_series(actor, sheet.title) if sheet.new_series else sheet.series,
    )
    session.cohosts.set(_cohosts(actor, sheet.cohosts))
    SessionQuestion.objects.bulk_create(
        _question(session, number, text, offset)
        for number, (text, offset) in enumerate(zip(sheet.questions, offsets, strict=True), 1)
    )
    return session


def _new_series(actor: User, title: str) -> SessionSeries:
    """A weekly series named after its first session, in the host's zone."""
    return SessionSeries.objects.create(
        title=title.strip(),
        slug=unique_slug(SessionSeries, slugify(title)[:120] or "series"),
        host=actor,
        timezone_name=_zone_of(actor),
    )


def _question(session, number: int, text: str, offset: int) -> SessionQuestion:
    html = render_markdown(text.strip(), max_length=QUESTION_MAX_LENGTH).html
    return SessionQuestion(
        session=session, number=number, body=text.strip(), body_html=html, offset_minutes=offset
    )


def _slug(title: str, starts_at: datetime) -> str:
    return unique_slug(ChatSession, f"{slugify(title)[:100] or 'session'}-{starts_at:%Y-%m-%d}")


def _zone_of(user: User) -> str:
    """The host's zone: the one their start time was typed in, and the calendar's."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "timezone", "") or "UTC"


@transaction.atomic
def update_run_sheet(
    *, actor: User, session: ChatSession, version: int, sheet: RunSheet, now=None
) -> ChatSession:
    """Edit a session from the copy the host loaded (`version`). Released questions stay
    as they were; the rest may change, be added or removed. Two hosts editing at once:
    the second save is refused, and nothing of it is kept."""
    now = now or timezone.now()
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts edit its run-sheet.")
    released = list(session.questions.filter(released_at__isnull=False).order_by("number"))
    if session.state(now) == ChatSession.State.ENDED:
        raise ValidationError("This session has ended: its run-sheet is its archive now.")
    changed = [
        q for q, text in zip(released, sheet.questions, strict=False) if q.body != text.strip()
    ]
    if changed or len(sheet.questions) < len(released):
        raise ValidationError({"questions": "Released questions cannot be changed."})
    if released and sheet.offsets is not None:
        if sheet.offsets[: len(released)] != [q.offset_minutes for q in released]:
            raise ValidationError({"offsets": "Released questions keep their release times."})
    offsets = _clean(sheet, now=now, released=len(released))
    claimed = ChatSession.objects.filter(pk=session.pk, version=version).update(
        version=F("version") + 1,
        title=sheet.title.strip(),
        intro=sheet.intro,
        intro_html=render_markdown(sheet.intro, max_length=INTRO_MAX_LENGTH).html,
        starts_at=session.starts_at if released else sheet.starts_at,
        duration_minutes=sheet.duration_minutes,
        answer_first=sheet.answer_first,
    )
    if not claimed:
        raise ValidationError(
            "Another host saved this run-sheet while you were editing it: reload to see "
            "their changes, then make yours again."
        )
    session.questions.filter(released_at__isnull=True).delete()
    SessionQuestion.objects.bulk_create(
        _question(session, number, text, offset)
        for number, (text, offset) in enumerate(zip(sheet.questions, offsets, strict=True), 1)
        if number > len(released)
    )
    session.cohosts.set(_cohosts(session.host, sheet.cohosts))
    session.refresh_from_db()
    return session


@transaction.atomic
def duplicate_session(*, actor: User, session: ChatSession, starts_at: datetime) -> ChatSession:
    """A past (or any) session as the template for a new one, in the same series."""
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts reuse it.")
    questions = list(session.questions.order_by("number"))
    sheet = RunSheet(
        title=session.title,
        starts_at=starts_at,
        duration_minutes=session.duration_minutes,
        questions=[q.body for q in questions],
        offsets=[q.offset_minutes for q in questions],
        intro=session.intro,
        space=session.space,
        cohosts=tuple(session.cohosts.all()),
        answer_first=session.answer_first,
    )
    copy = create_session(actor=actor, sheet=sheet)
    if session.series_id:
        # Running the original is enough to keep its copy in the series, so a co-host's
        # "Reuse as a template" stays in the series' host's feed.
        ChatSession.objects.filter(pk=copy.pk).update(series_id=session.series_id)
        copy.series_id = session.series_id
    return copy


def set_rsvp(*, actor: User, session: ChatSession, going: bool) -> None:
    """Say "I'll be there" (reminders go to these people), or not after all."""
    if session.state() == ChatSession.State.ENDED:
        raise ValidationError("This session has ended.")
    if going:
        SessionRSVP.objects.get_or_create(session=session, user=actor)
    else:
        SessionRSVP.objects.filter(session=session, user=actor).delete()


# --- The clock --------------------------------------------------------------------------


def release_due(session: ChatSession, now: datetime | None = None) -> list[SessionQuestion]:
    """Release every question that is due by the clock and not yet out. Safe to call
    from anywhere, any number of times: each question is stamped and announced once."""
    now = now or timezone.now()
    if session.state(now) not in {ChatSession.State.LIVE}:
        return []
    due = [
        q
        for q in session.questions.filter(released_at__isnull=True).order_by("number")
        if session.due_at(q) is not None and session.due_at(q) <= now
    ]
    return [q for q in due if _release(session, q, now)]


@transaction.atomic
def _release(session: ChatSession, question: SessionQuestion, now: datetime) -> bool:
    """Stamp one question; False if someone else got there first."""
    won = SessionQuestion.objects.filter(pk=question.pk, released_at__isnull=True).update(
        released_at=now
    )
    if won:
        question.released_at = now
        streams.append(
            stream=session.room.stream,
            kind="question.released",
            data={
                "number": question.number,
                "label": question.label,
                "html": question.body_html,
                "next_release_at": _iso(next_release_at(session, now)),
            },
        )
    return bool(won)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _controlled(actor: User, session: ChatSession) -> None:
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts run it.")


def _announce_clock(session: ChatSession, kind: str) -> None:
    streams.append(
        stream=session.room.stream,
        kind=kind,
        data={"state": session.state(), "ends_at": session.ends_at.isoformat()},
    )


State = ChatSession.State
# action: (the states it is allowed in, why not otherwise, the event it makes)
CONTROLS = {
    "start": ({State.UPCOMING}, "This session has already started.", "session.started"),
    "pause": ({State.LIVE}, "Only a live session can be paused.", "session.paused"),
    "resume": ({State.PAUSED}, "This session is not paused.", "session.resumed"),
    "extend": ({State.LIVE, State.PAUSED}, "This session is not on.", "session.extended"),
    "end": ({State.UPCOMING, State.LIVE, State.PAUSED}, "It has already ended.", "session.ended"),
}
EXTENSIONS = (5, 10, 15, 30)
CLOCK_FIELDS = ["started_at", "paused_at", "paused_seconds", "extended_minutes", "ended_at"]


@transaction.atomic
def control(*, actor: User, session: ChatSession, action: str, minutes: int = 0, now=None):
    """The hosts' hands on the clock: start early, pause, resume, extend, end. Every
    change is announced in the room, so every open page adjusts its countdown."""
    now = now or timezone.now()
    _controlled(actor, session)
    if action not in CONTROLS:
        raise ValidationError("Choose one of the host's controls.")
    allowed, refusal, kind = CONTROLS[action]
    if session.state(now) not in allowed:
        raise ValidationError(refusal)
    if action == "extend" and minutes not in EXTENSIONS:
        raise ValidationError("Extend by 5, 10, 15 or 30 minutes.")
    if action == "start":
        session.started_at = now
    elif action == "pause":
        session.paused_at = now
    elif action == "extend":
        session.extended_minutes += minutes
    if action in {"resume", "end"} and session.paused_at:
        session.paused_seconds += int((now - session.paused_at).total_seconds())
        session.paused_at = None
    if action == "end":
        session.ended_at = now
    # Only the clock: a run-sheet edit saved meanwhile by another host stays.
    session.save(update_fields=CLOCK_FIELDS)
    _announce_clock(session, kind)
    if action == "end":
        # robust: a failure is logged and left to the page, the clock or the sweep.
        transaction.on_commit(lambda: record_attendance(session, now), robust=True)
    return session


def release_next(*, actor: User, session: ChatSession, now=None) -> SessionQuestion:
    """Release the next question now, ahead of its time."""
    now = now or timezone.now()
    _controlled(actor, session)
    if session.state(now) not in {ChatSession.State.LIVE, ChatSession.State.PAUSED}:
        raise ValidationError("Questions are released while the session is on.")
    pending = session.questions.filter(released_at__isnull=True).order_by("number").first()
    if pending is None:
        raise ValidationError("Every question is out.")
    _release(session, pending, now)
    return pending


def next_release_at(session: ChatSession, now: datetime | None = None) -> datetime | None:
    """When the next question falls due by the clock (for timers and countdowns)."""
    pending = session.questions.filter(released_at__isnull=True).order_by("number").first()
    if pending is None or session.state(now) == ChatSession.State.ENDED:
        return None
    return session.due_at(pending)


# --- Attendance and the CPD record ------------------------------------------------------

RECORDED_SECONDS = 60  # present this long, or answered once, to be recorded


def record_source(session: ChatSession) -> str:
    """What the CPD record entries of a session are made from (one per person)."""
    return f"session:{session.pk}"


def record_attendance(session: ChatSession, now: datetime | None = None) -> int | None:
    """Once a session has ended, write each participant's CPD record entry: minutes
    present, answers given, the archive as evidence. Callers: the End control (on commit),
    the session page, each process's clock and the sweep (`record_ended_sessions`); a
    conditional UPDATE of `recorded_at` lets one of them do it, and each entry's unique
    source makes even a second writer harmless. Returns how many people were recorded,
    or None if it did nothing (not over yet, or already recorded)."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = ChatSession.objects.select_related("room").get(pk=session.pk)
        if fresh.state(now) != ChatSession.State.ENDED:
            return None
        if not ChatSession.objects.filter(pk=fresh.pk, recorded_at=None).update(recorded_at=now):
            return None  # someone else got there first
        seconds = attendance.close_intervals(fresh, now=now)
        answered = (
            ChatMessage.objects.filter(
                room_id=fresh.room_id, question__isnull=False, deleted_at=None, hidden_at=None
            )
            .values("author_id")
            .annotate(n=Count("id"))
        )
        answers = {row["author_id"]: row["n"] for row in answered}
        hosts = {fresh.host_id, *fresh.cohosts.values_list("pk", flat=True)}
        people = sorted(
            user_id
            for user_id in {*seconds, *answers}
            if seconds.get(user_id, 0) >= RECORDED_SECONDS or answers.get(user_id)
        )
        hooks.record_sessions(
            [
                hooks.Attended(
                    user_id=user_id,
                    title=fresh.title,
                    occurred_at=fresh.began_at,
                    minutes=(seconds.get(user_id, 0) + 30) // 60,
                    url=fresh.get_absolute_url(),
                    source=record_source(fresh),
                    details=_attended(answers.get(user_id, 0), hosted=user_id in hosts),
                )
                for user_id in people
            ],
            now=now,
        )
    session.recorded_at = now
    return len(people)


def _attended(answers: int, *, hosted: bool) -> str:
    """The entry's details: "6 answers", "1 answer", "Hosted · 3 answers", "No answers"."""
    parts = ["Hosted"] if hosted else []
    if answers:
        parts.append(f"{answers} answer{'s' if answers != 1 else ''}")
    return " · ".join(parts) or "No answers"


def record_ended_sessions(now: datetime | None = None) -> int:
    """Record every session that has ended and is not recorded yet, whoever ended it
    (sessions end by the clock with nobody pressing End, and with nobody in the room).
    For a periodic loop; returns how many sessions it recorded."""
    now = now or timezone.now()
    # A session lasts at least DURATIONS.start minutes: nothing that began since can be
    # over by the clock (the exact end, with pauses and extensions, is checked in Python).
    began = now - timedelta(minutes=DURATIONS.start)
    candidates = ChatSession.objects.filter(recorded_at=None).filter(
        Q(ended_at__isnull=False) | Q(starts_at__lte=began) | Q(started_at__lte=began)
    )
    ended = [s for s in candidates if s.state(now) == ChatSession.State.ENDED]
    return sum(record_attendance(session, now) is not None for session in ended)


# --- Continue the conversation ----------------------------------------------------------

THREAD_ANSWERS = 20  # the most answers copied into a thread; the rest stay in the archive
THREAD_BODY_BUDGET = forum.POST_MAX_LENGTH - 1000  # room for the heading and the links
TITLE_MAX_LENGTH = Thread._meta.get_field("title").max_length


def continue_spaces(user: User, session: ChatSession) -> list[Space]:
    """Where a host may continue a session's conversation: a space's session stays in
    that space (its answers must not reach a wider audience); a network-wide session's
    go to any open network space the host posts in, so everyone who saw them can follow."""
    if session.space_id is not None:
        return [session.space] if rules.can_post(user, session.space) else []
    mine = Membership.objects.active().filter(user=user).values("space_id")
    candidates = Space.objects.filter(kind=Space.Kind.NETWORK, pk__in=mine).order_by("name")
    return [space for space in candidates if rules.can_post(user, space)]


@transaction.atomic
def continue_in_thread(*, actor: User, question: SessionQuestion, space: Space) -> Thread:
    """Turn an ended session's question and its answers into a community thread, once.
    The thread is started by the forum service (so mentions, notifications, search and
    follows work as for any thread); a second call returns the first thread."""
    session = question.session
    _controlled(actor, session)
    if session.state() != ChatSession.State.ENDED:
        raise ValidationError("Continue the conversation once the session has ended.")
    # Lock the question: two hosts pressing at once make one thread.
    question = SessionQuestion.objects.select_for_update().get(pk=question.pk)
    if question.thread_id:
        return question.thread
    if question.released_at is None:
        raise ValidationError("This question was never released: it has no answers.")
    if space.pk not in {s.pk for s in continue_spaces(actor, session)}:
        raise ValidationError(
            "Continue it in the session's own space."
            if session.space_id
            else "Choose an open network space you post in."
        )
    thread = forum.start_thread(
        actor=actor,
        space=space,
        title=_thread_title(question),
        body=_thread_body(session, question),
    )
    # Databases without row locks (SQLite): only the first writer keeps its thread.
    if not SessionQuestion.objects.filter(pk=question.pk, thread=None).update(thread=thread):
        raise ValidationError("Another host continued this question a moment ago.")
    question.thread = thread
    return thread


def _thread_title(question: SessionQuestion) -> str:
    text = " ".join(strip_tags(question.body_html).split()) or question.label
    if len(text) > TITLE_MAX_LENGTH:
        text = text[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    return text


def _name(user: User) -> str:
    profile = getattr(user, "profile", None)
    name = getattr(profile, "display_name", "") or user.username
    return "".join("\\" + c if c in "\\`*_[]<>#" else c for c in name)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _thread_body(session: ChatSession, question: SessionQuestion) -> str:
    """The question, the hosts' highlights first, then the other answers (each with its
    author's name), up to THREAD_ANSWERS and the length a post may have; then a link
    back to the archive, where every answer stays."""
    archive = session.get_absolute_url()
    answers = sorted(
        session.room.messages.filter(question=question, deleted_at=None, hidden_at=None)
        .select_related("author__profile")
        .order_by("pk"),
        key=lambda m: (m.pinned_at is None, m.created_at, m.pk),
    )
    parts = [
        f"From the live session [{session.title}]({archive}), "
        f"{session.began_at:%d %B %Y}: **{question.label}**",
        _quoted(question.body),
    ]
    length, copied = sum(len(p) for p in parts), 0
    for message in answers[:THREAD_ANSWERS]:
        by = f"**{_name(message.author)}**" + (
            " (highlighted by the hosts)" if message.pinned_at else ""
        )
        part = f"{by}:\n\n{_quoted(message.body)}"
        if length + len(part) > THREAD_BODY_BUDGET:
            break
        parts.append(part)
        length += len(part)
        copied += 1
    if not answers:
        parts.append("Nobody answered this one in the session: over to you.")
    more = len(answers) - copied
    if more:
        parts.append(f"…and {more} more in [the archive]({archive}#group-{question.number}).")
    else:
        parts.append(f"[The whole session's archive]({archive})")
    return "\n\n".join(parts) + "\n"


# --- Muting a participant for the session ---------------------------------------------

MUTED_NOTICE = "A host has muted you for this session: you can still read."


@transaction.atomic
def mute_participant(*, actor: User, session: ChatSession, user: User) -> SessionMute:
    """A host stops someone sending in this session's room (they still read it). Logged;
    the person hears of it at once (a notification on their personal stream) and their
    next send is refused with MUTED_NOTICE."""
    if not rules.can_mute_participant(actor, session, user):
        raise PermissionDenied("Hosts mute participants, never a host, staff or themselves.")
    mute, created = SessionMute.objects.get_or_create(
        session=session, user=user, defaults={"by": actor}
    )
    if created:
        log_action(
            actor=actor,
            action="mute_in_session",
            space=session.space,
            target_user=user,
            reason=f"Muted for the session “{session.title}”",
        )
        notify(
            users=[user],
            kind=Notification.Kind.MODERATION,
            actor=actor,
            space=session.space,
            session=session,
            text=f"A host has muted you for the session “{session.title}”: you can still read.",
        )
    return mute


@transaction.atomic
def unmute_participant(*, actor: User, session: ChatSession, user: User) -> bool:
    """Lift a session mute; False if they were not muted."""
    if not rules.can_mute_participant(actor, session, user):
        raise PermissionDenied("Only this session's hosts unmute participants.")
    removed, _ = SessionMute.objects.filter(session=session, user=user).delete()
    if removed:
        log_action(
            actor=actor,
            action="unmute_in_session",
            space=session.space,
            target_user=user,
            reason=f"Unmuted for the session “{session.title}”",
        )
    return bool(removed)
