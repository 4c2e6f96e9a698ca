"""The teacher's data: asking for an export, building it in the background, deleting it
when it expires, and erasing an account. The sections (what each app holds about a
person) come from the registry in community/personal_data.py."""

import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from community import personal_data, rules
from community.models import DataExport, ModerationAction, Notification, User
from community.models.data import EXPORT_KEEP_DAYS
from community.services.audit import log_action
from community.services.notifications import notify

log = logging.getLogger(__name__)


# --- Export -------------------------------------------------------------------------------


@transaction.atomic
def request_export(*, actor: User, user: User) -> DataExport:
    """Queue an export of everything Staffroom holds about `user`, for `actor` (the teacher,
    or staff acting on a request made outside Staffroom: audited). One at a time; asking
    again replaces the earlier one (its file is deleted)."""
    if not rules.can_export_data(actor, user):
        raise PermissionDenied("You can export only your own data.")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
    earlier = DataExport.objects.filter(requested_by=actor, user=user)
    latest = earlier.first()
    if latest is not None and latest.in_progress:
        raise ValidationError("An export is already on its way: you will be told when it's ready.")
    personal_data.delete_on_commit(export.file for export in earlier)
    earlier.delete()
    export = DataExport.objects.create(user=user, requested_by=actor)
    if actor.pk != user.pk:
        log_action(
            actor=actor,
            action=ModerationAction.Action.EXPORT_ACCOUNT,
            target_user=user,
            reason="Exported their data for them, at a request made outside Staffroom",
        )
    transaction.on_commit(partial(build_export_task.enqueue, export.pk))
    return export


def build_export(export_id: int) -> DataExport | None:
    """Build the zip (one JSON file per section, the files, a README.txt), store it under
    a random name and tell whoever asked. Claimed first, so two workers never build one
    export twice. Progress is written as it goes, for the page."""
    claimed = DataExport.objects.filter(pk=export_id, started_at=None, failed_at=None).update(
        started_at=timezone.now(), step="Starting"
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("user", "requested_by").get(pk=export_id)
    name = ""
    try:
        with tempfile.TemporaryFile() as archive:
            _write_archive(export, archive)
            size = archive.tell()
            archive.seek(0)
            name = _storage().save(f"exports/{secrets.token_urlsafe(24)}.zip", File(archive))
        _finish(export, name, size)
    except Exception:
        log.exception("Data export %s could not be built", export_id)
        if name:
            _storage().delete(name)
        _fail(export)
        raise
    return export


def _storage():
    return DataExport._meta.get_field("file").storage


def _progress(export: DataExport, step: str, percent: int) -> None:
    # Committed at once (no transaction around the build): the page shows it on reload.
    DataExport.objects.filter(pk=export.pk).update(step=step[:120], percent=percent)


def _write_archive(export: DataExport, out) -> None:
    sections = personal_data.sections()
    missing: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, section in enumerate(sections):
            _progress(export, f"Collecting {section.title.lower()}", index * 100 // len(sections))
            data, files = section.export(export.user)
            text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            archive.writestr(f"{section.name}.json", text + "\n")
            for path, stored in files:
                try:
                    with stored.open("rb") as source, archive.open(path, "w") as target:
                        shutil.copyfileobj(source, target)
                except FileNotFoundError:
                    missing.append(path)
        readme = render_to_string(
            "community/data/export_readme.txt",
            {"export": export, "sections": sections, "missing": missing, "site": settings.SITE_URL},
        )
        archive.writestr("README.txt", readme)


def _requester_link(export: DataExport) -> str:
    if export.requested_by_id == export.user_id:
        return reverse("community:data")
    return reverse("community:staff-data") + f"?q={export.user.username}"


@transaction.atomic
def _finish(export: DataExport, name: str, size: int) -> None:
    now = timezone.now()
    expires_at = now + timedelta(days=EXPORT_KEEP_DAYS)
    done = DataExport.objects.filter(pk=export.pk).update(
        file=name, size=size, finished_at=now, expires_at=expires_at, percent=100, step=""
    )
    if not done:  # the account was erased while it was being built
        transaction.on_commit(lambda: _storage().delete(name))
        return
    own = export.requested_by_id == export.user_id
    notify(
        users=[export.requested_by],
        kind=Notification.Kind.ACCOUNT,
        text=f"Your data export is ready to download for {EXPORT_KEEP_DAYS} days."
        if own
        else f"The data export of @{export.user.username} is ready to download "
        f"for {EXPORT_KEEP_DAYS} days.",
        link=_requester_link(export),
    )
    later = delete_export_file_task.using(run_after=expires_at)
    transaction.on_commit(partial(later.enqueue, export.pk))


@transaction.atomic
def _fail(export: DataExport) -> None:
    done = DataExport.objects.filter(pk=export.pk).update(failed_at=timezone.now())
    if done:
        notify(
            users=[export.requested_by],
            kind=Notification.Kind.ACCOUNT,
            text="Your data export could not be built. Please ask for it again.",
            link=_requester_link(export),
        )


def delete_export_file(export_id: int) -> bool:
    """The export has expired: its file leaves storage (the row stays, as "expired")."""
    export = DataExport.objects.filter(pk=export_id).exclude(file="").first()
    if export is None or export.expires_at > timezone.now():
        return False
    export.file.delete(save=False)
    DataExport.objects.filter(pk=export_id).update(file="")
    return True


# The background tasks (django-tasks, queued in the database, run by `manage.py db_worker`):
# thin doors into the two functions above.


@task()
def build_export_task(export_id: int) -> None:
    build_export(export_id)


@task()
def delete_export_file_task(export_id: int) -> None:
    """Enqueued to run when the export expires (run_after)."""
    delete_export_file(export_id)


# --- Erasure ------------------------------------------------------------------------------


@transaction.atomic
def erase_account(*, actor: User, user: User, keep_shared: bool = True) -> dict[str, int]:
    """Erase what Staffroom holds about `user`, section by section, at their request (made
    here, or to staff outside Staffroom). Private things go, files included (on commit).
    Posts and chat messages in shared discussions stay, attributed to a former member,
    unless `keep_shared` is False: then their text goes too. The account row stays,
    anonymised and unable to log in; every session ends. Audited, counts only."""
    if not rules.can_erase_account(actor, user):
        raise PermissionDenied("You can erase only your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        raise ValidationError("This account has already been erased.")
    by_staff = actor.pk != user.pk
    counts: dict[str, int] = {}
    for section in personal_data.sections():
        for what, number in section.erase(user, keep_shared=keep_shared).items():
            counts[what] = counts.get(what, 0) + number
    exports = DataExport.objects.filter(Q(user=user) | Q(requested_by=user))
    personal_data.delete_on_commit(export.file for export in exports)
    counts["data exports"] = exports.delete()[0]
    counts["login sessions ended"] = _end_sessions(user)
    who = "by staff, at a request made outside Staffroom" if by_staff else "by its owner"
    posts = "kept as a former member's" if keep_shared else "deleted"
    summary = ", ".join(f"{number} {what}" for what, number in counts.items() if number)
    log_action(
        actor=actor,
        action=ModerationAction.Action.ERASE_ACCOUNT,
        target_user=user,
        reason=f"Erased {who}; shared posts {posts}. {summary or 'Nothing else held'}.",
    )
    return counts


def _end_sessions(user: User) -> int:
    """Logged out everywhere. The unusable password already fails every session's check;
    with database sessions (the default) the rows go as well."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    return Session.objects.filter(pk__in=theirs).delete()[0]
