"""Who may do what with the CPD record: `can_<verb>(user, obj) -> bool`, pure."""

from community.models import Membership, Space
from community.rules import can_post, can_reply
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
    if not can_edit_cycle(user, cycle) or cycle.stage != "share" or cycle.thread_id:
        return False
    return space is None or can_post(user, space)


def can_give_feedback(user, cycle) -> bool:
    """Someone else who can reply in the cycle's thread (the caller has checked that they
    see the cycle); the owner answers in the thread itself."""
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


# --- Courses ------------------------------------------------------------------------------
# Courses are read through Course.objects.visible_to (published for every signed-in
# teacher; drafts for their authors and staff; a cohort's course for its people): outside
# it, 404. A course's authors (its facilitators, added by staff) and staff write it.
# "Has it cohorts?" is one query: queries_courses annotates `cohort_count` on the pages
# that ask, and the rule reads it when it is there.


def can_create_course(user) -> bool:
    """Network staff create courses (and name their authors)."""
    return _active(user) and user.is_staff and not user.is_suspended()


def can_manage_course_authors(user, course) -> bool:
    return can_create_course(user)


def can_edit_course(user, course) -> bool:
    """The course's authors and staff edit its title, summary, outcomes and units."""
    if not _active(user) or user.is_suspended():
        return False
    return user.is_staff or user.pk in course_author_ids(course)


def course_author_ids(course) -> frozenset[int]:
    """The authors' ids: one query per course object, kept on it (or none, when the page
    prefetched `authors`)."""
    cache = getattr(course, "_staffroom_author_ids", None)
    if cache is None:
        cache = frozenset(author.pk for author in course.authors.all())
        course._staffroom_author_ids = cache
    return cache


def course_has_cohorts(course) -> bool:
    count = getattr(course, "cohort_count", None)
    return course.cohorts.exists() if count is None else count > 0


def can_change_units(user, course) -> bool:
    """Add, edit, reorder and delete units (and their pre-learning) only while no cohort has
    been started from the course: a running cohort's units, dates, register and progress
    must not change under it."""
    return can_edit_course(user, course) and not course_has_cohorts(course)


def can_publish_course(user, course) -> bool:
    """An author or staff publishes a draft (the service checks it has units)."""
    return can_edit_course(user, course) and course.published_at is None


def can_start_cohort(user, course) -> bool:
    """An author or staff starts a cohort from a published course."""
    return course.published_at is not None and can_edit_course(user, course)


# --- Facilitation -------------------------------------------------------------------------
# A cohort is read through Cohort.objects.visible_to (outside it: 404). Its facilitators
# and staff keep its register, see its dashboard and nudge its members; its members see
# the cohort but not those pages (403).


def cohort_facilitator_ids(cohort) -> frozenset[int]:
    """The facilitators' ids: one query per cohort object, kept on it (none when the page
    prefetched `facilitators`)."""
    cache = getattr(cohort, "_staffroom_facilitator_ids", None)
    if cache is None:
        cache = frozenset(user.pk for user in cohort.facilitators.all())
        cohort._staffroom_facilitator_ids = cache
    return cache


def can_facilitate(user, cohort) -> bool:
    """One of the cohort's facilitators, or network staff: the dashboard, the register,
    nudges and the CSV. Not a posting right, so a suspension does not take it away."""
    return _active(user) and (user.is_staff or user.pk in cohort_facilitator_ids(cohort))


# --- Cohorts ------------------------------------------------------------------------------
# Joining goes by invite code (a cohort is invisible to anyone else: 404). Its facilitators
# and staff add and remove members, change the invite code and move the unit dates; its
# members work through the units as they open.


def cohort_member_ids(cohort) -> frozenset[int]:
    """The ids of the cohort's members now (not removed): one query per cohort object, kept
    on it."""
    cache = getattr(cohort, "_staffroom_member_ids", None)
    if cache is None:
        cache = frozenset(
            cohort.members.filter(removed_at__isnull=True).values_list("user_id", flat=True)
        )
        cohort._staffroom_member_ids = cache
    return cache


def is_cohort_member(user, cohort) -> bool:
    return _active(user) and user.pk in cohort_member_ids(cohort)


def can_join_cohort(user, cohort) -> bool:
    """Anyone signed in with the code, except the cohort's own facilitators (they run it)
    and its members (they are in). Capacity and expiry are the service's to check: they
    need the locked row."""
    return (
        _active(user)
        and user.pk not in cohort_facilitator_ids(cohort)
        and not is_cohort_member(user, cohort)
    )


def can_manage_cohort(user, cohort) -> bool:
    """Add and remove members, change the invite code, move the unit dates: the cohort's
    facilitators and staff, while not suspended (adding people is a write others see)."""
    return can_facilitate(user, cohort) and not user.is_suspended()


def can_start_unit_task(user, cohort, unit_progress) -> bool:
    """A member starts a unit's classroom task once the unit is open (the progress says)."""
    return is_cohort_member(user, cohort) and bool(unit_progress.unit.task) and unit_progress.open


# --- Credentials --------------------------------------------------------------------------
# A credential's page is read through Credential.objects.visible_to (public unless its
# holder hid it; outside it: 404). The holder hides and shows it; the cohort's facilitators
# and staff revoke it, once, with a reason.


def can_hide_credential(user, credential) -> bool:
    """The holder chooses whether the public sees it (a revoked one too)."""
    return _active(user) and credential.user_id == user.pk


def can_revoke_credential(user, credential) -> bool:
    return credential.revoked_at is None and can_facilitate(user, credential.cohort)
