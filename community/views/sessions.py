"""Timed chat sessions: the list, the run-sheet form, and one page that is the
announcement before, the room during and the archive after (docs/sessions.md)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import calendar, hooks, queries, rules
from community.forms_sessions import RunSheetForm
from community.models import ChatSession, SessionSeries, Space, User
from community.services import sessions
from community.services.forum import RateLimited
from community.views.chat import room_page
from community.views.common import feed_reader
from realtime.validation import parse_id


def _session(request, slug) -> ChatSession:
    visible = ChatSession.objects.visible_to(request.user).select_related(
        "room", "space", "host", "series"
    )
    return get_object_or_404(visible, slug=slug)


@login_required
@require_GET
def session_list(request):
    now = timezone.now()
    visible = ChatSession.objects.visible_to(request.user).select_related("space", "host__profile")
    on_or_next = list(visible.filter(ended_at=None, starts_at__gte=now - timedelta(hours=5)))
    return render(
        request,
        "community/sessions/list.html",
        {
            "coming": [s for s in on_or_next if s.state(now) != ChatSession.State.ENDED],
            "past": visible.exclude(pk__in=[s.pk for s in on_or_next]).order_by("-starts_at")[:20],
            "can_host": rules.can_host_session(request.user, None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    if not rules.can_host_session(request.user, None):
        raise PermissionDenied("Moderators and staff host sessions.")
    form = RunSheetForm(request.POST or None, user=request.user, repeat=True)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.create_session(actor=request.user, sheet=form.sheet())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your session is planned.")
            return redirect(session)
    return render(request, "community/sessions/form.html", {"form": form, "session": None})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, slug):
    session = _session(request, slug)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied("Only this session's hosts edit its run-sheet.")
    questions = list(session.questions.order_by("number"))
    initial = {
        "title": session.title,
        "space": session.space,
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "intro": session.intro,
        "questions": "\n".join(q.body for q in questions),
        "offsets": ", ".join(str(q.offset_minutes) for q in questions),
        "answer_first": session.answer_first,
        "version": session.version,
    }
    form = RunSheetForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or 0
        try:
            sessions.update_run_sheet(
                actor=request.user, session=session, version=version, sheet=form.sheet()
            )
        except ValidationError as error:
            form.add_error(None, error)  # field by field where the service named fields
        else:
            messages.success(request, "The run-sheet is saved.")
            return redirect(session)
    return render(request, "community/sessions/form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request, slug):
    session = _session(request, slug)
    now = timezone.now()
    sessions.release_due(session, now)  # this page may be the first to notice
    state = session.state(now)
    if state == ChatSession.State.ENDED and session.recorded_at is None:
        sessions.record_attendance(session, now)  # ended by the clock, unrecorded so far
    sent, room = room_page(request, session.room)
    if sent:
        return redirect(session)
    is_host = rules.can_run_session(request.user, session)
    questions = list(session.questions.order_by("number"))
    # After the hour, and for late joiners who ask: the transcript by question.
    by_question = state == ChatSession.State.ENDED or request.GET.get("view") == "questions"
    # "Questions only": the prompts as they are released, without the flood of messages.
    prompts = request.GET.get("view") == "prompts"
    by_question = by_question and not prompts
    hide = queries.answer_first(session, request.user, is_host=is_host)
    extras = queries.session_room(
        request.user, session, room["chat_messages"], questions, is_host, **hide
    )
    return render(
        request,
        "community/sessions/detail.html",
        {
            **room,
            "session": session,
            "state": state,
            "is_host": is_host,
            "questions": questions if is_host else [q for q in questions if q.released_at],
            "released": [q for q in questions if q.released_at],
            "next_release": sessions.next_release_at(session, now),
            "going": session.rsvps.filter(user=request.user).exists(),
            "rsvp_count": session.rsvps.count(),
            "is_member": room["is_member"] and state in {"live", "paused"},
            "extensions": [(m, f"+{m} min") for m in sessions.EXTENSIONS],
            "by_question": by_question,
            "archive": queries.session_archive(session, **hide) if by_question else None,
            **extras,
            "muted_notice": sessions.MUTED_NOTICE,
            "prompts": prompts,
            "record_entry": (
                hooks.record_entry(request.user, sessions.record_source(session))
                if state == ChatSession.State.ENDED
                else None
            ),
            "continue_spaces": (
                sessions.continue_spaces(request.user, session)
                if is_host and by_question and state == ChatSession.State.ENDED
                else []
            ),
        },
    )


@login_required
@require_POST
def session_mute(request, slug, username):
    return _set_mute(request, slug, username, mute=True)


@login_required
@require_POST
def session_unmute(request, slug, username):
    return _set_mute(request, slug, username, mute=False)


def _set_mute(request, slug, username, *, mute: bool):
    session = _session(request, slug)
    person = get_object_or_404(User.objects.select_related("profile"), username=username)
    name = person.profile.display_name if hasattr(person, "profile") else person.username
    if mute:
        sessions.mute_participant(actor=request.user, session=session, user=person)
        messages.success(request, f"{name} is muted for this session: they can still read.")
    else:
        sessions.unmute_participant(actor=request.user, session=session, user=person)
        messages.success(request, f"{name} can send in this session again.")
    return redirect(session)


@login_required
@require_POST
def session_rsvp(request, slug):
    session = _session(request, slug)
    going = request.POST.get("going") == "1"
    try:
        sessions.set_rsvp(actor=request.user, session=session, going=going)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "You're going: we'll remind you 15 minutes before."
            if going
            else "You're no longer on the list.",
        )
    return redirect(session)


@login_required
@require_POST
def session_control(request, slug):
    session = _session(request, slug)
    action = request.POST.get("action", "")
    try:
        if action == "release":
            question = sessions.release_next(actor=request.user, session=session)
            messages.success(request, f"{question.label} is out.")
        else:
            minutes = request.POST.get("minutes", "")
            sessions.control(
                actor=request.user,
                session=session,
                action=action,
                minutes=parse_id(minutes, minimum=0, maximum=24 * 60) or 0,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(session)


@login_required
@require_POST
def session_duplicate(request, slug):
    session = _session(request, slug)
    later = max(session.starts_at, timezone.now()) + timedelta(days=7)
    copy = sessions.duplicate_session(actor=request.user, session=session, starts_at=later)
    messages.success(request, "A copy a week later: change what you need.")
    return redirect("community:session-edit", slug=copy.slug)


@login_required
@require_POST
def session_continue(request, slug, number):
    """A host turns one question of an ended session into a community thread."""
    session = _session(request, slug)
    question = get_object_or_404(session.questions, number=number)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied("Only this session's hosts continue its conversations.")
    space_id = parse_id(request.POST.get("space", ""))
    space = Space.objects.filter(pk=space_id).first() if space_id else None
    try:
        if space is None:
            raise ValidationError("Choose the space to continue in.")
        thread = sessions.continue_in_thread(actor=request.user, question=question, space=space)
    except (ValidationError, RateLimited) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{question.label} continues in “{thread.title}”.")
    return redirect(f"{session.get_absolute_url()}#group-{question.number}")


@login_required
@require_GET
def session_calendar(request, slug):
    """The session as an .ics file for any calendar (in the host's zone, with VTIMEZONE)."""
    session = _session(request, slug)
    body = calendar.session_ics(session, request.build_absolute_uri(session.get_absolute_url()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session.slug}.ics"'
    return response


@login_required
@require_GET
def session_markdown(request, slug):
    session = _session(request, slug)
    site = request.build_absolute_uri("/").rstrip("/")
    hide = queries.answer_first(
        session, request.user, is_host=rules.can_run_session(request.user, session)
    )
    text = queries.archive_markdown(session, queries.session_archive(session, **hide), site)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session.slug}.md"'
    return response


# --- Weekly series ----------------------------------------------------------------------


def _series_sessions(user, series: SessionSeries) -> list[ChatSession]:
    """The series' sessions this user sees, by planned start; a series of which they see
    none does not exist for them (404)."""
    found = list(
        ChatSession.objects.visible_to(user)
        .filter(series=series)
        .select_related("space", "host__profile")
        .order_by("starts_at", "pk")
    )
    if not found:
        raise Http404("No such series.")
    return found


@login_required
@require_GET
def series_detail(request, slug):
    series = get_object_or_404(SessionSeries, slug=slug)
    found = _series_sessions(request.user, series)
    now = timezone.now()
    token = calendar.feed_token(user_id=request.user.pk, series_id=series.pk)
    address = reverse("community:series-calendar", args=[series.slug])
    feed = request.build_absolute_uri(f"{address}?token={token}")
    return render(
        request,
        "community/sessions/series.html",
        {
            "series": series,
            "slot": calendar.weekly_slot(series, found),
            "coming": [s for s in found if s.state(now) != ChatSession.State.ENDED],
            "past": [s for s in reversed(found) if s.state(now) == ChatSession.State.ENDED],
            "feed_url": feed,
            "webcal_url": "webcal://" + feed.split("://", 1)[1],
        },
    )


@require_GET
def series_calendar(request, slug):
    """The series as a calendar feed. Calendar apps send no cookies: the signed token in
    the address says whose eyes to read the sessions with (a signed-in browser needs
    none). No token and no login, or a token not made for this series: 404."""
    series = get_object_or_404(SessionSeries, slug=slug)
    reader = feed_reader(
        request, lambda token: calendar.read_feed_token(token, series_id=series.pk)
    )
    body = calendar.series_ics(
        series,
        _series_sessions(reader, series),
        series_url=request.build_absolute_uri(reverse("community:series", args=[series.slug])),
        url_of=lambda session: request.build_absolute_uri(session.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{series.slug}.ics"'
    return response


urlpatterns = [
    path("sessions/", session_list, name="sessions"),
    path("sessions/new/", session_create, name="session-create"),
    # Before the session patterns: a series slugged "edit" must not look like a session.
    path("sessions/series/<slug:slug>/", series_detail, name="series"),
    path("sessions/series/<slug:slug>/calendar.ics", series_calendar, name="series-calendar"),
    path("sessions/<slug:slug>/", session_detail, name="session"),
    path("sessions/<slug:slug>/edit/", session_edit, name="session-edit"),
    path("sessions/<slug:slug>/rsvp/", session_rsvp, name="session-rsvp"),
    path("sessions/<slug:slug>/control/", session_control, name="session-control"),
    path("sessions/<slug:slug>/duplicate/", session_duplicate, name="session-duplicate"),
    path("sessions/<slug:slug>/calendar.ics", session_calendar, name="session-calendar"),
    path("sessions/<slug:slug>/archive.md", session_markdown, name="session-markdown"),
    path("sessions/<slug:slug>/q<int:number>/thread/", session_continue, name="session-continue"),
    path("sessions/<slug:slug>/people/<str:username>/mute/", session_mute, name="session-mute"),
    path(
        "sessions/<slug:slug>/people/<str:username>/unmute/", session_unmute, name="session-unmute"
    ),
]
