"""Who may do what with the CPD record: `can_<verb>(user, obj) -> bool`, pure."""

from inquiry.models import RecordEntry
from inquiry.models.library import Module


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def can_add_entry(user) -> bool:
    """Anyone signed in keeps a record (a suspension from posting does not take it away)."""
    return _active(user)


def can_edit_entry(user, entry: RecordEntry) -> bool:
    """The owner only: the record is the teacher's."""
    return _active(user) and entry.user_id == user.pk


def can_delete_entry(user, entry: RecordEntry) -> bool:
    """The owner deletes what they added themselves. An entry Staffroom wrote (it has a
    `source`) is edited, not deleted: write_entries writes one entry per source, so a
    deleted one would come back the next time its source is recorded."""
    return can_edit_entry(user, entry) and not entry.source


def can_export_record(user) -> bool:
    """Anyone signed in exports their own record (and only theirs: visible_to)."""
    return _active(user)


# --- School priorities ------------------------------------------------------------------


def _led_school_ids(user) -> frozenset[int]:
    """The schools whose own space the viewer moderates now: one query per user object,
    kept on it (as community.rules.membership_in keeps memberships)."""
    cache = getattr(user, "_staffroom_led_schools", None)
    if cache is None:
        from community.models import Membership, Space

        cache = frozenset(
            Membership.objects.active()
            .filter(user=user, role=Membership.Role.MODERATOR, space__kind=Space.Kind.SCHOOL)
            .values_list("space__school_id", flat=True)
        )
        user._staffroom_led_schools = cache
    return cache


def can_lead_school(user, school) -> bool:
    """A school lead publishes its improvement priorities: network staff, or a moderator of
    the school's own space (a role in that space, never a global flag). Not while
    suspended."""
    return _leads(user, school.pk)


def _leads(user, school_id: int) -> bool:
    if not _active(user) or user.is_suspended():
        return False
    return user.is_staff or school_id in _led_school_ids(user)


def can_edit_priority(user, priority) -> bool:
    """The school's leads edit a priority, and archive it, while it is current."""
    return priority.archived_at is None and _leads(user, priority.school_id)


def can_link_priority(user, priority) -> bool:
    """A teacher links a cycle to a current priority of their own school."""
    school_id = getattr(getattr(user, "profile", None), "school_id", None)
    return _active(user) and priority.archived_at is None and priority.school_id == school_id


# --- Cycles -----------------------------------------------------------------------------
# Who *sees* a cycle is InquiryCycle.objects.visible_to (outside it: 404). These say what
# someone who sees it may do (visible but not allowed: 403). A cycle is its owner's: only
# they move it on, plan, add evidence, reflect, choose who sees it and share it. A
# suspension from posting does not take a teacher's own cycles away (sharing, which
# posts, is refused by community.rules.can_post).


def can_start_cycle(user) -> bool:
    return _active(user)


def can_edit_cycle(user, cycle) -> bool:
    """The owner, while the cycle is not done (a finished cycle is kept as it was)."""
    return _active(user) and cycle.owner_id == user.pk and cycle.stage != "done"


def can_edit_plan(user, cycle) -> bool:
    return can_edit_cycle(user, cycle) and cycle.stage in {"plan", "try"}


def can_add_evidence(user, cycle) -> bool:
    return can_edit_cycle(user, cycle) and cycle.stage in {"plan", "try", "reflect", "share"}


def can_delete_evidence(user, evidence) -> bool:
    return can_edit_cycle(user, evidence.cycle)


def can_reflect(user, cycle) -> bool:
    """In the reflect stage, and in the share stage until it is shared (the thread's
    opening post is the reflection as it was then)."""
    return can_edit_cycle(user, cycle) and (
        cycle.stage == "reflect" or (cycle.stage == "share" and cycle.thread_id is None)
    )


def can_set_cycle_visibility(user, cycle) -> bool:
    """The owner chooses who sees their cycle, finished or not."""
    return _active(user) and cycle.owner_id == user.pk


def can_share_cycle(user, cycle, space=None) -> bool:
    """In the share stage, once, into a space where the owner can post."""
    from community.rules import can_post

    if not can_edit_cycle(user, cycle) or cycle.stage != "share" or cycle.thread_id:
        return False
    return space is None or can_post(user, space)


def can_give_feedback(user, cycle) -> bool:
    """Someone else who can reply in the cycle's thread (the caller has checked that they
    see the cycle); the owner answers in the thread itself."""
    from community.rules import can_reply

    if not _active(user) or cycle.owner_id == user.pk or cycle.thread_id is None:
        return False
    return can_reply(user, cycle.thread)


def can_start_next_cycle(user, cycle) -> bool:
    return _active(user) and cycle.owner_id == user.pk and cycle.stage == "done"


# --- Library ------------------------------------------------------------------------------
# Modules are read through Module.objects.visible_to (published for everyone signed in,
# drafts for their author, everything for staff); these say what a viewer may do there.


def _can_write_library(user) -> bool:
    return _active(user) and not user.is_suspended()


def can_draft_module(user) -> bool:
    """Any teacher whose account is not suspended drafts modules."""
    return _can_write_library(user)


def can_edit_module(user, module) -> bool:
    """The author, until it is published; staff, always (they review and correct)."""
    if not _can_write_library(user):
        return False
    if user.is_staff:
        return True
    return module.author_id == user.pk and module.status != Module.Status.PUBLISHED


def can_submit_module(user, module) -> bool:
    """The author sends their draft for review."""
    return (
        _can_write_library(user)
        and module.author_id == user.pk
        and module.status == Module.Status.DRAFT
    )


def can_review_modules(user) -> bool:
    """Network staff keep the review queue."""
    return _can_write_library(user) and user.is_staff


def can_publish_module(user, module) -> bool:
    """Staff publish, or send back, a module that is waiting for review."""
    return can_review_modules(user) and module.status == Module.Status.IN_REVIEW


def can_take_module(user, module) -> bool:
    """Start and complete a published module: learning, not posting, so a suspension from
    posting does not stop it (the minutes go to the teacher's own record)."""
    return _active(user) and module.status == Module.Status.PUBLISHED
