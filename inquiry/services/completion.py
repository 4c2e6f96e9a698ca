"""When something that can finish a course unit happens for a member (a module completed,
the register marked, a classroom task's cycle tried or shared), the units now done go
into their CPD record and, once every unit is done, their credential is issued. One door,
called by each of those services; both writes happen once however often it runs (the
record's unique source, the credential's unique (user, cohort))."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from community.models import User
from inquiry.models import Cohort, Module, RecordEntry
from inquiry.progress import cohort_progress
from inquiry.services import credentials
from inquiry.services.record import SystemEntry, write_entries


def cohorts_of(user: User) -> QuerySet[Cohort]:
    """The cohorts the person is a member of now."""
    return Cohort.objects.filter(members__user=user, members__removed_at__isnull=True)


def cohorts_with_module(user: User, module: Module) -> QuerySet[Cohort]:
    """Their cohorts whose course has this module as pre-learning."""
    return cohorts_of(user).filter(course__units__modules=module).distinct()


def progress_changed(*, user: User, cohorts, now: datetime | None = None) -> None:
    now = now or timezone.now()
    for cohort in cohorts.select_related("course") if isinstance(cohorts, QuerySet) else cohorts:
        member = cohort_progress(cohort, [user.pk], now=now)[user.pk]
        write_entries(
            [
                SystemEntry(
                    user_id=user.pk,
                    kind=RecordEntry.Kind.UNIT,
                    title=f"{cohort.course.title}, unit {unit.unit.number}: {unit.unit.title}",
                    occurred_at=unit.last_activity or now,
                    # Its time is already in the record, part by part (modules, the
                    # session, the cycle's stages): the unit itself adds none.
                    minutes=0,
                    url=cohort.get_absolute_url(),
                    source=f"unit:{unit.cohort_unit.pk}",
                    details="Every part of the unit done",
                )
                for unit in member.units
                if unit.done
            ],
            now=now,
        )
        if member.complete:
            credentials.check_completion(user=user, cohort=cohort, now=now)
