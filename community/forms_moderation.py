"""Forms of the moderation pages: validation only; the services enforce the rules."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from community.models import Report
from community.services.moderation import HIDDEN_REASON_MAX_LENGTH, NOTE_MAX_LENGTH
from realtime.validation import MAX_ID

DURATIONS = {
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("1 week", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
}
LIFT = "lift"


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        label="What is the problem?",
        help_text="A safeguarding concern reaches Staffroom staff straight away.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        label="Anything the moderators should know",
        help_text="Only moderators read this.",
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        max_length=HIDDEN_REASON_MAX_LENGTH,
        help_text="The author is told this reason.",
    )


class LockForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


class MoveForm(forms.Form):
    """The target is a space id: the view loads it through `visible_to` (a space the
    moderator can't see is a 404, not a form error)."""

    to_space = forms.IntegerField(
        label="Move to", widget=forms.Select, min_value=1, max_value=MAX_ID
    )
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_space"].widget.choices = [(s.pk, s.name) for s in spaces]


class MemberActionForm(forms.Form):
    duration = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in DURATIONS.items()], widget=forms.RadioSelect
    )
    reason = forms.CharField(max_length=500, help_text="The member is told this reason.")

    def until(self):
        return timezone.now() + DURATIONS[self.cleaned_data["duration"]][1]


class SuspendForm(MemberActionForm):
    duration = forms.ChoiceField(
        label="Suspension",
        choices=[(key, f"Suspend for {label}") for key, (label, _) in DURATIONS.items()]
        + [(LIFT, "Lift the suspension")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Required to suspend; the person is told it."
    )

    @property
    def lifting(self) -> bool:
        return self.cleaned_data["duration"] == LIFT

    def clean(self):
        data = super().clean()
        if data.get("duration") not in (None, LIFT) and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason: the person is told it.")
        return data
