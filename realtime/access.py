"""Access taken away is taken away from open sockets too.

A service that may take access away (a member removed, an account suspended or erased,
a thread hidden, a password changed, a logout) calls `changed()` in its transaction. That
appends an event to the `access` stream: committed with the change, then published like
any other, and read from the log by every process's hub even if the fast path dropped it
(the hub's head check). Each hub asks the connections concerned to check again: one whose
session is no longer valid closes (4401); one that may no longer read a stream loses it
(a `revoked` frame). Nobody subscribes to `access` from outside: it is no client's stream
name (`streams.storage_key`).
"""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save

from realtime.streams import append

STREAM = "access"


def changed(*, users=(), streams=(), sessions=()) -> None:
    """Ask every process to re-check these people's sockets and these streams' readers,
    and to close the sockets of these (ended) sessions, after the caller's transaction
    commits (nothing if it rolls back)."""
    users, names = sorted({int(pk) for pk in users}), sorted(set(streams))
    ended = sorted({session_hash(key) for key in sessions if key})
    if not users and not names and not ended:
        return
    data = {"users": users, "streams": names, "sessions": ended}
    with transaction.atomic():
        append(stream=STREAM, kind="access.changed", data=data)


def session_hash(key: str) -> str:
    """How the log names a session: never its key, which would sign anyone in."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _logged_out(sender, request, user, **kwargs) -> None:
    # The session is flushed only after this signal: name it, so that its sockets close
    # whether or not a process looks before the row is gone.
    key = getattr(getattr(request, "session", None), "session_key", None)
    changed(users=[user.pk] if user else (), sessions=[key])


def _account_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    # A new password (every other session ends), a deactivation; not a login's last_login.
    if not created and (update_fields is None or {"password", "is_active"} & set(update_fields)):
        changed(users=[instance.pk])


def connect_signals() -> None:
    """Called by realtime's AppConfig.ready()."""
    user_logged_out.connect(_logged_out, dispatch_uid="realtime.access.logout")
    post_save.connect(_account_saved, sender=get_user_model(), dispatch_uid="realtime.access.user")
