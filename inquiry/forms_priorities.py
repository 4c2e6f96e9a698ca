"""A school priority's form: validation only (the service checks again and decides)."""

from django import forms

from inquiry.services.priorities import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH


class PriorityForm(forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        help_text="Short and plain, as staff say it: “Oracy across the curriculum”.",
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Markdown. Why it matters this year and what it could look like in a classroom. "
            "Everyone who opens the school page reads it."
        ),
    )
