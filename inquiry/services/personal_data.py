"""Inquiry's sections of the teacher's data (community/personal_data.py): inquiry cycles
with their evidence files and reflections, feedback given, the CPD record, the library,
courses and cohorts, credentials. Registered in InquiryConfig.ready()."""

from django.conf import settings
from django.utils import timezone

from community.personal_data import archive_name, delete_on_commit, register
from inquiry import credentials as documents
from inquiry.models import (
    Attendance,
    CohortMember,
    Credential,
    Evidence,
    Feedback,
    InquiryCycle,
    Module,
    ModuleCompletion,
    ModuleResource,
    RecordEntry,
    RecordTag,
    UnitModule,
)
from inquiry.models.cycles import REFLECTION_PROMPTS


def _url(obj_or_path) -> str | None:
    if not obj_or_path:
        return None
    path = obj_or_path if isinstance(obj_or_path, str) else obj_or_path.get_absolute_url()
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


# --- Inquiry cycles -----------------------------------------------------------------------


def export_cycles(user):
    cycles = (
        InquiryCycle.objects.filter(owner=user)
        .select_related("module", "priority", "school", "space", "cohort_unit__unit", "thread")
        .prefetch_related("evidence")
        .order_by("created_at", "pk")
    )
    data, files = [], []
    for cycle in cycles:
        evidence = []
        for item in cycle.evidence.all():
            entry = {
                "kind": item.get_kind_display(),
                "note": item.note,
                "added_at": item.created_at,
            }
            if item.file:
                name = item.original_name or item.file.name
                path = "files/evidence/" + archive_name(cycle.pk, f"{item.pk}-{name}")
                entry.update(file=path, content_type=item.content_type)
                files.append((path, item.file))
            evidence.append(entry)
        data.append(
            {
                "focus_question": cycle.focus_question,
                "url": _url(cycle),
                "stage": cycle.get_stage_display(),
                "who_sees_it": cycle.get_visibility_display(),
                "school": cycle.school.name if cycle.school else None,
                "space": cycle.space.name if cycle.space else None,
                "module": cycle.module.title if cycle.module else None,
                "school_priority": cycle.priority.title if cycle.priority else None,
                "course_unit": str(cycle.cohort_unit.unit) if cycle.cohort_unit else None,
                "trial_plan": {
                    "class": cycle.trial_class,
                    "date": cycle.trial_date,
                    "what_I_will_try": cycle.trial_what,
                    "what_I_will_look_for": cycle.trial_look_for,
                },
                "reflection": {
                    prompt: getattr(cycle, field) for field, prompt in REFLECTION_PROMPTS.items()
                },
                "shared_at": cycle.shared_at,
                "discussion": _url(cycle.thread),
                "created_at": cycle.created_at,
                "updated_at": cycle.updated_at,
                "evidence": evidence,
            }
        )
    return data, files


def erase_cycles(user, *, keep_shared: bool):
    """Private work, shared or not: the cycles, their evidence and its files. A shared
    reflection's discussion post is community's (posts: kept or deleted as asked)."""
    files = delete_on_commit(
        item.file for item in Evidence.objects.filter(cycle__owner=user).exclude(file="")
    )
    cycles = InquiryCycle.objects.filter(owner=user)
    count = cycles.count()
    cycles.delete()
    return {"inquiry cycles": count, "evidence files": files}


def export_feedback(user):
    given = Feedback.objects.filter(author=user).select_related("cycle", "post")
    return [
        {
            "on": _url(item.cycle),  # the cycle is its owner's: its address, not its words
            "what_worked": item.warm,
            "a_question_or_suggestion": item.cool,
            "given_at": item.created_at,
            "post": _url(item.post),
        }
        for item in given.order_by("created_at", "pk")
    ], []


def erase_feedback(user, *, keep_shared: bool):
    """Feedback is given in a colleague's discussion: shared, like posts."""
    given = Feedback.objects.filter(author=user)
    if keep_shared:
        return {"feedback kept as a former member's": given.count()}
    return {"feedback deleted": given.delete()[0]}


# --- The CPD record -----------------------------------------------------------------------


def export_record(user):
    entries = RecordEntry.objects.filter(user=user).prefetch_related("tags")
    return {
        "entries": [
            {
                "occurred_at": entry.occurred_at,
                "kind": entry.get_kind_display(),
                "title": entry.title,
                "minutes": entry.minutes,
                "details": entry.details,
                "notes": entry.notes,
                "evidence": _url(entry.url),
                "tags": [tag.name for tag in entry.tags.all()],
            }
            for entry in entries.order_by("occurred_at", "pk")
        ],
        "tags": list(RecordTag.objects.filter(user=user).values_list("name", flat=True)),
    }, []


def erase_record(user, *, keep_shared: bool):
    RecordTag.objects.filter(user=user).delete()
    return {"record entries": RecordEntry.objects.filter(user=user).delete()[0]}


# --- The library --------------------------------------------------------------------------


def export_library(user):
    modules = Module.objects.filter(author=user).order_by("created_at", "pk")
    uploaded = ModuleResource.objects.filter(uploaded_by=user).select_related("module")
    completions = ModuleCompletion.objects.filter(user=user).select_related("module")
    resources, files = [], []
    for resource in uploaded.order_by("pk"):
        name = f"{resource.pk}-{resource.original_name or resource.file.name}"
        path = "files/resources/" + archive_name(resource.module.slug, name)
        files.append((path, resource.file))
        resources.append(
            {
                "module": resource.module.title,
                "title": resource.title,
                "kind": resource.get_kind_display(),
                "file": path,
                "uploaded_at": resource.created_at,
            }
        )
    return {
        "modules_written": [
            {
                "title": module.title,
                "url": _url(module),
                "status": module.get_status_display(),
                "summary": module.summary,
                "body": module.body,
                "try_this_in_class": module.try_prompt,
                "minutes": module.minutes,
                "created_at": module.created_at,
                "published_at": module.published_at,
            }
            for module in modules
        ],
        "resources_uploaded": resources,
        "modules_taken": [
            {
                "module": c.module.title,
                "url": _url(c.module),
                "started_at": c.started_at,
                "completed_at": c.completed_at,
            }
            for c in completions.order_by("started_at", "pk")
        ],
    }, files


def erase_library(user, *, keep_shared: bool):
    """Drafts go with their files. A published module stays in the library (reviewed
    content that others learn from and courses are built on), by a former member."""
    in_courses = UnitModule.objects.values("module_id")
    drafts = (
        Module.objects.filter(author=user)
        .exclude(status=Module.Status.PUBLISHED)
        .exclude(pk__in=in_courses)
    )
    files = delete_on_commit(r.file for r in ModuleResource.objects.filter(module__in=drafts))
    count = drafts.count()
    drafts.delete()
    published = Module.objects.filter(author=user).count()
    return {
        "draft modules": count,
        "draft module files": files,
        "published modules kept in the library": published,
        "modules taken": ModuleCompletion.objects.filter(user=user).delete()[0],
    }


# --- Courses and cohorts ------------------------------------------------------------------


def export_courses(user):
    memberships = CohortMember.objects.filter(user=user).select_related("cohort__course")
    marks = Attendance.objects.filter(user=user).select_related(
        "cohort_unit__cohort", "cohort_unit__unit"
    )
    return {
        "courses_written": [
            {"course": c.title, "url": _url(c)} for c in user.authored_courses.order_by("pk")
        ],
        "cohorts_facilitated": [
            {"cohort": str(c), "url": _url(c)}
            for c in user.facilitated_cohorts.select_related("course").order_by("pk")
        ],
        "cohorts_joined": [
            {
                "cohort": str(m.cohort),
                "url": _url(m.cohort),
                "joined_at": m.joined_at,
                "removed_at": m.removed_at,
            }
            for m in memberships.order_by("joined_at", "pk")
        ],
        "session_register": [
            {
                "cohort": str(mark.cohort_unit.cohort),
                "unit": str(mark.cohort_unit.unit),
                "marked": mark.get_status_display(),
                "marked_at": mark.marked_at,
            }
            for mark in marks.order_by("marked_at", "pk")
        ],
    }, []


def erase_courses(user, *, keep_shared: bool):
    """Out of every cohort and course team; the register's marks about them go. Courses
    and cohorts themselves are their teams' and members'."""
    user.authored_courses.clear()
    user.facilitated_cohorts.clear()
    return {
        "cohort memberships": CohortMember.objects.filter(user=user).delete()[0],
        "register marks": Attendance.objects.filter(user=user).delete()[0],
    }


# --- Credentials --------------------------------------------------------------------------


def export_credentials(user):
    credentials = Credential.objects.filter(user=user).select_related("cohort__course")
    return [
        {
            "course": c.cohort.course.title,
            "url": _url(c),
            "issued_at": c.issued_at,
            "revoked_at": c.revoked_at,
            "hidden_from_public": c.hidden_at is not None,
            "open_badge_credential": c.payload,
            "vc_jwt": c.jwt,
        }
        for c in credentials.order_by("issued_at", "pk")
    ], []


def erase_credentials(user, *, keep_shared: bool):
    """Kept verifiable without the person: only the fingerprint of what was signed stays
    with the course and the date (inquiry.credentials.redacted), so a copy they kept
    still checks as valid (or revoked) and Staffroom no longer holds their name."""
    credentials = list(Credential.objects.filter(user=user, erased_at=None))
    now = timezone.now()
    for credential in credentials:
        credential.fingerprint = documents.fingerprint(documents.claims_for(credential.payload))
        credential.payload = documents.redacted(credential.payload)
        credential.jwt = ""
        credential.erased_at = now
    Credential.objects.bulk_update(credentials, ["fingerprint", "payload", "jwt", "erased_at"])
    return {"credentials kept verifiable without a name": len(credentials)}


def register_sections() -> None:
    sections = [
        ("inquiry_cycles", "Your inquiry cycles", "Each cycle: its focus question, trial "
         "plan, evidence (notes here, photos and files in files/evidence/) and your "
         "reflection on the four prompts.", export_cycles, erase_cycles),
        ("feedback", "Feedback you gave", "The feedback you gave on colleagues' shared "
         "reflections.", export_feedback, erase_feedback),
        ("cpd_record", "Your CPD record", "Every entry of your CPD record, with your notes "
         "and tags.", export_record, erase_record),
        ("library", "The library", "Modules you wrote, files you uploaded to them (in "
         "files/resources/), and the modules you started and completed.", export_library,
         erase_library),
        ("courses", "Courses and cohorts", "Courses you wrote, cohorts you facilitated or "
         "joined, and the session register's marks about you.", export_courses,
         erase_courses),
        ("credentials", "Your credentials", "Your Open Badges credentials, as signed: the "
         "JSON and the VC-JWT, which anyone can check on Staffroom's check page.",
         export_credentials, erase_credentials),
    ]  # fmt: skip
    for name, title, description, export, erase in sections:
        register(name=name, title=title, description=description, export=export, erase=erase)
