"""Spaces, threads and posts: thin views over community.services.forum."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import queries, rules
from community.forms import InviteForm, PostForm, SpaceFilterForm, SpaceForm, ThreadForm
from community.models import Follow, Membership, Post, ReadState, Space
from community.services import forum
from community.services.forum import RateLimited
from community.views.common import form_error, visible_post, visible_space, visible_thread
from realtime import streams
from realtime.validation import parse_id


def _new_token() -> str:
    return uuid.uuid4().hex


# --- Spaces ---------------------------------------------------------------------------


@login_required
@require_GET
def space_list(request):
    form = SpaceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    spaces = queries.spaces_for(request.user, phase=data.get("phase"), subject=data.get("subject"))
    return render(
        request,
        "community/forum/space_list.html",
        {
            "form": form,
            "spaces": spaces,
            "can_create_private": rules.can_create_space(request.user, Space.Kind.PRIVATE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_create(request):
    kinds = [k for k in Space.Kind.values if rules.can_create_space(request.user, k)]
    kinds = [k for k in kinds if k != Space.Kind.SCHOOL]  # school spaces come with schools
    if not kinds:
        raise PermissionDenied("Your account can't open spaces right now.")
    form = SpaceForm(request.POST or None, kinds=kinds, initial={"kind": kinds[-1]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        space = forum.create_space(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            phases=data["phases"],
            subjects=data["subjects"],
        )
        messages.success(request, f"{space.name} is open. Invite colleagues from its members page.")
        return redirect(space)
    return render(request, "community/forum/space_form.html", {"form": form})


@login_required
@require_GET
def space_detail(request, slug):
    space = visible_space(request, slug)
    page = Paginator(queries.threads_of(space, request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "community/forum/space_detail.html",
        {
            "space": space,
            "page": page,
            "membership": rules.membership_in(request.user, space),
            "can_post": rules.can_post(request.user, space),
            "can_join": rules.can_join(request.user, space),
            "can_moderate": rules.can_moderate(request.user, space),
        },
    )


@login_required
@require_POST
def space_join(request, slug):
    space = visible_space(request, slug)
    forum.join_space(actor=request.user, space=space)
    messages.success(request, f"You joined {space.name}.")
    return redirect(space)


@login_required
@require_POST
def space_leave(request, slug):
    space = visible_space(request, slug)
    forum.leave_space(actor=request.user, space=space)
    messages.success(request, f"You left {space.name}.")
    return redirect("community:spaces" if space.kind == Space.Kind.PRIVATE else space)


@login_required
@require_http_methods(["GET", "POST"])
def space_members(request, slug):
    space = visible_space(request, slug)
    can_invite = rules.can_invite(request.user, space)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not can_invite:
            raise PermissionDenied("Only this space's moderators can add people.")
        if form.is_valid():
            try:
                membership = forum.invite_member(
                    actor=request.user, space=space, user=form.cleaned_data["username"]
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, f"{membership.user.profile.display_name} was added.")
                return redirect("community:space-members", slug=space.slug)
    members = (
        Membership.objects.active()
        .filter(space=space)
        .select_related("user__profile__school")
        .order_by("-role", "user__profile__display_name")
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    for membership in page:
        membership.space = space  # the rule reads it: no query per row
        membership.can_act = rules.can_moderate_member(request.user, membership)
    return render(
        request,
        "community/forum/space_members.html",
        {
            "space": space,
            "page": page,
            "form": form,
            "can_invite": can_invite,
        },
    )


# --- Threads --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    space = visible_space(request, slug)
    if not rules.can_post(request.user, space):
        raise PermissionDenied("Join this space to start a thread.")
    form = ThreadForm(request.POST or None, initial={"client_token": _new_token()})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = forum.start_thread(
                actor=request.user,
                space=space,
                title=data["title"],
                body=data["body"],
                kind=data["kind"],
                client_token=data["client_token"],
            )
        except (ValidationError, RateLimited) as error:
            form_error(form, error)
            status = 429 if isinstance(error, RateLimited) else 200
        else:
            return redirect(thread)
    return render(
        request, "community/forum/thread_form.html", {"form": form, "space": space}, status=status
    )


@login_required
@require_GET
def thread_detail(request, pk, slug):
    thread = visible_thread(request, pk)
    if slug != thread.slug:
        return redirect(thread)
    user = request.user
    page, posts = queries.thread_page(thread, user, request.GET.get("page"))
    read = ReadState.objects.filter(user=user, thread=thread).first()
    first_unread = (read.last_read_number + 1) if read else 1
    if posts and (read is None or posts[-1].number > read.last_read_number):
        forum.mark_read(actor=user, thread=thread, number=posts[-1].number)
    context = _post_controls(user, thread, posts)
    for post in posts:
        post.is_unread = post.number >= first_unread and read is not None
    return render(
        request,
        "community/forum/thread_detail.html",
        {
            **context,
            "space": thread.space,
            "page": page,
            "posts": posts,
            "first_unread": first_unread if read and first_unread <= thread.post_count else None,
            "following": Follow.objects.filter(user=user, thread=thread).exists(),
            "is_member": rules.membership_in(user, thread.space) is not None,
            # Live updates resume from here (static/js/live.js).
            "stream_head": streams.head(f"thread:{thread.pk}"),
            "on_last_page": not page.has_next(),
            "form": PostForm(initial={"client_token": _new_token()})
            if context["can_reply"]
            else None,
        },
    )


def _post_controls(user, thread, posts) -> dict:
    """What the viewer may do with each post, and the thread-level switches _post.html
    reads: one place for the page and for the live fragment."""
    for post in posts:
        post.can_read = rules.can_read_post(user, post)
        post.can_edit = rules.can_edit_post(user, post)
        post.can_delete = rules.can_delete_post(user, post)
        post.can_react = rules.can_react(user, post)
        post.can_report = rules.can_report(user, post)
    return {
        "thread": thread,
        "can_reply": rules.can_reply(user, thread),
        "can_moderate": rules.can_moderate(user, thread.space),
        "can_mark_answer": rules.can_mark_answer(user, thread),
    }


@login_required
@require_GET
def post_fragment(request, pk):
    """One post as the thread page shows it, for live updates (the same _post.html)."""
    post = visible_post(request, pk)
    thread = post.thread
    queries.with_reactions([post], request.user, thread=thread)
    context = _post_controls(request.user, thread, [post])
    return render(request, "community/forum/_post.html", {**context, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def thread_reply(request, pk):
    """POST a reply; GET shows the composer alone (quote-reply without JavaScript)."""
    thread = visible_thread(request, pk)
    if not rules.can_reply(request.user, thread):
        raise PermissionDenied(
            "This thread is locked." if thread.is_locked else "Join this space to reply."
        )
    quote = None
    quote_id = parse_id(request.POST.get("quote_of") or request.GET.get("quote"))
    if quote_id:
        quote = Post.objects.filter(thread=thread, pk=quote_id).select_related("author").first()
        if quote and not rules.can_read_post(request.user, quote):
            quote = None
    initial = {"client_token": _new_token()}
    if quote:
        initial["body"] = "\n".join(f"> {line}" for line in quote.body.splitlines()) + "\n\n"
    form = PostForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            post = forum.post_reply(
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                quote_of=quote,
                client_token=form.cleaned_data["client_token"],
            )
        except (ValidationError, RateLimited) as error:
            form_error(form, error)
            status = 429 if isinstance(error, RateLimited) else 200
        else:
            return redirect(post)
    return render(
        request,
        "community/forum/post_form.html",
        {"form": form, "thread": thread, "quote": quote, "heading": "Reply"},
        status=status,
    )


@login_required
@require_POST
def thread_follow(request, pk):
    thread = visible_thread(request, pk)
    if request.POST.get("action") == "unfollow":
        forum.unfollow_thread(actor=request.user, thread=thread)
        messages.success(request, "You won't be told about new replies to this thread.")
    else:
        forum.follow_thread(actor=request.user, thread=thread)
        messages.success(request, "You'll be told about new replies to this thread.")
    return redirect(thread)


@login_required
@require_GET
def thread_unread(request, pk):
    """Jump to the first post the viewer has not read (or the last post if none)."""
    thread = visible_thread(request, pk)
    read = ReadState.objects.filter(user=request.user, thread=thread).first()
    number = min((read.last_read_number + 1) if read else 1, thread.post_count)
    post = get_object_or_404(Post, thread=thread, number=number)
    return redirect(post)


@login_required
@require_POST
def thread_answer(request, pk):
    thread = visible_thread(request, pk)
    post_id = request.POST.get("post", "")
    post = None
    if post_id:
        post = get_object_or_404(Post, thread=thread, pk=parse_id(post_id) or 0)
    try:
        forum.mark_answer(actor=request.user, thread=thread, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Answer marked." if post else "Answer cleared.")
    return redirect(post or thread)


# --- Posts ----------------------------------------------------------------------------


@login_required
@require_GET
def post_permalink(request, pk):
    """A stable address for a post: the page of its thread it falls on, at its anchor."""
    post = visible_post(request, pk)
    url = post.thread.get_absolute_url()
    if post.page_number > 1:
        url += f"?page={post.page_number}"
    return redirect(f"{url}#post-{post.number}")


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    post = visible_post(request, pk)
    if not rules.can_edit_post(request.user, post):
        raise PermissionDenied("You can't edit this post.")
    form = PostForm(request.POST or None, initial={"body": post.body})
    form.fields["body"].label = "Post"
    if request.method == "POST" and form.is_valid():
        try:
            forum.edit_post(actor=request.user, post=post, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(post)
    return render(
        request,
        "community/forum/post_form.html",
        {"form": form, "thread": post.thread, "heading": "Edit post", "editing": post},
    )


@login_required
@require_POST
def post_delete(request, pk):
    post = visible_post(request, pk)
    forum.delete_post(actor=request.user, post=post)
    messages.success(request, "The post is deleted.")
    if post.number == 1:
        return redirect(post.thread.space)
    return redirect(post)


@login_required
@require_POST
def post_react(request, pk):
    post = visible_post(request, pk)
    kind = request.POST.get("kind", "")
    if request.POST.get("action") == "remove":
        forum.unreact(actor=request.user, post=post, kind=kind)
    else:
        try:
            forum.react(actor=request.user, post=post, kind=kind)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(post)


@login_required
@require_GET
def post_history(request, pk):
    post = visible_post(request, pk)
    if not rules.can_view_history(request.user, post):
        raise PermissionDenied("Only this space's moderators can read a post's history.")
    revisions = post.revisions.select_related("edited_by__profile")
    return render(
        request, "community/forum/post_history.html", {"post": post, "revisions": revisions}
    )


urlpatterns = [
    path("spaces/", space_list, name="spaces"),
    path("spaces/new/", space_create, name="space-create"),
    path("s/<slug:slug>/", space_detail, name="space"),
    path("s/<slug:slug>/join/", space_join, name="space-join"),
    path("s/<slug:slug>/leave/", space_leave, name="space-leave"),
    path("s/<slug:slug>/members/", space_members, name="space-members"),
    path("s/<slug:slug>/new/", thread_create, name="thread-create"),
    # Slug first (as Discourse does): "t/<pk>/<word>/" stays free for actions.
    path("t/<slug:slug>/<int:pk>/", thread_detail, name="thread"),
    path("t/<int:pk>/reply/", thread_reply, name="thread-reply"),
    path("t/<int:pk>/follow/", thread_follow, name="thread-follow"),
    path("t/<int:pk>/unread/", thread_unread, name="thread-unread"),
    path("t/<int:pk>/answer/", thread_answer, name="thread-answer"),
    path("p/<int:pk>/", post_permalink, name="post"),
    path("p/<int:pk>/edit/", post_edit, name="post-edit"),
    path("p/<int:pk>/delete/", post_delete, name="post-delete"),
    path("p/<int:pk>/react/", post_react, name="post-react"),
    path("p/<int:pk>/history/", post_history, name="post-history"),
    path("p/<int:pk>/fragment/", post_fragment, name="post-fragment"),
]
