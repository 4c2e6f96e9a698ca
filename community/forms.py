from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from community.models import (
    Phase,
    Profile,
    School,
    Space,
    Subject,
    Thread,
    User,
    timezone_names,
    username_validator,
)
from community.services.forum import POST_MAX_LENGTH


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(timezone_names())]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=80, help_text="Your name as colleagues will see it, e.g. “Ms Amira Khan”."
    )
    username = forms.CharField(
        label="Handle",
        max_length=30,
        validators=[username_validator],
        help_text="Colleagues @mention you with this. Letters, digits, “_”, “.” and “-”.",
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("name"),
        required=False,
        empty_label="Not at a school / prefer not to say",
        help_text=format_lazy(
            'Not listed? <a href="{}">Add your school</a>.', reverse_lazy("community:school-create")
        ),
    )
    career_stage = forms.ChoiceField(
        choices=[("", "Prefer not to say")] + Profile.CareerStage.choices, required=False
    )
    phases = forms.ModelMultipleChoiceField(
        queryset=Phase.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    subjects = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        help_text="Every time in Staffroom is shown in this zone.",
        widget=forms.Select(attrs={"data-detect-timezone": ""}),
    )
    bio = forms.CharField(
        label="Short bio",
        max_length=Profile.BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you teach and what you are curious about. Markdown works.",
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = User.objects.filter(username__iexact=username).exclude(pk=self.user.pk)
        if taken.exists():
            raise forms.ValidationError("That handle is taken. Try another.")
        return username

    @classmethod
    def initial_for(cls, profile: Profile) -> dict:
        return {
            "display_name": profile.display_name,
            "username": profile.user.username,
            "school": profile.school_id,
            "career_stage": profile.career_stage,
            "phases": list(profile.phases.all()),
            "subjects": list(profile.subjects.all()),
            "timezone": profile.timezone,
            "bio": profile.bio,
        }


class SchoolForm(forms.Form):
    name = forms.CharField(max_length=120)
    town = forms.CharField(max_length=80, required=False, label="Town or city")
    country = LazyTypedChoiceField(choices=countries)
    timezone = forms.ChoiceField(
        choices=timezone_choices, widget=forms.Select(attrs={"data-detect-timezone": ""})
    )
    phase = forms.ChoiceField(choices=School.Phase.choices)

    def clean(self):
        data = super().clean()
        name, town, country = data.get("name"), data.get("town", ""), data.get("country")
        if name and country:
            clash = School.objects.filter(name__iexact=name, town__iexact=town, country=country)
            if clash.exists():
                raise forms.ValidationError(
                    "That school is already in the directory; choose it on your profile."
                )
        return data


class SchoolSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search schools")
    country = forms.ChoiceField(required=False)
    phase = forms.ChoiceField(choices=[("", "Any phase")] + School.Phase.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the countries that have schools: a filter that can never match is noise.
        present = set(School.objects.values_list("country", flat=True).distinct())
        self.fields["country"].choices = [("", "Any country")] + [
            (code, name) for code, name in countries if code in present
        ]


# --- Spaces and posts ---------------------------------------------------------------------


class SpaceForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(label="Who can see it", choices=Space.Kind.choices)
    description = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the space is for. Markdown works.",
    )
    phases = forms.ModelMultipleChoiceField(
        queryset=Phase.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    subjects = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in Space.Kind.choices if c[0] in kinds]


class SpaceFilterForm(forms.Form):
    phase = forms.ModelChoiceField(
        queryset=Phase.objects.all(), required=False, empty_label="Any phase", to_field_name="slug"
    )
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.all(),
        required=False,
        empty_label="Any subject",
        to_field_name="slug",
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=POST_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-draft": ""}),
        help_text="Markdown works: **bold**, *italic*, lists, links. @mention a colleague; "
        "add #tags.",
    )
    # One token per rendered form: the same form submitted twice makes one post.
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something first.")
        return body


class ThreadForm(PostForm):
    title = forms.CharField(max_length=160)
    kind = forms.ChoiceField(
        choices=Thread.Kind.choices,
        initial=Thread.Kind.DISCUSSION,
        widget=forms.RadioSelect,
        help_text="A question can have one reply marked as the answer.",
    )
    field_order = ["title", "kind", "body", "client_token"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Your post"


class InviteForm(forms.Form):
    username = forms.CharField(label="Handle of the teacher to add", max_length=30)

    def clean_username(self):
        name = self.cleaned_data["username"].lstrip("@")
        user = User.objects.filter(username__iexact=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No one on Staffroom has the handle “{name}”.")
        return user
