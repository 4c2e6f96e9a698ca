"""The CPD record's chart, drawn on the server as inline SVG: hours per month, stacked
by kind. No JavaScript and no style attributes (the CSP forbids inline styles): the
geometry is in SVG attributes and the colours are classes in static/css/site.css
(`kind-<kind>`), so that dark mode and print can change them. The same figures go in a
table next to it for screen readers (templates/inquiry/record_chart.html)."""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from inquiry.queries_record import KIND_LABELS, KIND_ORDER, Month

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 50, 8, 38, 46  # room for the unit, the hours and the months
STEPS_IN_HOURS = [0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    months: list[Month]  # oldest first
    kinds: list[tuple[str, str]]  # (kind, label) of the kinds drawn, for the legend
    rows: list[tuple[Month, list[int]]]  # each month's minutes per kind drawn: the table
    title: str
    description: str


def hours_text(minutes: int) -> str:
    """90 -> "1.5 hours", 60 -> "1 hour", 0 -> "0 hours"."""
    hours = round(minutes / 60, 1)
    number = f"{hours:g}"
    return f"{number} hour" if number == "1" else f"{number} hours"


def _step(top_hours: float) -> float:
    """A round step that divides the axis into at most four parts."""
    for step in STEPS_IN_HOURS:
        if top_hours / step <= 4:
            return step
    return 10 ** math.ceil(math.log10(top_hours / 4))


def _axis_label(hours: float) -> str:
    return f"{hours:g}"  # the unit is written once, above the axis


def month_chart(months: list[Month], *, element_id: str = "record-chart") -> Chart:
    """The chart of `months` (oldest first), each bar the month's minutes stacked in the
    kinds' order from the bottom."""
    kinds = [kind for kind in KIND_ORDER if any(month.by_kind.get(kind) for month in months)]
    title = "Hours of professional learning per month"
    span = f"{months[0].label} to {months[-1].label}" if len(months) > 1 else months[0].label
    busiest = max(months, key=lambda month: month.minutes)
    total = sum(month.minutes for month in months)
    if total:
        description = (
            f"{span}, a bar per month coloured by kind: {hours_text(total)} in all, the most "
            f"in {busiest.label} ({hours_text(busiest.minutes)}). The table after the chart "
            "gives every figure."
        )
    else:
        description = f"{span}: no recorded time in these months."

    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = _step(max(busiest.minutes / 60, 0.01))
    top_hours = max(step, math.ceil(busiest.minutes / 60 / step) * step)
    base = TOP + plot_height

    def y(minutes: float) -> float:
        return base - minutes / 60 / top_hours * plot_height

    parts = [
        format_html(
            '<text class="chart-axis chart-unit" x="0" y="{}" text-anchor="start">hours</text>',
            TOP - 16,
        )
    ]
    ticks = round(top_hours / step)
    for i in range(ticks + 1):
        hours = i * step
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="middle">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _n(y(hours * 60)),
                _n(y(hours * 60)),
                LEFT - 6,
                _n(y(hours * 60)),
                _axis_label(hours),
            )
        )
    slot = plot_width / len(months)
    bar = min(slot * 0.66, 44)
    for i, month in enumerate(months):
        x = LEFT + slot * i + (slot - bar) / 2
        below = 0
        for kind in kinds:
            minutes = month.by_kind.get(kind, 0)
            if not minutes:
                continue
            parts.append(
                format_html(
                    '<rect class="chart-bar kind-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}, {}: {}</title></rect>",
                    kind,
                    _n(x),
                    _n(y(below + minutes)),
                    _n(bar),
                    _n(y(below) - y(below + minutes)),
                    month.label,
                    KIND_LABELS[kind],
                    _minutes_text(minutes),
                )
            )
            below += minutes
        centre = LEFT + slot * (i + 0.5)
        parts.append(
            format_html(
                # "Jan", or "J" on a narrow screen (site.css shows one of the two)
                '<text class="chart-axis chart-month" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="chart-axis chart-month-short" x="{}" y="{}" text-anchor="middle" '
                'aria-hidden="true">{}</text>',
                _n(centre),
                base + 18,
                month.key.strftime("%b"),
                _n(centre),
                base + 20,
                month.key.strftime("%b")[0],
            )
        )
        if i == 0 or month.key.month == 1:  # the year under its first month
            parts.append(
                format_html(
                    '<text class="chart-axis chart-year" x="{}" y="{}" text-anchor="middle">'
                    "{}</text>",
                    _n(centre),
                    base + 38,
                    month.key.year,
                )
            )
    parts.append(
        format_html(
            '<line class="chart-baseline" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            LEFT,
            WIDTH - RIGHT,
            base,
            base,
        )
    )
    svg = format_html(
        '<svg class="record-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        element_id,
        element_id,
        element_id,
        title,
        element_id,
        description,
        format_html_join("", "{}", ((part,) for part in parts)),
    )
    return Chart(
        svg=svg,
        months=months,
        kinds=[(kind, KIND_LABELS[kind]) for kind in kinds],
        rows=[(month, [month.by_kind.get(kind, 0) for kind in kinds]) for month in months],
        title=title,
        description=description,
    )


def _minutes_text(minutes: int) -> str:
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _n(value: float) -> str:
    """Coordinates to a tenth of a unit: short markup, no visible difference."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
