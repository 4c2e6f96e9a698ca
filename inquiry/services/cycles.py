"""Every write to an inquiry cycle: starting one, moving it through its stages, the trial
plan, evidence, the reflection, who sees it, sharing it for feedback, feedback, and the
gentle nudge when a cycle has stalled.

Stages go learn → plan → try → reflect → share → done, one step forward at a time (with
what the next stage needs), one step back only when asked for by name, and reflect →
done for a private cycle its owner finishes without sharing. Each stage completed, the
reflection shared and feedback given write the teacher's CPD record (on commit, through
inquiry.services.record.write_entries, one entry per source)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from community import rules as community_rules
from community.markdown import render_markdown
from community.models import Membership, Notification, NotificationSettings, Space, User
from community.services import emails, forum
from community.services.notifications import notify
from inquiry import rules, uploads
from inquiry.models import (
    Cohort,
    Evidence,
    Feedback,
    InquiryCycle,
    Module,
    RecordEntry,
    SchoolPriority,
)
from inquiry.models.cycles import EVIDENCE_MAX_BYTES, REFLECTION_PROMPTS
from inquiry.services import completion
from inquiry.services.record import SystemEntry, write_entries

log = logging.getLogger(__name__)

Stage = InquiryCycle.Stage
Visibility = InquiryCycle.Visibility
ORDER = [Stage.LEARN, Stage.PLAN, Stage.TRY, Stage.REFLECT, Stage.SHARE, Stage.DONE]
MAX_STAGE_MINUTES = 600
TEXT_MAX_LENGTH = 5000
FOCUS_MAX_LENGTH = 300
MAX_EVIDENCE = 30  # per cycle: plenty for one trial, and a bound on what a page shows
STALLED_AFTER = timedelta(days=14)

# The record entry written when a stage is completed (by leaving it forward).
STAGE_TITLES = {
    Stage.LEARN: "Learned for",
    Stage.PLAN: "Planned",
    Stage.TRY: "Tried",
    Stage.REFLECT: "Reflected on",
    Stage.SHARE: "Discussed feedback on",
}
# What the owner does next, in words (My inquiry, the cycle page, the nudge).
NEXT_STEPS = {
    Stage.LEARN: "Learn something small, then plan",
    Stage.PLAN: "Plan your trial",
    Stage.TRY: "Add evidence and try it",
    Stage.REFLECT: "Reflect on the four questions",
    Stage.SHARE: "Share your reflection for feedback",
    Stage.DONE: "Start the next cycle",
}


def next_step(cycle: InquiryCycle) -> str:
    if cycle.stage == Stage.SHARE and cycle.thread_id:
        return "Read the feedback, then finish the cycle"
    return NEXT_STEPS[Stage(cycle.stage)]


def _markdown(text: str, field: str, errors: dict) -> str:
    try:
        return render_markdown(text, max_length=TEXT_MAX_LENGTH).html
    except ValidationError as error:
        errors[field] = error.messages
        return ""


def _own(actor: User, cycle: InquiryCycle, rule, message: str) -> InquiryCycle:
    """The cycle, locked, after the rule: 403 for someone else's; a clear refusal for a
    stage where the step makes no sense."""
    cycle = InquiryCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.owner_id != actor.pk:
        raise PermissionDenied("Only the teacher whose cycle this is can change it.")
    if not rule(actor, cycle):
        raise ValidationError(message)
    return cycle


def _touch(cycle: InquiryCycle, now: datetime, fields: list[str]) -> None:
    cycle.updated_at = now
    cycle.save(update_fields=[*fields, "updated_at"])


def _record_later(entries: list[SystemEntry]) -> None:
    # After the commit: a refused or rolled-back step writes nothing to the record.
    transaction.on_commit(lambda: write_entries(entries))


def _course_progress_later(cycle: InquiryCycle) -> None:
    """A course unit's classroom task, tried or shared, can finish the unit (or the
    course): after the commit, as for the record."""
    if cycle.cohort_unit_id:
        cohorts = Cohort.objects.filter(cohort_units=cycle.cohort_unit_id)
        owner = cycle.owner
        transaction.on_commit(lambda: completion.progress_changed(user=owner, cohorts=cohorts))


# --- Starting ---------------------------------------------------------------------------


@transaction.atomic
def start_cycle(
    *,
    actor: User,
    focus_question: str,
    module: Module | None = None,
    previous: InquiryCycle | None = None,
    now: datetime | None = None,
) -> InquiryCycle:
    """A new cycle in the learn stage, from a published module, a blank focus question, or
    the owner's finished cycle it follows on from."""
    now = now or timezone.now()
    if not rules.can_start_cycle(actor):
        raise PermissionDenied("Sign in to start an inquiry cycle.")
    errors: dict[str, list[str]] = {}
    focus_question = " ".join(focus_question.split())
    if not focus_question:
        errors["focus_question"] = ["Write the question you want to explore."]
    elif len(focus_question) > FOCUS_MAX_LENGTH:
        errors["focus_question"] = [f"A focus question is at most {FOCUS_MAX_LENGTH} characters."]
    if module is not None and not Module.objects.published().filter(pk=module.pk).exists():
        errors["module"] = ["That module is not in the library."]
    if previous is not None and not rules.can_start_next_cycle(actor, previous):
        errors["previous"] = ["A next cycle follows on from one of your own finished cycles."]
    if errors:
        raise ValidationError(errors)
    return InquiryCycle.objects.create(
        owner=actor,
        focus_question=focus_question,
        module=module,
        previous=previous,
        stage=Stage.LEARN,
        stage_changed_at=now,
        created_at=now,
        updated_at=now,
    )


def next_focus_question(previous: InquiryCycle) -> str:
    """The next cycle's question, prefilled from "How might I do it differently?"."""
    text = " ".join(previous.reflect_differently.split())
    return text[:FOCUS_MAX_LENGTH]


# --- Stages -----------------------------------------------------------------------------


def _missing_reflection(cycle: InquiryCycle) -> list[str]:
    return [
        prompt for field, prompt in REFLECTION_PROMPTS.items() if not getattr(cycle, field).strip()
    ]


@transaction.atomic
def advance(
    *,
    actor: User,
    cycle: InquiryCycle,
    to: str,
    minutes: int | None = None,
    now: datetime | None = None,
) -> InquiryCycle:
    """Move the cycle to stage `to`: the next stage (with what it needs), the previous one
    (going back, asked for by name), or reflect → done for a private cycle finished
    without sharing. Anything else changes nothing and says why."""
    now = now or timezone.now()
    cycle = _own(actor, cycle, rules.can_edit_cycle, "This cycle is finished.")
    if to not in Stage.values:
        raise ValidationError("That is not a stage of an inquiry cycle.")
    if minutes is not None and not 0 <= minutes <= MAX_STAGE_MINUTES:
        raise ValidationError(
            {"minutes": [f"Minutes are a whole number from 0 to {MAX_STAGE_MINUTES}."]}
        )
    here, there = ORDER.index(Stage(cycle.stage)), ORDER.index(Stage(to))
    finishing_unshared = cycle.stage == Stage.REFLECT and to == Stage.DONE
    if there == here - 1:
        if cycle.thread_id:
            raise ValidationError("This reflection is shared: the cycle can't go back now.")
        if minutes:
            raise ValidationError({"minutes": ["Going back records no time."]})
    elif there == here + 1 or finishing_unshared:
        _check_ready(cycle, to)
    else:
        raise ValidationError(
            f"A cycle in the {cycle.get_stage_display().lower()} stage can't move to "
            f"{Stage(to).label.lower()}: one step at a time."
        )
    completed = Stage(cycle.stage) if there > here else None
    cycle.stage, cycle.stage_changed_at = to, now
    _touch(cycle, now, ["stage", "stage_changed_at"])
    if completed is not None:
        _record_later([_stage_entry(cycle, completed, minutes or 0, now)])
        _course_progress_later(cycle)
    return cycle


def _check_ready(cycle: InquiryCycle, to: str) -> None:
    if to == Stage.TRY and not cycle.trial_what.strip():
        raise ValidationError("Write what you will try before you start the trial.")
    if cycle.stage == Stage.REFLECT:
        if missing := _missing_reflection(cycle):
            raise ValidationError(f"Answer every reflection question first: {' '.join(missing)}")
        if to == Stage.DONE and cycle.visibility != Visibility.PRIVATE:
            raise ValidationError(
                "Only a private cycle finishes without sharing: share it, or make it private."
            )
    if cycle.stage == Stage.SHARE and not cycle.thread_id:
        raise ValidationError(
            "Share your reflection first, or go back to reflecting and finish without sharing."
        )


def _stage_entry(cycle: InquiryCycle, stage: str, minutes: int, now: datetime) -> SystemEntry:
    return SystemEntry(
        user_id=cycle.owner_id,
        kind=RecordEntry.Kind.STAGE,
        title=f"{STAGE_TITLES[stage]}: {cycle.focus_question}",
        occurred_at=now,
        minutes=minutes,
        url=cycle.get_absolute_url(),
        source=f"cycle:{cycle.pk}:{stage}",
        details="Inquiry cycle",
    )


# --- The trial plan, evidence and the reflection ----------------------------------------------


@dataclass(frozen=True)
class Plan:
    trial_class: str = ""
    trial_date: date | None = None
    trial_what: str = ""
    trial_look_for: str = ""
    priority: SchoolPriority | None = None


def priorities_for(user: User):
    """The current priorities of the owner's school, to link a cycle to one."""
    school_id = getattr(getattr(user, "profile", None), "school_id", None)
    if not school_id:
        return SchoolPriority.objects.none()
    return SchoolPriority.objects.filter(school_id=school_id, archived_at__isnull=True)


@transaction.atomic
def save_plan(*, actor: User, cycle: InquiryCycle, plan: Plan, now=None) -> InquiryCycle:
    now = now or timezone.now()
    cycle = _own(actor, cycle, rules.can_edit_plan, "Plan your trial in the plan stage.")
    errors: dict[str, list[str]] = {}
    trial_class = plan.trial_class.strip()
    if len(trial_class) > 80:
        errors["trial_class"] = ["A class or year group is at most 80 characters."]
    what_html = _markdown(plan.trial_what, "trial_what", errors)
    look_html = _markdown(plan.trial_look_for, "trial_look_for", errors)
    if not plan.trial_what.strip() and "trial_what" not in errors:
        errors["trial_what"] = ["Write what you will try."]
    if plan.priority is not None and not rules.can_link_priority(actor, plan.priority):
        errors["priority"] = ["Choose a current priority of your own school."]
    if errors:
        raise ValidationError(errors)
    cycle.trial_class, cycle.trial_date = trial_class, plan.trial_date
    cycle.trial_what, cycle.trial_what_html = plan.trial_what, what_html
    cycle.trial_look_for, cycle.trial_look_for_html = plan.trial_look_for, look_html
    cycle.priority = plan.priority
    fields = ["trial_class", "trial_date", "trial_what", "trial_what_html"]
    _touch(cycle, now, [*fields, "trial_look_for", "trial_look_for_html", "priority"])
    return cycle


@transaction.atomic
def add_evidence(
    *, actor: User, cycle: InquiryCycle, kind: str, note: str = "", upload=None, now=None
) -> Evidence:
    """A note (Markdown), a photo of pupils' work (re-encoded: no EXIF, no GPS) or a file
    (its type read from its content). Everything is checked before anything is stored."""
    now = now or timezone.now()
    cycle = _own(
        actor,
        cycle,
        rules.can_add_evidence,
        "Evidence is added while you plan, try, reflect and share.",
    )
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": ["Choose a note, a photo or a file."]})
    if cycle.evidence.count() >= MAX_EVIDENCE:
        raise ValidationError(f"A cycle holds up to {MAX_EVIDENCE} pieces of evidence.")
    errors: dict[str, list[str]] = {}
    note_html = _markdown(note, "note", errors)
    checked = None
    if kind == Evidence.Kind.NOTE:
        if not note.strip() and "note" not in errors:
            errors["note"] = ["Write the note."]
    elif upload is None:
        errors["file"] = ["Choose a file to upload."]
    else:
        accept = uploads.IMAGES if kind == Evidence.Kind.PHOTO else uploads.ACCEPTED
        try:
            checked = uploads.check_upload(
                upload, accept=accept, max_bytes=EVIDENCE_MAX_BYTES, field="file"
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    evidence = Evidence(cycle=cycle, kind=kind, note=note, note_html=note_html, created_at=now)
    if checked is not None:
        evidence.content_type, evidence.size = checked.kind.content_type, checked.size
        evidence.original_name = checked.original_name
        evidence.file = checked.content  # written to storage by save(), the last step
    try:
        evidence.save()
        _touch(cycle, now, [])
    except Exception:
        # Nothing half-stored: a row that failed to save leaves no file behind.
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def delete_evidence(*, actor: User, evidence: Evidence) -> None:
    cycle = InquiryCycle.objects.select_for_update().get(pk=evidence.cycle_id)
    evidence.cycle = cycle
    if cycle.owner_id != actor.pk:
        raise PermissionDenied("Only the teacher whose cycle this is can remove its evidence.")
    if not rules.can_delete_evidence(actor, evidence):
        raise ValidationError("This cycle is finished: its evidence stays as it was.")
    name = evidence.file.name if evidence.file else ""
    evidence.delete()
    _touch(cycle, timezone.now(), [])
    if name:
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def save_reflection(*, actor: User, cycle: InquiryCycle, answers: dict[str, str], now=None):
    """The four prompts, each in the teacher's words (an answer may be saved half-done;
    moving on needs all four)."""
    now = now or timezone.now()
    cycle = _own(
        actor, cycle, rules.can_reflect, "Reflect once you have tried it (and before you share)."
    )
    errors: dict[str, list[str]] = {}
    rendered = {
        field: _markdown(answers.get(field, ""), field, errors) for field in REFLECTION_PROMPTS
    }
    if errors:
        raise ValidationError(errors)
    for field in REFLECTION_PROMPTS:
        setattr(cycle, field, answers.get(field, ""))
        setattr(cycle, f"{field}_html", rendered[field])
    fields = [f for field in REFLECTION_PROMPTS for f in (field, f"{field}_html")]
    _touch(cycle, now, fields)
    return cycle


# --- Who sees it ------------------------------------------------------------------------


def spaces_for(user: User):
    """The groups and cohorts (spaces) the owner is an active member of."""
    member_of = Membership.objects.active().filter(user=user).values("space_id")
    return Space.objects.filter(pk__in=member_of).order_by("name")


@transaction.atomic
def set_visibility(
    *, actor: User, cycle: InquiryCycle, visibility: str, space: Space | None = None, now=None
) -> InquiryCycle:
    """Private, my school (the school the owner is at now, fixed on the cycle), a space
    they are a member of, or the whole network."""
    now = now or timezone.now()
    cycle = _own(actor, cycle, rules.can_set_cycle_visibility, "")
    school, chosen_space = None, None
    if visibility == Visibility.SCHOOL:
        school = getattr(getattr(actor, "profile", None), "school", None)
        if school is None:
            raise ValidationError(
                {"visibility": ["Add your school to your profile to share with it."]}
            )
    elif visibility == Visibility.SPACE:
        if space is None or community_rules.membership_in(actor, space) is None:
            raise ValidationError({"space": ["Choose a group or cohort you are a member of."]})
        chosen_space = space
    elif visibility not in Visibility.values:
        raise ValidationError({"visibility": ["Choose who sees this cycle."]})
    cycle.visibility, cycle.school, cycle.space = visibility, school, chosen_space
    _touch(cycle, now, ["visibility", "school", "space"])
    return cycle


def reaches_members_of(cycle: InquiryCycle, space: Space) -> bool:
    """Whether the members of `space` can already open the cycle (to follow the link
    back from its thread). A school's own space counts for a cycle shared with that
    school (guests invited into it are the exception)."""
    if cycle.visibility == Visibility.NETWORK:
        return True
    if cycle.visibility == Visibility.SPACE:
        return cycle.space_id == space.pk
    if cycle.visibility == Visibility.SCHOOL:
        return space.kind == Space.Kind.SCHOOL and space.school_id == cycle.school_id
    return False


# --- Sharing and feedback ----------------------------------------------------------------


def thread_body(cycle: InquiryCycle) -> str:
    """The opening post: the reflection under its four prompts, the trial in brief, and
    the link back to the cycle."""
    parts = []
    for field, prompt in REFLECTION_PROMPTS.items():
        parts.append(f"### {prompt}\n\n{getattr(cycle, field).strip()}")
    trial = [f"**Focus question:** {cycle.focus_question}"]
    if cycle.trial_class:
        trial.append(f"**Class:** {cycle.trial_class}")
    trial.append(f"**What I tried:** {' '.join(cycle.trial_what.split())[:500]}")
    if cycle.trial_look_for.strip():
        trial.append(f"**What I looked for:** {' '.join(cycle.trial_look_for.split())[:500]}")
    parts.append("### The trial in brief\n\n" + "  \n".join(trial))
    parts.append(
        f"[See the whole inquiry cycle]({cycle.get_absolute_url()}) · Feedback: "
        "warm (what worked), cool (a question or a suggestion)."
    )
    return "\n\n".join(parts)


@transaction.atomic
def share_cycle(*, actor: User, cycle: InquiryCycle, space: Space, now=None) -> InquiryCycle:
    """Start a thread in `space` with the reflection, link it both ways, and make sure the
    space's members can follow the link back (a cycle they could not see becomes visible
    to that space's members)."""
    now = now or timezone.now()
    cycle = InquiryCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.owner_id != actor.pk:
        raise PermissionDenied("Only the teacher whose cycle this is can share it.")
    if not rules.can_share_cycle(actor, cycle):
        if cycle.thread_id:
            raise ValidationError("This reflection is already shared.")
        raise ValidationError("Share your reflection once you reach the share stage.")
    if not rules.can_share_cycle(actor, cycle, space):
        raise ValidationError({"space": ["Choose a space you can post in."]})
    if missing := _missing_reflection(cycle):
        raise ValidationError(f"Answer every reflection question first: {' '.join(missing)}")
    try:
        thread = forum.start_thread(
            actor=actor,
            space=space,
            title=cycle.focus_question[:160],
            body=thread_body(cycle),
        )
    except forum.RateLimited as error:
        raise ValidationError(str(error)) from None
    cycle.thread, cycle.shared_at = thread, now
    fields = ["thread", "shared_at"]
    if not reaches_members_of(cycle, space):
        cycle.visibility, cycle.space, cycle.school = Visibility.SPACE, space, None
        fields += ["visibility", "space", "school"]
    _touch(cycle, now, fields)
    _record_later(
        [
            SystemEntry(
                user_id=cycle.owner_id,
                kind=RecordEntry.Kind.REFLECTION,
                title=f"Shared a reflection: {cycle.focus_question}",
                occurred_at=now,
                minutes=0,
                url=cycle.get_absolute_url(),
                source=f"cycle:{cycle.pk}:shared",
                details=f"In {space.name}",
            )
        ]
    )
    _course_progress_later(cycle)
    return cycle


def feedback_body(warm: str, cool: str) -> str:
    body = f"**Warm:** {warm.strip()}"
    if cool.strip():
        body += f"\n\n**Cool:** {cool.strip()}"
    return body


@transaction.atomic
def give_feedback(
    *, actor: User, cycle: InquiryCycle, warm: str, cool: str = "", minutes: int = 0, now=None
) -> Feedback:
    """Warm (what worked) and cool (a question or a suggestion), posted as a reply in the
    cycle's thread; the giver's record notes it. Only for those who see the cycle."""
    now = now or timezone.now()
    cycle = InquiryCycle.objects.select_related("thread__space").get(pk=cycle.pk)
    # The owner may have narrowed who sees the cycle since sharing it.
    sees = InquiryCycle.objects.visible_to(actor).filter(pk=cycle.pk).exists()
    if not sees or not rules.can_give_feedback(actor, cycle):
        raise PermissionDenied(
            "Feedback is for a shared cycle that isn't yours, in a space you can reply in."
        )
    errors: dict[str, list[str]] = {}
    if not warm.strip():
        errors["warm"] = ["Say what worked: feedback starts warm."]
    if len(warm) > TEXT_MAX_LENGTH:
        errors["warm"] = [f"At most {TEXT_MAX_LENGTH} characters."]
    if len(cool) > TEXT_MAX_LENGTH:
        errors["cool"] = [f"At most {TEXT_MAX_LENGTH} characters."]
    if not 0 <= minutes <= MAX_STAGE_MINUTES:
        errors["minutes"] = [f"Minutes are a whole number from 0 to {MAX_STAGE_MINUTES}."]
    if errors:
        raise ValidationError(errors)
    try:
        post = forum.post_reply(actor=actor, thread=cycle.thread, body=feedback_body(warm, cool))
    except forum.RateLimited as error:
        raise ValidationError(str(error)) from None
    feedback = Feedback.objects.create(
        cycle=cycle, author=actor, warm=warm.strip(), cool=cool.strip(), post=post, created_at=now
    )
    _record_later(
        [
            SystemEntry(
                user_id=actor.pk,
                kind=RecordEntry.Kind.FEEDBACK,
                title=f"Gave feedback: {cycle.focus_question}",
                occurred_at=now,
                minutes=minutes,
                url=post.get_absolute_url(),
                source=f"feedback:{feedback.pk}",
                details="Warm and cool feedback",
            )
        ]
    )
    return feedback


# --- Nudges -------------------------------------------------------------------------------


def _stalled(now: datetime) -> Q:
    return (
        ~Q(stage=Stage.DONE)
        & Q(updated_at__lte=now - STALLED_AFTER)
        & (Q(nudged_at__isnull=True) | Q(nudged_at__lt=F("updated_at")))
    )


def nudge_text(cycle: InquiryCycle) -> str:
    question = cycle.focus_question
    if len(question) > 120:
        question = question[:119] + "…"
    step = next_step(cycle).lower()
    return f"Your inquiry “{question}” has been quiet for a while. When you're ready: {step}."


def due_nudges(now: datetime) -> QuerySet[InquiryCycle]:
    """Cycles not done, with no step by their (active) owner for 14 days, not nudged
    since that step."""
    return InquiryCycle.objects.filter(_stalled(now), owner__is_active=True)


def send_due_nudges(now: datetime | None = None) -> int:
    """One gentle nudge per stalled cycle: in Staffroom, as the owner's settings allow,
    and by email if they opted in. Returns how many cycles were nudged."""
    now = now or timezone.now()
    due = list(due_nudges(now).select_related("owner"))
    return sum(nudge(cycle, now=now) for cycle in due)


@transaction.atomic
def nudge(cycle: InquiryCycle, *, now: datetime) -> bool:
    """Nudge one cycle's owner, if nobody has since it was read: the claim is a
    conditional UPDATE, so of two processes (or a cron run and a server) one nudges."""
    if not InquiryCycle.objects.filter(_stalled(now), pk=cycle.pk).update(nudged_at=now):
        return False
    notify(
        users=[cycle.owner],
        kind=Notification.Kind.INQUIRY,
        text=nudge_text(cycle),
        link=cycle.get_absolute_url(),
    )
    # After the commit, and robust: a mail server that is down costs the email only.
    transaction.on_commit(lambda: send_nudge_email(cycle.pk, cycle.owner_id), robust=True)
    return True


def send_nudge_email(cycle_id: int, user_id: int) -> bool:
    """Email the nudge to an owner who opted in (email_inquiry) with a verified address."""
    if not NotificationSettings.objects.filter(user_id=user_id, email_inquiry=True).exists():
        return False
    address = emails.verified_addresses([user_id]).get(user_id)
    cycle = InquiryCycle.objects.select_related("owner__profile").filter(pk=cycle_id).first()
    if address is None or cycle is None:
        return False
    text = nudge_text(cycle)
    with get_connection() as connection, timezone.override(emails._user_zone(cycle.owner)):
        message = emails._message(
            to=address,
            subject="Your inquiry cycle is waiting for you",
            template="inquiry_nudge",
            context={
                "cycle": cycle,
                "text": text,
                "next_step": next_step(cycle),
                "url": emails.absolute_url(cycle.get_absolute_url()),
            },
            unsubscribe=emails.unsubscribe_url(user_id=user_id, what="inquiry"),
        )
        message.connection = connection
        message.send()
    return True
