"""Page-shaped reads for the community pages."""

import re

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from community import rules
from community.models import (
    ChatReaction,
    Membership,
    Post,
    Profile,
    Reaction,
    ReadState,
    School,
    Space,
    Thread,
    User,
)
from community.models.forum import POSTS_PER_PAGE


def network_figures() -> dict:
    teachers = Profile.objects.filter(user__is_active=True, onboarded_at__isnull=False)
    schools = School.objects.aggregate(
        schools=Count("pk"), countries=Count("country", distinct=True)
    )
    return {"teacher_count": teachers.count(), **schools}


def landing_figures() -> dict:
    return {"figures": network_figures()}


def home_for(profile: Profile) -> dict:
    """The signed-in home page: who I am, my school, and people like me."""
    user = profile.user
    visible = Profile.objects.visible_to(user).for_cards().filter(onboarded_at__isnull=False)
    colleagues = []
    if profile.school_id:
        colleagues = list(
            visible.filter(school_id=profile.school_id)
            .exclude(pk=profile.pk)
            .order_by("display_name")[:6]
        )
    phase_ids = [p.pk for p in profile.phases.all()]
    subject_ids = [s.pk for s in profile.subjects.all()]
    peers = (
        visible.exclude(pk=profile.pk)
        .exclude(school_id=profile.school_id)
        .filter(Q(subjects__in=subject_ids) | Q(phases__in=phase_ids))
        .annotate(
            shared=Count("subjects", filter=Q(subjects__in=subject_ids), distinct=True)
            + Count("phases", filter=Q(phases__in=phase_ids), distinct=True)
        )
        .order_by("-shared", "-onboarded_at")[:8]
    )
    my_spaces = Space.objects.filter(
        pk__in=Membership.objects.active().filter(user=user).values("space_id")
    )
    recent = (
        Thread.objects.visible_to(user)
        .filter(space__in=my_spaces)
        .select_related("space", "author__profile")
        .order_by("-last_activity_at")[:6]
    )
    school = None
    if profile.school_id:
        school = School.objects.with_member_count().get(pk=profile.school_id)
    return {
        "profile": profile,
        "school": school,
        "colleagues": colleagues,
        "peers": list(peers),
        "newest": list(visible.exclude(pk=profile.pk).order_by("-onboarded_at")[:6]),
        "figures": network_figures(),
        "my_spaces": list(my_spaces.order_by("name")[:10]),
        "recent_threads": list(recent),
    }


# --- Spaces and threads -------------------------------------------------------------------


def spaces_for(user, *, phase=None, subject=None):
    """The space directory: what the viewer may see, theirs first, with thread counts."""
    spaces = Space.objects.visible_to(user).annotate(
        thread_count=Count("threads", filter=Q(threads__deleted_at__isnull=True), distinct=True),
        is_member=Exists(Membership.objects.active().filter(space=OuterRef("pk"), user=user)),
    )
    if phase:
        spaces = spaces.filter(phases=phase)
    if subject:
        spaces = spaces.filter(subjects=subject)
    return (
        spaces.select_related("school")
        .prefetch_related("phases", "subjects")
        .order_by("-is_member", "kind", "name")
    )


def threads_of(space, user):
    """A space's threads, pinned first then latest activity, with the viewer's unread count."""
    last_read = ReadState.objects.filter(thread=OuterRef("pk"), user=user).values(
        "last_read_number"
    )[:1]
    return (
        Thread.objects.visible_to(user)
        .filter(space=space)
        .select_related("author__profile")
        .annotate(last_read=Subquery(last_read))
        .annotate(unread=Greatest(F("post_count") - Coalesce(F("last_read"), Value(0)), Value(0)))
        .order_by(F("pinned_at").desc(nulls_last=True), "-last_activity_at", "-pk")
    )


def thread_page(thread, user, page_number):
    """One page of a thread: its posts with authors, quotes, reaction counts and the
    viewer's own reactions, in a fixed number of queries whatever the thread's size."""
    # Post numbers are gapless, so a page is a range of numbers: no COUNT, and no OFFSET
    # that would make the database walk every earlier post of a long thread.
    page = Paginator(range(1, thread.post_count + 1), POSTS_PER_PAGE).get_page(page_number)
    items = list(
        Post.objects.filter(thread=thread, number__range=(page.start_index(), page.end_index()))
        .select_related("author__profile__school", "quote_of__author__profile")
        .order_by("number")
    )
    with_reactions(items, user, thread=thread)
    return page, items


def with_reactions(posts: list, user, *, thread) -> list:
    """Give each post its reaction counts and the viewer's own, in two queries."""
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Reaction.objects.filter(post__in=posts).values("post_id", "kind").annotate(n=Count("pk"))
    ):
        counts.setdefault(row["post_id"], {})[row["kind"]] = row["n"]
    mine = set(Reaction.objects.filter(post__in=posts, user=user).values_list("post_id", "kind"))
    for post in posts:
        post.thread = thread  # the rules read post.thread.space: no query per post
        post.reaction_rows = [
            {
                "kind": kind,
                "label": label,
                "count": counts.get(post.pk, {}).get(kind, 0),
                "mine": (post.pk, kind) in mine,
            }
            for kind, label in Reaction.Kind.choices
        ]
    return posts


def with_chat_reactions(messages: list, user=None, *, in_room: bool = False) -> list:
    """Give each chat message its reaction counts (and, for a viewer, which are theirs
    and whether they may react), in one query, two with a viewer. `in_room` is
    rules.can_react_in_room's answer for the viewer, asked once for the page."""
    counts: dict[int, dict[str, int]] = {}
    rows = ChatReaction.objects.filter(message__in=messages).values("message_id", "kind")
    for row in rows.annotate(n=Count("pk")):
        counts.setdefault(row["message_id"], {})[row["kind"]] = row["n"]
    mine = set()
    if user is not None and counts:
        mine = set(
            ChatReaction.objects.filter(message__in=messages, user=user).values_list(
                "message_id", "kind"
            )
        )
    for message in messages:
        message.can_react = user is not None and rules.can_react_to_message(
            user, message, in_room=in_room
        )
        message.reaction_rows = [
            {
                "kind": kind,
                "label": label,
                "count": counts.get(message.pk, {}).get(kind, 0),
                "mine": (message.pk, kind) in mine,
            }
            for kind, label in Reaction.Kind.choices
        ]
    return messages


def answer_first_withheld(session, user, *, is_host: bool, now=None) -> set[int] | None:
    """Answer-first mode: the released questions whose answers this viewer does not see
    yet (they have not answered them), or None when they see everything (hosts, a
    session not in this mode, and everybody once it has ended). A nudge against
    anchoring, not secrecy: docs/sessions.md."""
    if not session.answer_first or is_host or session.state(now) == "ended":
        return None
    released = session.questions.exclude(released_at=None).values_list("pk", flat=True)
    answered = session.room.messages.filter(author=user, deleted_at=None, question__isnull=False)
    return set(released) - set(answered.values_list("question_id", flat=True))


def host_ids(session) -> set[int]:
    """The host's and co-hosts' ids (one query)."""
    return {session.host_id, *session.cohosts.values_list("pk", flat=True)}


def answer_first(session, user, *, is_host: bool) -> dict:
    """Answer-first mode: which questions' answers this viewer does not see yet
    (`withheld`, None: everything) and whose answers they see anyway (`shown`: the
    hosts'). The keyword arguments of queries.session_archive."""
    return {
        "withheld": answer_first_withheld(session, user, is_host=is_host),
        "shown": host_ids(session),
    }


def session_room(
    viewer, session, chat_messages, questions, is_host: bool, *, withheld, shown
) -> dict:
    """What a session adds to its room's page: the hosts' "Mute for this session" on
    participants' messages, the muted viewer's notice, and answer-first mode's answers
    collapsed into one line per question (chat.js keeps them so live). Two queries."""
    muted = set(session.mutes.values_list("user_id", flat=True))
    hidden: dict[int, list] = {}
    for message in chat_messages:
        if is_host and rules.can_mute_participant(
            viewer, session, message.author, runs_it=True, host_ids=shown
        ):
            message.mute_action = "unmute" if message.author_id in muted else "mute"
        message.collapsed = (
            withheld is not None
            and message.question_id in withheld
            and message.author_id not in shown
            and message.author_id != viewer.pk
            and not message.is_gone
        )
        if message.collapsed:
            hidden.setdefault(message.question_id, []).append(message)
    for answers in hidden.values():
        answers[0].collapse_count = len(answers)  # the line goes where the first one was
    released = [q for q in questions if q.released_at]
    answered = [q.number for q in released if withheld is not None and q.pk not in withheld]
    return {
        "muted": viewer.pk in muted,
        "answer_first": withheld is not None,
        "answered": answered,
        # For chat.js: the hosts' answers are never collapsed, and hosts are never muted.
        "host_names": (
            list(User.objects.filter(pk__in=shown).values_list("username", flat=True))
            if withheld is not None or is_host
            else []
        ),
    }


def _threaded(messages: list, key) -> list:
    """Messages with each reply right after its parent (replies to replies likewise);
    top-level ones, and replies whose parent is elsewhere, in `key` order."""
    here = {m.pk for m in messages}
    children: dict[int, list] = {}
    roots = []
    for message in messages:
        if message.reply_to_id in here:
            children.setdefault(message.reply_to_id, []).append(message)
        else:
            roots.append(message)
    ordered: list = []

    def visit(message):
        ordered.append(message)
        for child in sorted(children.get(message.pk, []), key=lambda m: (m.created_at, m.pk)):
            visit(child)

    for root in sorted(roots, key=key):
        visit(root)
    return ordered


_LINK = re.compile(r'<a href="(https?://[^"]+)"')


def session_archive(session, *, withheld: set[int] | None = None, shown=frozenset()) -> dict:
    """A session's transcript by question: each question with its answers (host
    highlights first), the messages that answered none, the links people shared, and
    how many took part. Four queries, whatever the size of the hour (the fourth: the
    reaction counts). Each reply sits right after its parent. `withheld` (answer-first
    mode: answer_first_withheld) names the questions whose answers are counted, not
    shown, except those by `shown` authors (the hosts)."""
    questions = list(
        session.questions.exclude(released_at=None).select_related("thread").order_by("number")
    )
    messages = list(
        session.room.messages.filter(deleted_at=None, hidden_at=None)
        .select_related("author__profile", "question", "reply_to__author__profile")
        .order_by("pk")
    )
    with_chat_reactions(messages)
    hidden = {
        m.pk for m in messages if m.question_id in (withheld or ()) and m.author_id not in shown
    }
    by_question: dict[int | None, list] = {}
    for message in messages:
        by_question.setdefault(message.question_id, []).append(message)
    shared = (url for m in messages if m.pk not in hidden for url in _LINK.findall(m.body_html))
    links = list(dict.fromkeys(shared))
    return {
        "groups": [
            {
                "question": q,
                "answers": _threaded(
                    [m for m in by_question.get(q.pk, []) if m.pk not in hidden],
                    key=lambda m: (m.pinned_at is None, m.created_at, m.pk),
                ),
                "withheld": sum(1 for m in by_question.get(q.pk, []) if m.pk in hidden),
            }
            for q in questions
        ],
        "other": by_question.get(None, []),
        "links": links,
        "people": len({m.author_id for m in messages}),
        "highlights": [m for m in messages if m.pinned_at],
    }


def archive_markdown(session, archive: dict, site: str = "") -> str:
    """The archive as a Markdown file (for a blog post, a school's CPD folder). `site`
    ("https://staffroom.example") makes the links to continued threads absolute."""

    def name(message):
        return message.author.profile.display_name or message.author.username

    lines = [f"# {session.title}", "", f"{session.began_at:%d %B %Y, %H:%M} UTC", ""]
    if session.intro:
        lines += [session.intro, ""]
    for group in archive["groups"]:
        lines += [f"## {group['question'].label}: {group['question'].body}", ""]
        if (thread := group["question"].thread) and thread.deleted_at is None:
            url = f"{site}{thread.get_absolute_url()}"
            lines += [f"The conversation continues in the thread [{thread.title}]({url}).", ""]
        here = {m.pk for m in group["answers"]}  # a reply is indented under its parent
        lines += [
            f"{'  ' if m.reply_to_id in here else ''}- **{name(m)}**"
            f"{' (highlighted)' if m.pinned_at else ''}: {m.body}"
            for m in group["answers"]
        ] or ([] if group.get("withheld") else ["No answers."])
        if withheld := group.get("withheld"):
            lines.append(f"{withheld} answer{'s' if withheld != 1 else ''}: answer it to see them.")
        lines.append("")
    if archive["other"]:
        lines += ["## Other messages", ""] + [
            f"- **{name(m)}**: {m.body}" for m in archive["other"]
        ]
        lines.append("")
    if archive["links"]:
        lines += ["## Links shared", ""] + [f"- <{url}>" for url in archive["links"]] + [""]
    lines.append(f"{archive['people']} people took part.")
    return "\n".join(lines) + "\n"
