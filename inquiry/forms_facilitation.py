"""The facilitator's forms: the dashboard's filter, the register, a nudge."""

import re

from django import forms

from inquiry.models import Attendance
from inquiry.queries_facilitation import DEFAULT_QUIET_DAYS
from inquiry.services.facilitation import NUDGE_MAX_LENGTH

MEMBER_FIELD = re.compile(r"^member-(.+)$")


class DashboardFilterForm(forms.Form):
    days = forms.IntegerField(
        label="Quiet for at least (days)",
        min_value=1,
        max_value=365,
        required=False,
        help_text="Members with no activity for this many days are listed as at risk.",
    )
    sort = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[
            ("behind", "Furthest behind first"),
            ("name", "By name"),
            ("activity", "Quiet longest first"),
        ],
    )

    def values(self) -> tuple[int, str]:
        """The days and order asked for, or the defaults where the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("days") or DEFAULT_QUIET_DAYS, data.get("sort") or "behind"


class RegisterForm(forms.Form):
    """One radio group per current member (`member-<user id>`). A mark posted for anyone
    else (a removed member, a stranger, a made-up id) fails the whole form."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"member-{row.member.user_id}"] = forms.ChoiceField(
                label=row.name,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=row.status,
            )

    def bound_rows(self):
        return [(row, self[f"member-{row.member.user_id}"]) for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        unknown = [key for key in self.data if MEMBER_FIELD.match(key) and key not in self.fields]
        if unknown:
            raise forms.ValidationError(
                "Someone in this register is not a member of the cohort (they may have "
                "left since the page was opened): nothing was saved. Reload the register "
                "and mark it again.",
                code="not_a_member",
            )
        return cleaned

    def marks(self) -> dict[int, str]:
        """{user id: status} for each member marked (a blank row stays as it was)."""
        return {
            row.member.user_id: self.cleaned_data[f"member-{row.member.user_id}"]
            for row in self.rows
            if self.cleaned_data.get(f"member-{row.member.user_id}")
        }


class NudgeForm(forms.Form):
    text = forms.CharField(
        label="Message",
        max_length=NUDGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Plain text, up to {NUDGE_MAX_LENGTH} characters. It arrives in Staffroom, "
            "from you, with a link to the cohort."
        ),
    )
