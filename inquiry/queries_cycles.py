"""Page-shaped reads for inquiry cycles: My inquiry and the cycle page."""

from dataclasses import dataclass

from community.models import Thread
from inquiry.models import Evidence, Feedback, InquiryCycle
from inquiry.services.cycles import ORDER, next_step

STAGE_LABELS = dict(InquiryCycle.Stage.choices)


@dataclass(frozen=True)
class StageStep:
    label: str
    state: str  # "done", "current" or "todo"


def progress(cycle: InquiryCycle) -> list[StageStep]:
    """The six stages, each done, current or still to come (for the progress indicator)."""
    here = ORDER.index(InquiryCycle.Stage(cycle.stage))
    finished = cycle.stage == InquiryCycle.Stage.DONE
    return [
        StageStep(
            STAGE_LABELS[stage],
            "done" if i < here or finished else ("current" if i == here else "todo"),
        )
        for i, stage in enumerate(ORDER)
    ]


def _decorate(cycle: InquiryCycle) -> InquiryCycle:
    cycle.steps = progress(cycle)
    cycle.step_number = ORDER.index(InquiryCycle.Stage(cycle.stage)) + 1
    cycle.next_step = next_step(cycle)
    return cycle


def my_cycles(user) -> tuple[list[InquiryCycle], list[InquiryCycle]]:
    """The viewer's own cycles: (current, finished), most recently touched first. One
    query however many cycles."""
    cycles = InquiryCycle.objects.filter(owner=user).select_related(
        "module", "thread", "space", "school"
    )
    current, finished = [], []
    for cycle in cycles:
        (finished if cycle.stage == InquiryCycle.Stage.DONE else current).append(_decorate(cycle))
    return current, finished


def visible_cycles(user):
    """What a cycle page loads through: visible_to, with what the page shows of it."""
    return InquiryCycle.objects.visible_to(user).select_related(
        "owner__profile", "module", "previous", "priority", "thread__space", "space", "school"
    )


def cycle_page(cycle: InquiryCycle, viewer) -> dict:
    """The evidence, the feedback the viewer may read, and the cycles that follow on."""
    _decorate(cycle)
    evidence = list(Evidence.objects.filter(cycle=cycle))
    is_owner = cycle.owner_id == viewer.pk
    feedback = []
    if cycle.thread_id and (
        is_owner or Thread.objects.visible_to(viewer).filter(pk=cycle.thread_id).exists()
    ):
        # Feedback a moderator hid or its author deleted in the thread is not shown here.
        feedback = list(
            Feedback.objects.filter(
                cycle=cycle, post__hidden_at__isnull=True, post__deleted_at__isnull=True
            ).select_related("author__profile", "post")
        )
    next_cycles = list(cycle.next_cycles.filter(owner=viewer)) if is_owner else []
    return {
        "cycle": cycle,
        "is_owner": is_owner,
        "evidence": evidence,
        "feedback": feedback,
        "next_cycles": next_cycles,
        "replies": max(0, cycle.thread.post_count - 1) if cycle.thread_id else 0,
    }
