"""Who may do what with the CPD record: `can_<verb>(user, obj) -> bool`, pure."""

from inquiry.models import RecordEntry


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def can_add_entry(user) -> bool:
    """Anyone signed in keeps a record (a suspension from posting does not take it away)."""
    return _active(user)


def can_edit_entry(user, entry: RecordEntry) -> bool:
    """The owner only: the record is the teacher's."""
    return _active(user) and entry.user_id == user.pk
