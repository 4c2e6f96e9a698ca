"""The run-sheet form: times are read in the host's own zone (the active timezone)."""

from django import forms

from community.models import Membership, SessionSeries, Space
from community.models.sessions import MAX_QUESTIONS
from community.services.sessions import INTRO_MAX_LENGTH, RunSheet
from realtime.validation import MAX_ID

LOCAL = "%Y-%m-%dT%H:%M"


class RunSheetForm(forms.Form):
    title = forms.CharField(max_length=120)
    space = forms.ModelChoiceField(
        queryset=Space.objects.none(),
        required=False,
        label="Audience",
        empty_label="The whole network",
        help_text="A space's sessions are for the people who can see that space.",
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )
    duration_minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(m, f"{m} minutes") for m in (30, 45, 60, 75, 90, 120)],
        initial=60,
    )
    intro = forms.CharField(
        label="Topic introduction",
        required=False,
        max_length=INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Shown on the session page before and during the hour.",
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"One question per line, Q1 first (at most {MAX_QUESTIONS}).",
    )
    offsets = forms.CharField(
        label="Release times",
        required=False,
        help_text="Minutes after the start, one per question, e.g. 5, 12, 19. "
        "Leave empty to spread the questions evenly.",
    )
    answer_first = forms.BooleanField(
        label="Answer first",
        required=False,
        help_text="Participants see others' answers to a question only after posting theirs.",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_ID
    )
    NEW_SERIES = "new"

    def __init__(self, *args, user, repeat=False, **kwargs):
        """`repeat`: offer "Repeat weekly" (when planning; an edit keeps the series)."""
        super().__init__(*args, **kwargs)
        moderated = Membership.objects.active().filter(user=user, role=Membership.Role.MODERATOR)
        self.fields["space"].queryset = Space.objects.filter(
            pk__in=moderated.values("space_id")
        ).order_by("name")
        self.series: dict[str, SessionSeries] = {}
        if repeat:
            hosted = SessionSeries.objects.filter(host=user).order_by("title")
            self.series = {str(s.pk): s for s in hosted}
            self.fields["repeat"] = forms.ChoiceField(
                label="Repeat weekly",
                required=False,
                choices=[
                    ("", "No, just this once"),
                    (self.NEW_SERIES, "Yes: start a weekly series named after this session"),
                    *[
                        (pk, f"Yes: add it to my series “{s.title}”")
                        for pk, s in self.series.items()
                    ],
                ],
                help_text="A series has its own page and a calendar feed people subscribe to.",
            )

    def clean_offsets(self):
        text = self.cleaned_data["offsets"].strip()
        if not text:
            return None
        try:
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Write whole minutes, separated by commas.") from None

    def sheet(self) -> RunSheet:
        data = self.cleaned_data
        return RunSheet(
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            questions=[line for line in data["questions"].splitlines() if line.strip()],
            offsets=data["offsets"],
            intro=data["intro"],
            space=data["space"],
            answer_first=data["answer_first"],
            series=self.series.get(data.get("repeat") or ""),
            new_series=data.get("repeat") == self.NEW_SERIES,
        )
