"""The community app's tables, one module per topic."""

from community.models.accounts import (  # noqa: F401
    USERNAME_PATTERN,
    Phase,
    Profile,
    School,
    Subject,
    User,
    timezone_names,
    username_validator,
    validate_timezone,
)
from community.models.chat import ChatMessage, ChatReaction, ChatRoom  # noqa: F401
from community.models.data import DataExport  # noqa: F401
from community.models.forum import (  # noqa: F401
    Follow,
    Membership,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Space,
    Tag,
    Thread,
)
from community.models.moderation import ModerationAction, Report  # noqa: F401
from community.models.notifications import Notification, NotificationSettings  # noqa: F401
from community.models.sessions import (  # noqa: F401
    ChatSession,
    SessionAttendance,
    SessionMute,
    SessionQuestion,
    SessionRSVP,
    SessionSeries,
)
