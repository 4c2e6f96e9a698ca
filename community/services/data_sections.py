"""Community's sections of the teacher's data (community/personal_data.py): what each
holds about a person, exported as JSON and erased. Registered in CommunityConfig.ready().

Erased in this order: the account and the profile first, so that everything re-rendered
afterwards (chat messages kept in the stream log) shows "a former member"."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Exists, OuterRef
from django.utils import timezone

from community.models import (
    ChatMessage,
    ChatReaction,
    Follow,
    Membership,
    Notification,
    NotificationSettings,
    Post,
    PostRevision,
    Profile,
    Reaction,
    ReadState,
    Report,
    SessionAttendance,
    SessionMute,
    SessionRSVP,
    Thread,
    User,
)
from community.personal_data import FORMER_MEMBER, register
from community.services.chat import refresh_logged
from community.services.forum import announce_post
from community.services.notifications import SETTINGS_FIELDS
from realtime.models import Presence, StreamEvent


def _url(obj_or_path) -> str:
    path = obj_or_path if isinstance(obj_or_path, str) else obj_or_path.get_absolute_url()
    return f"{settings.SITE_URL}{path}"


# --- The account ------------------------------------------------------------------------


def export_account(user: User):
    notification_settings = NotificationSettings.objects.filter(user=user).first()
    return {
        "handle": user.username,
        "email": user.email,
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "joined": user.date_joined,
        "last_login": user.last_login,
        "network_staff": user.is_staff,
        "suspended_until": user.suspended_until,
        "notification_settings": {
            name: getattr(notification_settings, name) for name in SETTINGS_FIELDS
        }
        if notification_settings
        else None,
    }, []


def erase_account(user: User, *, keep_shared: bool):
    """The row stays (posts, messages, the audit log and sessions they hosted point at
    it), with nothing left that names the person, and it can never log in again."""
    emails = EmailAddress.objects.filter(user=user).delete()[0]
    NotificationSettings.objects.filter(user=user).delete()
    user.username = f"former-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.password = make_password(None)  # unusable: every session's hash stops matching
    user.is_active = user.is_staff = user.is_superuser = False
    user.suspended_until = user.last_login = None
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return {"email addresses": emails}


# --- The profile ------------------------------------------------------------------------


def export_profile(user: User):
    profile = (
        Profile.objects.filter(user=user)
        .select_related("school")
        .prefetch_related("phases", "subjects")
        .first()
    )
    if profile is None:
        return None, []
    school = profile.school
    return {
        "display_name": profile.display_name,
        "school": {"name": school.name, "town": school.town, "country": school.country.code}
        if school
        else None,
        "career_stage": profile.get_career_stage_display(),
        "phases": [phase.name for phase in profile.phases.all()],
        "subjects": [subject.name for subject in profile.subjects.all()],
        "timezone": profile.timezone,
        "bio": profile.bio,
        "onboarded_at": profile.onboarded_at,
        "updated_at": profile.updated_at,
    }, []


def erase_profile(user: User, *, keep_shared: bool):
    """Kept as "a former member" (every page that shows an author reads the profile);
    their name also leaves the notifications it appears in ("Amira replied in …")."""
    profile = Profile.objects.filter(user=user).first()
    old_name = profile.display_name if profile else ""
    profile, _ = Profile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": FORMER_MEMBER,
            "school": None,
            "career_stage": "",
            "timezone": "UTC",
            "bio": "",
            "bio_html": "",
        },
    )
    profile.phases.clear()
    profile.subjects.clear()
    if old_name:
        written = list(Notification.objects.filter(actor=user, text__contains=old_name))
        for notification in written:
            notification.text = notification.text.replace(old_name, FORMER_MEMBER)
        Notification.objects.bulk_update(written, ["text"], batch_size=500)
    return {"profile": 1}


# --- Posts and threads ------------------------------------------------------------------


def export_posts(user: User):
    threads = Thread.objects.filter(author=user).select_related("space").order_by("created_at")
    posts = Post.objects.filter(author=user).select_related("thread__space").order_by("pk")
    reports = Report.objects.filter(reporter=user).select_related("post").order_by("pk")
    return {
        "threads_started": [
            {
                "title": thread.title,
                "space": thread.space.name,
                "url": _url(thread),
                "created_at": thread.created_at,
                "deleted": thread.deleted_at is not None,
            }
            for thread in threads
        ],
        "posts": [
            {
                "thread": post.thread.title,
                "space": post.thread.space.name,
                "number": post.number,
                "url": _url(post),
                "created_at": post.created_at,
                "edited_at": post.edited_at,
                "deleted": post.deleted_at is not None,
                "hidden_by_a_moderator": post.hidden_at is not None,
                # A deleted post's words are gone for everyone, the export included.
                "text": None if post.deleted_at else post.body,
            }
            for post in posts
        ],
        "reports_made": [
            {
                "post": _url(report.post),
                "reason": report.get_reason_display(),
                "note": report.note,
                "created_at": report.created_at,
                "resolved": report.resolution or None,
            }
            for report in reports
        ],
    }, []


def erase_posts(user: User, *, keep_shared: bool):
    """Kept (attributed to a former member) unless the teacher asked for them to go:
    then each loses its text and earlier versions, like a post its author deleted. A
    thread keeps its place while others' replies are in it; one with nobody else's
    posts goes too."""
    Post.mentions.through.objects.filter(user=user).delete()
    mine = Post.objects.filter(author=user)
    if keep_shared:
        return {"posts kept as a former member's": mine.filter(deleted_at=None).count()}

    now = timezone.now()
    posts = list(mine.filter(deleted_at=None).only("pk", "thread_id", "number"))
    mine.filter(deleted_at=None).update(deleted_at=now, body="", body_html="")
    PostRevision.objects.filter(post__author=user).delete()
    others = Post.objects.filter(thread=OuterRef("pk")).exclude(author=user)
    threads = Thread.objects.filter(author=user, deleted_at=None).exclude(Exists(others))
    threads.update(deleted_at=now, title="Deleted thread")
    for post in posts:
        announce_post(post, "post.deleted")
    return {"posts deleted": len(posts)}


# --- Chat messages ----------------------------------------------------------------------


def export_chat(user: User):
    messages = ChatMessage.objects.filter(author=user).select_related(
        "room__space", "room__session", "question"
    )
    return [
        {
            "room": message.room.space.name
            if message.room.space_id
            else message.room.session.title,
            "url": _url(message.room),
            "created_at": message.created_at,
            "edited_at": message.edited_at,
            "deleted": message.deleted_at is not None,
            "hidden_by_a_moderator": message.hidden_at is not None,
            "answers": message.question.label if message.question_id else None,
            # The current text only: a deleted message has none.
            "text": None if message.deleted_at else message.body,
        }
        for message in messages.order_by("pk")
    ], []


def erase_chat(user: User, *, keep_shared: bool):
    """Like posts: kept as a former member's, or emptied as if deleted. Either way the
    room's stream log is re-rendered from the messages as they are now (the name, and
    the text if it went), so a replay never serves the old words or the old name."""

    messages = ChatMessage.objects.filter(author=user)
    counts = {"chat messages kept as a former member's": messages.count()}
    if not keep_shared:
        deleted = messages.filter(deleted_at=None).update(
            deleted_at=timezone.now(), body="", body_html=""
        )
        counts = {"chat messages deleted": deleted}
    refresh_logged(list(messages.select_related("room")))
    return counts


# --- Reactions, follows, notifications ----------------------------------------------------


def export_reactions(user: User):
    posts = Reaction.objects.filter(user=user).select_related("post")
    chat = ChatReaction.objects.filter(user=user).select_related("message__room")
    return {
        "to_posts": [
            {"post": _url(r.post), "reaction": r.get_kind_display(), "at": r.created_at}
            for r in posts.order_by("pk")
        ],
        "to_chat_messages": [
            {"room": _url(r.message.room), "reaction": r.get_kind_display(), "at": r.created_at}
            for r in chat.order_by("pk")
        ],
    }, []


def erase_reactions(user: User, *, keep_shared: bool):

    reacted = list(ChatMessage.objects.filter(reactions__user=user).distinct())
    counts = {
        "reactions": Reaction.objects.filter(user=user).delete()[0]
        + ChatReaction.objects.filter(user=user).delete()[0]
    }
    refresh_logged(reacted)  # their counts, as logged, without these
    return counts


def export_follows(user: User):
    follows = Follow.objects.filter(user=user).select_related("thread")
    return [
        {"thread": f.thread.title, "url": _url(f.thread), "since": f.created_at}
        for f in follows.order_by("pk")
    ], []


def erase_follows(user: User, *, keep_shared: bool):
    ReadState.objects.filter(user=user).delete()
    return {"follows": Follow.objects.filter(user=user).delete()[0]}


def export_notifications(user: User):
    notifications = Notification.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "kind": n.get_kind_display(),
            "text": n.text,
            "link": _url(n.link) if n.link.startswith("/") else None,
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in notifications
    ], []


def erase_notifications(user: User, *, keep_shared: bool):
    # Their personal stream's log repeats each notification's text.
    StreamEvent.objects.filter(stream=f"user:{user.pk}").delete()
    return {"notifications": Notification.objects.filter(user=user).delete()[0]}


# --- Sessions and memberships -------------------------------------------------------------


def export_sessions(user: User):
    rsvps = SessionRSVP.objects.filter(user=user).select_related("session")
    attended = SessionAttendance.objects.filter(user=user).select_related("session")
    hosted = user.hosted_sessions.all()
    return {
        "going": [
            {"session": r.session.title, "url": _url(r.session), "since": r.created_at}
            for r in rsvps.order_by("pk")
        ],
        "attended": [
            {
                "session": a.session.title,
                "url": _url(a.session),
                "first_joined_at": a.first_joined_at,
                "minutes_present": a.seconds // 60,
            }
            for a in attended.order_by("pk")
        ],
        "hosted": [
            {"session": s.title, "url": _url(s), "starts_at": s.starts_at}
            for s in hosted.order_by("starts_at")
        ],
        "cohosted": [
            {"session": s.title, "url": _url(s), "starts_at": s.starts_at}
            for s in user.cohosted_sessions.order_by("starts_at")
        ],
    }, []


def erase_sessions(user: User, *, keep_shared: bool):
    """Going, attendance (the minutes in their CPD record go with the record) and
    presence. Sessions they hosted stay, for their audiences, hosted by a former member."""
    user.cohosted_sessions.clear()
    SessionMute.objects.filter(user=user).delete()
    Presence.objects.filter(user=user).delete()
    return {
        "sessions going to": SessionRSVP.objects.filter(user=user).delete()[0],
        "session attendance": SessionAttendance.objects.filter(user=user).delete()[0],
    }


def export_memberships(user: User):
    memberships = Membership.objects.filter(user=user).select_related("space")
    return [
        {
            "space": m.space.name,
            "url": _url(m.space),
            "kind": m.space.get_kind_display(),
            "role": m.get_role_display(),
            "joined_at": m.joined_at,
            "muted_until": m.muted_until,
            "removed_until": m.removed_until,
        }
        for m in memberships.order_by("joined_at", "pk")
    ], []


def erase_memberships(user: User, *, keep_shared: bool):
    return {"memberships": Membership.objects.filter(user=user).delete()[0]}


def register_sections() -> None:
    sections = [
        ("account", "Your account", "Your handle, email addresses, when you joined, and "
         "your notification settings.", export_account, erase_account),
        ("profile", "Your profile", "Your name, school, career stage, phases, subjects, "
         "time zone and bio, as colleagues see them.", export_profile, erase_profile),
        ("posts", "Your posts", "Every post you wrote and every thread you started in the "
         "spaces, with the text as it is now (a post you deleted has none), and the "
         "reports you made.", export_posts, erase_posts),
        ("chat_messages", "Your chat messages", "Every message you sent in chat rooms and "
         "live sessions, with its current text (a message you deleted has none).",
         export_chat, erase_chat),
        ("reactions", "Your reactions", "Your reactions to posts and chat messages.",
         export_reactions, erase_reactions),
        ("follows", "Threads you follow", "The threads you follow.", export_follows,
         erase_follows),
        ("notifications", "Your notifications", "What Staffroom told you, and when you "
         "read it.", export_notifications, erase_notifications),
        ("sessions", "Live sessions", "The live sessions you said you would go to, the "
         "minutes you were present, and those you hosted.", export_sessions, erase_sessions),
        ("memberships", "Your spaces", "The spaces you belong to, with your role in each.",
         export_memberships, erase_memberships),
    ]  # fmt: skip
    for name, title, description, export, erase in sections:
        register(name=name, title=title, description=description, export=export, erase=erase)
