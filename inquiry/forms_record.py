"""The CPD record's forms: validation only (the services check again and decide)."""

from django import forms

from inquiry.models.record import MAX_MINUTES, NOTES_MAX_LENGTH, TITLE_MAX_LENGTH

NOTES_HELP = "Markdown. What you took from it, what you will try: only you see this."


class EntryForm(forms.Form):
    """Editing an entry: its title, minutes and the teacher's own notes."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    minutes = forms.IntegerField(
        min_value=0,
        max_value=MAX_MINUTES,
        help_text=f"Time spent, in minutes (0 to {MAX_MINUTES}).",
    )
    notes = forms.CharField(
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NOTES_HELP,
    )


class ManualEntryForm(EntryForm):
    """Learning done elsewhere: a course, a book, a visit to another school."""

    occurred_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ["occurred_on", "title", "minutes", "notes"]
