"""Page-shaped reads of the CPD record: the viewer's range of it, its totals (by month,
kind and tag, in aggregate queries, never by loading every entry), a page of its
timeline grouped by month, and the months its chart draws. Every read starts from
RecordEntry.objects.visible_to(viewer): there is no way to name another teacher."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from inquiry.models import RecordEntry, RecordTag

ENTRIES_PER_PAGE = 100
CHART_MONTHS = 12
KIND_ORDER = list(RecordEntry.Kind.values)
KIND_LABELS = dict(RecordEntry.Kind.choices)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first of the month n months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def tags_in_order():
    """An entry's tags A to Z whatever their case, the same on SQLite and PostgreSQL."""
    return Prefetch("tags", queryset=RecordTag.objects.order_by(Lower("name"), "name"))


def teachers_tags(user) -> list[RecordTag]:
    """The viewer's own tags (a RecordTag is its teacher's: nobody else reads them)."""
    if not user.is_authenticated:
        return []
    return list(RecordTag.objects.filter(user=user).order_by(Lower("name"), "name"))


# --- The range --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRange:
    """Which part of the record: days in the viewer's zone (both ends included) and one
    of their tags, each optional; the whole record when nothing is set."""

    zone: zoneinfo.ZoneInfo
    start: dt.date | None = None
    end: dt.date | None = None
    tag: RecordTag | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.start or self.end or self.tag)

    def entries(self, user) -> QuerySet:
        entries = RecordEntry.objects.visible_to(user)
        if self.start:
            midnight = dt.datetime.combine(self.start, dt.time.min, tzinfo=self.zone)
            entries = entries.filter(occurred_at__gte=midnight)
        if self.end:
            next_midnight = dt.datetime.combine(
                self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone
            )
            entries = entries.filter(occurred_at__lt=next_midnight)
        if self.tag:
            # Exists, not a join: the totals by tag then still count every tag of the
            # entries in range, not only this one.
            tagged = RecordEntry.tags.through.objects.filter(
                recordentry_id=OuterRef("pk"), recordtag_id=self.tag.pk
            )
            entries = entries.filter(Exists(tagged))
        return entries

    @property
    def description(self) -> str:
        """ "1 Sep 2025 to 31 Jul 2026, tagged “oracy”", for the page and the print."""

        def day(value: dt.date) -> str:
            return f"{value.day} {value:%b %Y}"

        if self.start and self.end:
            text = f"{day(self.start)} to {day(self.end)}"
        elif self.start:
            text = f"From {day(self.start)}"
        elif self.end:
            text = f"Up to {day(self.end)}"
        else:
            text = "The whole record"
        return f"{text}, tagged “{self.tag.name}”" if self.tag else text

    def query_string(self) -> str:
        """ "from=2025-09-01&tag=oracy": for the pager and the export links."""
        pairs = [("from", self.start), ("to", self.end), ("tag", self.tag and self.tag.name)]
        return urlencode([(key, str(value)) for key, value in pairs if value])


def record_range(form, *, tags: list[RecordTag], zone) -> RecordRange:
    """The range a valid RecordFilterForm names, else the whole record."""
    if not form.is_valid():
        return RecordRange(zone=zone)
    data = form.cleaned_data
    by_name = {tag.name: tag for tag in tags}
    return RecordRange(
        zone=zone, start=data.get("from"), end=data.get("to"), tag=by_name.get(data.get("tag"))
    )


# --- Totals -----------------------------------------------------------------------------


@dataclass
class Bucket:
    """Minutes and entries under one heading (a month, a kind, a tag)."""

    key: object
    label: str
    minutes: int = 0
    entries: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass
class Month(Bucket):
    by_kind: dict[str, int] = field(default_factory=dict)  # kind -> minutes


@dataclass
class Totals:
    minutes: int
    entries: int
    months: list[Month]  # newest first, only months with entries
    kinds: list[Bucket]  # in RecordEntry.Kind's order, only kinds with entries
    tags: list[Bucket]  # most minutes first

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def month(self, first_day: dt.date) -> Month:
        for month in self.months:
            if month.key == first_day:
                return month
        return Month(key=first_day, label=month_label(first_day))


def month_label(first_day: dt.date) -> str:
    return first_day.strftime("%B %Y")


def record_totals(entries: QuerySet, *, zone, with_tags: bool = True) -> Totals:
    """Two aggregate queries, whatever the size of the record: minutes and entries per
    (month in the viewer's zone, kind), from which the overall, monthly and per-kind
    totals all add up; and per tag (skipped when the teacher has no tags)."""
    rows = (
        entries.order_by()  # the default ordering would join the GROUP BY
        .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
        .values("month", "kind")
        .annotate(minutes=Sum("minutes"), entries=Count("pk"))
    )
    months: dict[dt.date, Month] = {}
    kinds: dict[str, Bucket] = {}
    for row in rows:
        first_day = timezone.localtime(row["month"], zone).date()
        month = months.setdefault(first_day, Month(key=first_day, label=month_label(first_day)))
        kind = kinds.setdefault(
            row["kind"], Bucket(key=row["kind"], label=KIND_LABELS.get(row["kind"], row["kind"]))
        )
        for bucket in (month, kind):
            bucket.minutes += row["minutes"]
            bucket.entries += row["entries"]
        month.by_kind[row["kind"]] = month.by_kind.get(row["kind"], 0) + row["minutes"]
    tags = []
    if with_tags:
        tag_rows = (
            entries.order_by()
            .values("tags__name")
            .annotate(minutes=Sum("minutes"), entries=Count("pk"))
            .order_by("-minutes", "tags__name")
        )
        tags = [
            Bucket(
                key=row["tags__name"],
                label=row["tags__name"],
                minutes=row["minutes"],
                entries=row["entries"],
            )
            for row in tag_rows
            if row["tags__name"] is not None  # the untagged entries
        ]
    return Totals(
        minutes=sum(month.minutes for month in months.values()),
        entries=sum(month.entries for month in months.values()),
        months=sorted(months.values(), key=lambda month: month.key, reverse=True),
        kinds=sorted(kinds.values(), key=lambda kind: _kind_index(kind.key)),
        tags=tags,
    )


def _kind_index(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


# --- The timeline -----------------------------------------------------------------------


@dataclass
class TimelineMonth:
    month: Month  # the month's totals over the whole range, not only this page
    entries: list[RecordEntry]


def timeline_page(
    entries: QuerySet, *, totals: Totals, zone, number
) -> tuple[Page, list[TimelineMonth]]:
    """One page of entries (newest first, with their tags: two queries) grouped by month
    in the viewer's zone. The pager's count comes from the totals: no COUNT query."""
    paginator = Paginator(entries.prefetch_related(tags_in_order()), ENTRIES_PER_PAGE)
    paginator.count = totals.entries  # a cached_property: this skips its query
    page = paginator.get_page(number)
    groups: list[TimelineMonth] = []
    for entry in page:
        first_day = timezone.localtime(entry.occurred_at, zone).date().replace(day=1)
        if not groups or groups[-1].month.key != first_day:
            groups.append(TimelineMonth(month=totals.month(first_day), entries=[]))
        groups[-1].entries.append(entry)
    return page, groups


# --- The chart's months -----------------------------------------------------------------


def chart_months(totals: Totals, span: RecordRange, *, today: dt.date) -> list[Month]:
    """The last CHART_MONTHS months of the range (ending with its last day, or this month
    when it has none), oldest first, with the empty months in place."""
    last = (span.end or today).replace(day=1)
    first = add_months(last, -(CHART_MONTHS - 1))
    if span.start and span.start.replace(day=1) > first:
        first = min(span.start.replace(day=1), last)
    months, month = [], first
    while month <= last:
        months.append(totals.month(month))
        month = add_months(month, 1)
    return months


def export_entries(entries: QuerySet):
    """Every entry in the range with its tags, newest first, 500 at a time: one query
    per 500 entries and one for their tags, never one per entry."""
    return entries.prefetch_related(tags_in_order()).iterator(chunk_size=500)
