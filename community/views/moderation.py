"""Moderation pages: reporting, the review queues, moderators' actions and the audit log.

Objects load through `visible_to` (what the viewer can't see is a 404); the services
check the rules (visible but not allowed is a 403).
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import rules
from community.forms_moderation import (
    HideForm,
    LockForm,
    MemberActionForm,
    MoveForm,
    ReportForm,
    SuspendForm,
)
from community.models import Membership, ModerationAction, Post, Report, Space, Thread, User
from community.services import moderation
from community.views.common import form_error, visible_post, visible_space, visible_thread

REPORTED_POSTS_PER_PAGE = 20
LOG_ROWS_PER_PAGE = 50


# --- Helpers --------------------------------------------------------------------------


def _next_or(request, default: str) -> str:
    """Where to go after an action: the page that sent the form, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_page(request, form, *, title, intro="", submit, danger=False, cancel_url, **extra):
    """The one page shape of every moderation form."""
    context = {
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit,
        "danger": danger,
        "cancel_url": cancel_url,
        "next": _next_or(request, ""),
        **extra,
    }
    return render(request, "community/moderation/form.html", context)


# --- Reporting ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def post_report(request, pk):
    post = visible_post(request, pk)
    if not rules.can_report(request.user, post) or not rules.can_read_post(request.user, post):
        raise PermissionDenied("You can't report this post.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_post(
                actor=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Thank you: the moderators will look at your report.")
            return redirect(_next_or(request, post.get_absolute_url()))
    return _form_page(
        request,
        form,
        title="Report a post",
        intro=f"Post #{post.number} by {post.author.profile.display_name} in "
        f"“{post.thread.title}”. Moderators see who reported a post; its author does not.",
        submit="Send report",
        cancel_url=post.get_absolute_url(),
    )


# --- Posts ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def post_hide(request, pk):
    post = visible_post(request, pk)
    if not rules.can_moderate(request.user, post.thread.space):
        raise PermissionDenied("Only this space's moderators can hide posts.")
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.hide_post(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "The post is hidden and its author has been told why.")
            return redirect(_next_or(request, post.get_absolute_url()))
    return _form_page(
        request,
        form,
        title="Hide a post",
        intro=f"Post #{post.number} by {post.author.profile.display_name} in "
        f"“{post.thread.title}”. It keeps its place in the thread; only its author and "
        "moderators can read it.",
        submit="Hide post",
        danger=True,
        cancel_url=post.get_absolute_url(),
    )


@login_required
@require_POST
def post_restore(request, pk):
    post = visible_post(request, pk)
    try:
        moderation.restore_post(actor=request.user, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The post is visible again.")
    return redirect(_next_or(request, post.get_absolute_url()))


@login_required
@require_POST
def report_dismiss(request, pk):
    report = get_object_or_404(
        Report.objects.filter(post__in=Post.objects.visible_to(request.user)), pk=pk
    )
    post = visible_post(request, report.post_id)
    try:
        count = moderation.dismiss_reports(actor=request.user, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Dismissed {count} report{'s' if count != 1 else ''}.")
    default = reverse("community:space-queue", kwargs={"slug": post.thread.space.slug})
    return redirect(_next_or(request, default))


# --- Threads --------------------------------------------------------------------------


@login_required
@require_POST
def thread_lock(request, pk):
    thread = visible_thread(request, pk)
    form = LockForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    thread = moderation.set_thread_locked(
        actor=request.user, thread=thread, locked=not thread.is_locked, reason=reason
    )
    messages.success(
        request, "The thread is locked." if thread.is_locked else "The thread is open again."
    )
    return redirect(_next_or(request, thread.get_absolute_url()))


@login_required
@require_POST
def thread_pin(request, pk):
    thread = visible_thread(request, pk)
    thread = moderation.set_thread_pinned(
        actor=request.user, thread=thread, pinned=not thread.is_pinned
    )
    messages.success(
        request, "The thread is pinned." if thread.is_pinned else "The thread is unpinned."
    )
    return redirect(_next_or(request, thread.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
def thread_move(request, pk):
    thread = visible_thread(request, pk)
    if not rules.can_moderate(request.user, thread.space):
        raise PermissionDenied("Only this space's moderators can move threads.")
    # Spaces the viewer can see and moderates (staff moderate everywhere).
    targets = Space.objects.visible_to(request.user).exclude(pk=thread.space_id)
    if not request.user.is_staff:
        moderates = Membership.objects.active().filter(
            user=request.user, role=Membership.Role.MODERATOR
        )
        targets = targets.filter(pk__in=moderates.values("space_id"))
    if request.method == "GET" and not targets.exists():
        messages.info(request, "There is no other space you moderate to move this thread to.")
        return redirect(thread.get_absolute_url())
    form = MoveForm(request.POST or None, spaces=targets)
    if request.method == "POST" and form.is_valid():
        to_space = get_object_or_404(
            Space.objects.visible_to(request.user), pk=form.cleaned_data["to_space"]
        )
        try:
            moderation.move_thread(
                actor=request.user,
                thread=thread,
                to_space=to_space,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"The thread is now in {to_space.name}.")
            return redirect(thread.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Move a thread",
        intro=f"“{thread.title}”, now in {thread.space.name}. You can move it to another "
        "space you moderate.",
        submit="Move thread",
        cancel_url=thread.get_absolute_url(),
    )


# --- Members and accounts -------------------------------------------------------------


def _member_action(request, slug, username, *, remove: bool):
    space = visible_space(request, slug)
    if not rules.can_moderate(request.user, space):
        raise PermissionDenied("Only this space's moderators can do that.")
    membership = get_object_or_404(
        Membership.objects.active().select_related("user__profile"),
        space=space,
        user__username__iexact=username,
        user__is_active=True,
    )
    member = membership.user
    form = MemberActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = moderation.remove_member if remove else moderation.mute_member
        try:
            service(
                actor=request.user,
                space=space,
                user=member,
                until=form.until(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            done = "removed from" if remove else "muted in"
            messages.success(request, f"{member.profile.display_name} is {done} {space.name}.")
            return redirect(_next_or(request, space.get_absolute_url()))
    name = member.profile.display_name
    if remove:
        title, submit = f"Remove {name} from {space.name}", "Remove member"
        intro = "They stop being a member until the time runs out, and cannot rejoin before."
    else:
        title, submit = f"Mute {name} in {space.name}", "Mute member"
        intro = "They can still read the space but cannot post in it until the time runs out."
    return _form_page(
        request,
        form,
        title=title,
        intro=intro,
        submit=submit,
        danger=True,
        cancel_url=space.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_mute(request, slug, username):
    return _member_action(request, slug, username, remove=False)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, slug, username):
    return _member_action(request, slug, username, remove=True)


@login_required
@require_http_methods(["GET", "POST"])
def account_suspend(request, username):
    if not request.user.is_staff:
        raise PermissionDenied("Only Staffroom staff can suspend accounts.")
    target = get_object_or_404(
        User.objects.filter(is_active=True).select_related("profile"), username__iexact=username
    )
    if not rules.can_suspend(request.user, target):
        raise PermissionDenied("Staff accounts (and your own) can't be suspended.")
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if form.lifting:
                moderation.lift_suspension(actor=request.user, user=target, reason=reason)
            else:
                moderation.suspend_account(
                    actor=request.user, user=target, until=form.until(), reason=reason
                )
        except ValidationError as error:
            form_error(form, error)
        else:
            state = "no longer suspended" if form.lifting else "suspended"
            messages.success(request, f"@{target.username} is {state}.")
            return redirect("community:profile", username=target.username)
    return _form_page(
        request,
        form,
        title=f"Suspend @{target.username}",
        intro="A suspended account can read but cannot post, reply, react or report anywhere "
        "on Staffroom until the suspension ends.",
        submit="Save",
        danger=True,
        cancel_url=reverse("community:profile", kwargs={"username": target.username}),
        suspended_until=target.suspended_until if target.is_suspended() else None,
    )


# --- Queues ---------------------------------------------------------------------------


def _reported_posts(posts):
    """Posts with open reports, safeguarding first then oldest first, each carrying its
    open reports and their reasons with counts. Three queries whatever the numbers."""
    open_report = Q(reports__resolved_at__isnull=True)
    return (
        posts.annotate(
            open_count=Count("reports", filter=open_report),
            safeguarding_count=Count(
                "reports", filter=open_report & Q(reports__reason=Report.Reason.SAFEGUARDING)
            ),
            first_reported_at=Min("reports__created_at", filter=open_report),
        )
        .filter(open_count__gt=0)
        .select_related("thread__space", "author__profile")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(resolved_at__isnull=True)
                .select_related("reporter__profile")
                .order_by("created_at", "pk"),
                to_attr="open_reports",
            )
        )
        .order_by("-safeguarding_count", "first_reported_at", "pk")
    )


_QUEUE_CONTEXT = {"auto_hide_reason": moderation.AUTO_HIDE_REASON}


def _queue_page(request, posts):
    page = Paginator(_reported_posts(posts), REPORTED_POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for post in page:
        reasons = Counter(report.get_reason_display() for report in post.open_reports)
        post.reason_counts = reasons.most_common()
    return page


@login_required
@require_GET
def space_queue(request, slug):
    space = visible_space(request, slug)
    if not rules.is_moderator(request.user, space):
        raise PermissionDenied("Only this space's moderators can read its queue.")
    posts = Post.objects.filter(
        thread__in=Thread.objects.visible_to(request.user), thread__space=space
    )
    return render(
        request,
        "community/moderation/queue.html",
        {"space": space, "page": _queue_page(request, posts), **_QUEUE_CONTEXT},
    )


@login_required
@require_GET
def queue(request):
    """Staff review every open report on the network; a moderator picks one of their spaces."""
    if request.user.is_staff:
        posts = Post.objects.visible_to(request.user)
        return render(
            request,
            "community/moderation/queue.html",
            {"page": _queue_page(request, posts), **_QUEUE_CONTEXT},
        )
    moderates = Membership.objects.active().filter(
        user=request.user, role=Membership.Role.MODERATOR
    )
    open_report = Q(
        threads__deleted_at__isnull=True, threads__posts__reports__resolved_at__isnull=True
    )
    spaces = list(
        Space.objects.visible_to(request.user)
        .filter(pk__in=moderates.values("space_id"))
        .annotate(open_reports=Count("threads__posts__reports", filter=open_report))
        .order_by("-open_reports", "name")
    )
    if not spaces:
        raise PermissionDenied("The moderation queue is for moderators.")
    return render(request, "community/moderation/queue_spaces.html", {"spaces": spaces})


# --- Audit log ------------------------------------------------------------------------


def _log_page(request, rows):
    rows = rows.select_related(
        "actor__profile", "target_user__profile", "space", "thread", "post"
    ).order_by("-created_at", "-pk")
    return Paginator(rows, LOG_ROWS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def space_log(request, slug):
    space = visible_space(request, slug)
    if not rules.is_moderator(request.user, space):
        raise PermissionDenied("Only this space's moderators can read its log.")
    page = _log_page(request, ModerationAction.objects.filter(space=space))
    return render(request, "community/moderation/log.html", {"space": space, "page": page})


@login_required
@require_GET
def log(request):
    if not request.user.is_staff:
        raise PermissionDenied("The network's moderation log is for Staffroom staff.")
    page = _log_page(request, ModerationAction.objects.all())
    return render(request, "community/moderation/log.html", {"page": page})


urlpatterns = [
    path("p/<int:pk>/report/", post_report, name="post-report"),
    path("p/<int:pk>/hide/", post_hide, name="post-hide"),
    path("p/<int:pk>/restore/", post_restore, name="post-restore"),
    path("t/<int:pk>/lock/", thread_lock, name="thread-lock"),
    path("t/<int:pk>/pin/", thread_pin, name="thread-pin"),
    path("t/<int:pk>/move/", thread_move, name="thread-move"),
    path("s/<slug:slug>/members/<str:username>/mute/", member_mute, name="member-mute"),
    path("s/<slug:slug>/members/<str:username>/remove/", member_remove, name="member-remove"),
    path("people/<str:username>/suspend/", account_suspend, name="account-suspend"),
    path("reports/<int:pk>/dismiss/", report_dismiss, name="report-dismiss"),
    path("s/<slug:slug>/queue/", space_queue, name="space-queue"),
    path("s/<slug:slug>/log/", space_log, name="space-log"),
    path("moderation/", queue, name="queue"),
    path("moderation/log/", log, name="log"),
]
