"""Timed chat sessions: the list, the run-sheet form, and one page that is the
announcement before, the room during and the archive after (docs/sessions.md)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import calendar, queries, rules
from community.forms_sessions import RunSheetForm
from community.models import ChatSession
from community.services import sessions
from community.views.chat import room_page


def _session(request, slug) -> ChatSession:
    visible = ChatSession.objects.visible_to(request.user).select_related("room", "space", "host")
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
    form = RunSheetForm(request.POST or None, user=request.user)
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
    sent, room = room_page(request, session.room)
    if sent:
        return redirect(session)
    is_host = rules.can_run_session(request.user, session)
    questions = list(session.questions.order_by("number"))
    # After the hour, and for late joiners who ask: the transcript by question.
    by_question = state == ChatSession.State.ENDED or request.GET.get("view") == "questions"
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
            "archive": queries.session_archive(session) if by_question else None,
        },
    )


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
                minutes=int(minutes) if minutes.isdigit() else 0,
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
    text = queries.archive_markdown(session, queries.session_archive(session))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session.slug}.md"'
    return response


urlpatterns = [
    path("sessions/", session_list, name="sessions"),
    path("sessions/new/", session_create, name="session-create"),
    path("sessions/<slug:slug>/", session_detail, name="session"),
    path("sessions/<slug:slug>/edit/", session_edit, name="session-edit"),
    path("sessions/<slug:slug>/rsvp/", session_rsvp, name="session-rsvp"),
    path("sessions/<slug:slug>/control/", session_control, name="session-control"),
    path("sessions/<slug:slug>/duplicate/", session_duplicate, name="session-duplicate"),
    path("sessions/<slug:slug>/calendar.ics", session_calendar, name="session-calendar"),
    path("sessions/<slug:slug>/archive.md", session_markdown, name="session-markdown"),
]
