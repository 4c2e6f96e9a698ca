"""Forms for inquiry cycles: validation of the shape of what was sent; the rules and
everything that needs the database beyond a lookup live in inquiry.services.cycles."""

from django import forms

from inquiry.models import InquiryCycle, Module
from inquiry.models.cycles import REFLECTION_PROMPTS
from inquiry.services.cycles import FOCUS_MAX_LENGTH, MAX_STAGE_MINUTES, TEXT_MAX_LENGTH
from realtime.validation import MAX_ID


class StartForm(forms.Form):
    focus_question = forms.CharField(
        label="Your focus question",
        max_length=FOCUS_MAX_LENGTH,
        help_text="What do you want to find out in your own classroom? "
        "For example: How can talk partners get quieter pupils explaining their thinking?",
        widget=forms.Textarea(attrs={"rows": 2, "data-suggest-source": ""}),
    )
    # The slug of a published module (from ?module=, or one of the suggestions picked).
    module = forms.CharField(required=False, widget=forms.HiddenInput)
    previous = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )

    def clean_module(self):
        slug = self.cleaned_data["module"].strip()
        if not slug:
            return None
        module = Module.objects.published().filter(slug=slug).first()
        if module is None:
            raise forms.ValidationError("That module is not in the library.")
        return module


def minutes_field(label="How long did this take?"):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_STAGE_MINUTES,
        help_text="In minutes, for your CPD record. Leave it empty if you'd rather not say.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(choices=InquiryCycle.Stage.choices, widget=forms.HiddenInput)
    minutes = minutes_field()


class PlanForm(forms.Form):
    trial_class = forms.CharField(label="Class or year group", max_length=80, required=False)
    trial_date = forms.DateField(
        label="When", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    trial_what = forms.CharField(
        label="What I will try",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works here.",
    )
    trial_look_for = forms.CharField(
        label="What I will look for",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would tell you it made a difference?",
    )
    priority = forms.ModelChoiceField(
        label="Linked to a school priority",
        queryset=None,
        required=False,
        empty_label="None",
    )

    def __init__(self, *args, priorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if priorities is None or not priorities.exists():
            del self.fields["priority"]
        else:
            self.fields["priority"].queryset = priorities


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=[
            ("note", "A note"),
            ("photo", "A photo of pupils' work"),
            ("file", "A file (a worksheet, slides, a document)"),
        ],
        widget=forms.RadioSelect,
        initial="note",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you noticed. For a photo or a file, a caption. Markdown works here.",
    )
    file = forms.FileField(
        label="Photo or file",
        required=False,
        help_text="Up to 10 MB. Photos lose their location and camera details when "
        "uploaded. Please don't include pupils' faces or names.",
    )


class ReflectionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, prompt in REFLECTION_PROMPTS.items():
            self.fields[field] = forms.CharField(
                label=prompt,
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label="Who sees this cycle?",
        choices=InquiryCycle.Visibility.choices,
        widget=forms.RadioSelect,
    )
    space = forms.ModelChoiceField(
        label="Which group or cohort",
        queryset=None,
        required=False,
        help_text="Only for “A group or cohort I'm in”.",
    )

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces


class ShareForm(forms.Form):
    space = forms.ModelChoiceField(
        label="Share in", queryset=None, empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces


class FeedbackForm(forms.Form):
    warm = forms.CharField(
        label="Warm: what worked",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cool = forms.CharField(
        label="Cool: a question or a suggestion",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = minutes_field("How long did you spend on this?")
