"""The CPD record's forms: validation only (the services check again and decide)."""

import datetime as dt

from django import forms
from django.utils.html import format_html, format_html_join

from inquiry.models.record import MAX_MINUTES, NOTES_MAX_LENGTH, TITLE_MAX_LENGTH
from inquiry.services.record import MAX_TAGS, TAG_MAX_LENGTH, check_tags, parse_tags

NOTES_HELP = "Markdown. What you took from it, what you will try: only you see this."
# A range filter's dates: wide enough for any career, narrow enough that a day's end
# (the next midnight) is always a date Python can hold.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


class EntryForm(forms.Form):
    """Editing an entry: its title, minutes, tags and the teacher's own notes."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    minutes = forms.IntegerField(
        min_value=0,
        max_value=MAX_MINUTES,
        help_text=f"Time spent, in minutes (0 to {MAX_MINUTES}).",
    )
    tags = forms.CharField(
        required=False,
        max_length=(TAG_MAX_LENGTH + 2) * MAX_TAGS * 2,
        help_text=(
            f"Your own labels, separated by commas, e.g. Teachers’ Standard 4, oracy "
            f"(at most {MAX_TAGS}, each up to {TAG_MAX_LENGTH} characters)."
        ),
    )
    notes = forms.CharField(
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NOTES_HELP,
    )

    def __init__(self, *args, tag_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        if tag_names:  # the teacher's vocabulary, so that "oracy" is spelled the same way
            # field.html marks help text safe: every name is escaped here.
            used = format_html_join(", ", "{}", ((name,) for name in tag_names))
            self.fields["tags"].help_text = format_html(
                "{} Yours so far: {}.", self.fields["tags"].help_text, used
            )

    def clean_tags(self) -> list[str]:
        return check_tags(parse_tags(self.cleaned_data["tags"]))


class ManualEntryForm(EntryForm):
    """Learning done elsewhere: a course, a book, a visit to another school."""

    occurred_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ["occurred_on", "title", "minutes", "tags", "notes"]


class RecordFilterForm(forms.Form):
    """The record's range (?from=2025-09-01&to=2026-07-31, days in the viewer's zone,
    both included) and one of the teacher's tags (?tag=oracy)."""

    def __init__(self, data, *, tag_names: list[str]):
        super().__init__(data)
        # "from" is a Python keyword, so these fields are added here, not declared.
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(required=False, label="From", widget=date_input)
        self.fields["to"] = forms.DateField(required=False, label="To", widget=date_input)
        self.fields["tag"] = forms.ChoiceField(
            required=False,
            label="Tag",
            choices=[("", "All tags"), *((name, name) for name in tag_names)],
        )

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Choose a day between {EARLIEST.year} and {LATEST.year}.")
        start, end = data.get("from"), data.get("to")
        if start and end and start > end and not self.has_error("to"):
            self.add_error("to", "The end of the range comes before its start.")
        return data
