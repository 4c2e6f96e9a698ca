"""The course and unit forms: validation only (inquiry.services.courses checks again and
decides)."""

import re

from django import forms
from django.db.models import Q

from community.models import User
from inquiry.models import Course, Unit
from inquiry.services import courses as services


def find_people(text: str) -> tuple[list[User], list[str]]:
    """Active accounts named by username or email, separated by commas or spaces, and the
    words that named nobody."""
    found, unknown = [], []
    for word in dict.fromkeys(w for w in re.split(r"[,;\s]+", text) if w):
        word = word.lstrip("@")
        user = (
            User.objects.filter(Q(username__iexact=word) | Q(email__iexact=word), is_active=True)
            .select_related("profile")
            .first()
        )
        if user is None:
            unknown.append(word)
        elif user not in found:
            found.append(user)
    return found, unknown


class PeopleField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        people, unknown = find_people(value or "")
        if unknown:
            raise forms.ValidationError(
                "No teacher has the username or email %(words)s.",
                params={"words": ", ".join(f"“{w}”" for w in unknown)},
            )
        return people


class CourseForm(forms.Form):
    title = forms.CharField(max_length=services.TITLE_MAX_LENGTH)
    summary = forms.CharField(
        max_length=services.SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences for the course list.",
    )
    outcomes = forms.CharField(
        max_length=services.MARKDOWN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What a teacher will be able to do afterwards. Markdown: a list reads best.",
    )
    unlock = forms.ChoiceField(
        label="How the units open",
        choices=Course.Unlock.choices,
        widget=forms.RadioSelect,
        initial=Course.Unlock.BY_DATE,
    )

    def draft(self) -> services.CourseDraft:
        data = self.cleaned_data
        return services.CourseDraft(
            title=data["title"],
            summary=data["summary"],
            outcomes=data["outcomes"],
            unlock=data["unlock"],
        )

    @staticmethod
    def initial_for(course: Course) -> dict:
        return {
            "title": course.title,
            "summary": course.summary,
            "outcomes": course.outcomes,
            "unlock": course.unlock,
        }


class NewCourseForm(CourseForm):
    authors = PeopleField(
        required=False,
        max_length=1000,
        help_text="The teachers who will facilitate it: usernames or emails, separated by "
        "commas. They edit the course and start its cohorts. You can add more later.",
    )


class AuthorForm(forms.Form):
    person = forms.CharField(
        label="Username or email", max_length=254, help_text="Any teacher on Staffroom."
    )

    def clean_person(self):
        people, unknown = find_people(self.cleaned_data["person"])
        if unknown or len(people) != 1:
            raise forms.ValidationError("Give the username or email of one teacher on Staffroom.")
        return people[0]


class UnitForm(forms.Form):
    title = forms.CharField(max_length=services.TITLE_MAX_LENGTH)
    intro = forms.CharField(
        label="Introduction",
        required=False,
        max_length=services.MARKDOWN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What this unit is about and why it matters. Markdown.",
    )
    session_kind = forms.ChoiceField(
        label="Session",
        choices=Unit.SessionKind.choices,
        widget=forms.RadioSelect,
        initial=Unit.SessionKind.NONE,
        help_text="Each cohort sets the session's date and time.",
    )
    session_place = forms.CharField(
        label="Where (in person)",
        required=False,
        max_length=services.PLACE_MAX_LENGTH,
        help_text="For a session in person: the room and the school, for example.",
    )
    session_link = forms.CharField(
        label="The call's address (at a link)",
        required=False,
        max_length=500,
        widget=forms.URLInput,
        help_text="For a session at a link: the video call's full address, starting https://.",
    )
    session_minutes = forms.IntegerField(
        label="Session length in minutes",
        required=False,
        initial=60,
        min_value=services.MIN_SESSION_MINUTES,
        max_value=services.MAX_SESSION_MINUTES,
    )
    task = forms.CharField(
        label="Classroom task",
        required=False,
        max_length=services.MARKDOWN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Something to try with a class: each member starts an inquiry cycle from it. "
        "Markdown.",
    )
    reflection_prompt = forms.CharField(
        required=False,
        max_length=services.MARKDOWN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A question to reflect on after the task, shared with the cohort. Markdown.",
    )

    def draft(self) -> services.UnitDraft:
        data = self.cleaned_data
        return services.UnitDraft(
            title=data["title"],
            intro=data["intro"],
            session_kind=data["session_kind"],
            session_place=data["session_place"],
            session_link=data["session_link"],
            session_minutes=data["session_minutes"],
            task=data["task"],
            reflection_prompt=data["reflection_prompt"],
        )

    @staticmethod
    def initial_for(unit: Unit) -> dict:
        fields = ("title", "intro", "session_kind", "session_place", "session_link")
        fields += ("session_minutes", "task", "reflection_prompt")
        return {name: getattr(unit, name) for name in fields}


class ModuleSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a library module",
        max_length=200,
        help_text="Words from its title or summary. Modules already in the course are not shown.",
    )
