"""The library's forms: validation only (inquiry.services.library checks again and decides)."""

import re

from django import forms

from community.models import Phase, Subject, Tag
from inquiry.models import CurriculumArea, Module, ModuleResource
from inquiry.models.library import MAX_MODULE_MINUTES
from inquiry.services import library as services

MINUTE_LIMITS = (5, 10, 15, 20)


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=services.TITLE_MAX_LENGTH)
    summary = forms.CharField(
        max_length=services.SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences: what a colleague will take from it.",
    )
    minutes = forms.IntegerField(
        label="Estimated minutes",
        min_value=1,
        max_value=MAX_MODULE_MINUTES,
        help_text=f"How long it takes to read and think about: 1 to {MAX_MODULE_MINUTES}.",
    )
    body = forms.CharField(
        label="The module",
        max_length=services.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown: headings, lists, links. Short paragraphs read best on a phone.",
    )
    try_prompt = forms.CharField(
        label="Try this in class",
        max_length=services.PROMPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One small thing to try with a class this week, and what to look for.",
    )
    phases = forms.ModelMultipleChoiceField(
        queryset=Phase.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    subjects = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    eyfs_areas = forms.ModelMultipleChoiceField(
        label="EYFS areas of learning",
        queryset=CurriculumArea.objects.filter(kind=CurriculumArea.Kind.EYFS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    key_stages = forms.ModelMultipleChoiceField(
        queryset=CurriculumArea.objects.filter(kind=CurriculumArea.Kind.KEY_STAGE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = forms.CharField(
        required=False,
        max_length=400,
        help_text="Words colleagues might look for, separated by commas: oracy, retrieval.",
    )

    def draft(self) -> services.ModuleDraft:
        data = self.cleaned_data
        return services.ModuleDraft(
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            minutes=data["minutes"],
            try_prompt=data["try_prompt"],
            phases=list(data["phases"]),
            subjects=list(data["subjects"]),
            areas=[*data["eyfs_areas"], *data["key_stages"]],
            tags=[word for word in re.split(r"[,;\n]+", data["tags"]) if word.strip()],
        )

    @staticmethod
    def initial_for(module: Module) -> dict:
        areas = list(module.areas.all())
        return {
            "title": module.title,
            "summary": module.summary,
            "minutes": module.minutes,
            "body": module.body,
            "try_prompt": module.try_prompt,
            "phases": list(module.phases.all()),
            "subjects": list(module.subjects.all()),
            "eyfs_areas": [a for a in areas if a.kind == CurriculumArea.Kind.EYFS],
            "key_stages": [a for a in areas if a.kind == CurriculumArea.Kind.KEY_STAGE],
            "tags": ", ".join(tag.name for tag in module.tags.all()),
        }


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(choices=ModuleResource.Kind.choices)
    title = forms.CharField(
        max_length=services.TITLE_MAX_LENGTH,
        required=False,
        help_text="Leave it empty to use the file's name.",
    )
    # Empty files get the same sentence as every other refusal, from inquiry.uploads.
    file = forms.FileField(
        allow_empty_file=True,
        help_text="A PDF, Word, Excel or PowerPoint file, OpenDocument, plain text, or an image "
        "(PNG, JPEG, GIF, WebP), up to 10 MB. Photos lose their location and camera details.",
    )


class SendBackForm(forms.Form):
    note = forms.CharField(
        label="Note to the author",
        max_length=services.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What would make it ready: the author sees this beside their draft.",
    )


class LibraryFilterForm(forms.Form):
    """The library's filters, all optional; a value that no longer exists is ignored."""

    SORTS = [("", "Newest first"), ("shortest", "Shortest first"), ("az", "Title, A to Z")]

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search the library",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. questioning"}),
    )
    phase = forms.ModelChoiceField(
        queryset=Phase.objects.all(), to_field_name="slug", required=False, empty_label="Any"
    )
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.all(), to_field_name="slug", required=False, empty_label="Any"
    )
    area = forms.ChoiceField(label="EYFS area or key stage", required=False)
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.filter(modules__status=Module.Status.PUBLISHED).distinct(),
        to_field_name="name",
        required=False,
        empty_label="Any",
    )
    minutes = forms.TypedChoiceField(
        label="Time",
        choices=[("", "Any length")] + [(str(n), f"{n} minutes or less") for n in MINUTE_LIMITS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {area.slug: area for area in CurriculumArea.objects.all()}
        groups = {kind: [] for kind in CurriculumArea.Kind}
        for area in self.areas.values():
            groups[area.kind].append((area.slug, area.name))
        self.fields["area"].choices = [("", "Any")] + [
            (label, groups[kind]) for kind, label in CurriculumArea.Kind.choices if groups[kind]
        ]
        if self.data.get("q"):
            # When searching, the best matches come first unless another order is chosen.
            self.fields["sort"].choices = [("", "Best match"), ("newest", "Newest first")] + [
                *self.SORTS[1:]
            ]

    def clean_area(self):
        return self.areas.get(self.cleaned_data["area"])

    def filters(self) -> dict:
        """The valid filters (an invalid one is left out rather than failing the page)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
