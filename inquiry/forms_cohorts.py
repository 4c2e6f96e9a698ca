"""Cohort forms: validation only. Dates and times are typed in the facilitator's own zone
(the form is cleaned with that zone active) and handed to the services as aware datetimes,
stored in UTC."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone

from community.models import User
from inquiry.services.cohorts import MAX_CAPACITY, NAME_MAX_LENGTH, UnitDates, default_unit_dates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def end_of(day: date, zone: ZoneInfo) -> datetime:
    """An invite "until 30 May" works to the end of that day."""
    return start_of(day + timedelta(days=1), zone)


def _naive(moment: datetime | None, zone: ZoneInfo):
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


class ZonedForm(forms.Form):
    """A form whose dates and times mean the wall clock in `zone`."""

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def full_clean(self):
        with timezone.override(self.zone):
            super().full_clean()


class UnitDatesMixin:
    """One opening date and (for a unit with a session) one session date-time per unit."""

    def add_unit_fields(self, units, current: dict | None = None, required: bool = True):
        self.units = list(units)
        current = current or {}
        for unit in self.units:
            dates = current.get(unit.pk)
            self.fields[f"unit_{unit.number}_opens"] = forms.DateField(
                label=f"Unit {unit.number} opens on",
                widget=DATE,
                required=required,
                initial=_naive(dates.opens_at, self.zone).date() if dates else None,
            )
            if unit.has_session:
                self.fields[f"unit_{unit.number}_session"] = forms.DateTimeField(
                    label=f"Unit {unit.number} session ({unit.get_session_kind_display()})",
                    widget=DATETIME,
                    required=required,
                    initial=_naive(dates.session_at, self.zone) if dates else None,
                )

    def unit_fields(self):
        return [self[name] for name in self.fields if name.startswith("unit_")]

    def given_unit_dates(self) -> list[UnitDates] | None:
        """The dates typed in, or None when every unit field was left blank."""
        data = self.cleaned_data
        if not any(data.get(name) for name in self.fields if name.startswith("unit_")):
            return None
        dates = []
        for unit in self.units:
            opens = data.get(f"unit_{unit.number}_opens")
            session = data.get(f"unit_{unit.number}_session")
            if opens is None:
                self.add_error(f"unit_{unit.number}_opens", "When does this unit open?")
                continue
            if unit.has_session and session is None:
                self.add_error(f"unit_{unit.number}_session", "When is this unit's session?")
                continue
            dates.append(UnitDates(unit, start_of(opens, self.zone), session))
        return dates


class CohortForm(UnitDatesMixin, ZonedForm):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH, help_text="For example “Spring 2027, Leeds”."
    )
    capacity = forms.IntegerField(
        min_value=1, max_value=MAX_CAPACITY, initial=30, help_text=f"From 1 to {MAX_CAPACITY}."
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Facilitate with",
        help_text="You facilitate it; choose any of the course's other authors to join you.",
    )
    invite_expires = forms.DateField(
        required=False,
        widget=DATE,
        label="Invite code works until",
        help_text="Leave blank to keep it open until the cohort is full.",
    )
    start = forms.DateField(
        required=False,
        widget=DATE,
        label="Start date",
        help_text="Leave the unit dates below blank to open one unit a fortnight from this "
        "date, each unit's session a week after it opens, at 19:00.",
    )

    def __init__(self, *args, course, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["facilitators"].queryset = (
            course.authors.exclude(pk=actor.pk).select_related("profile").order_by("pk")
        )
        self.fields["facilitators"].label_from_instance = lambda user: user.profile.display_name
        self.add_unit_fields(course.units.order_by("number"), required=False)
        today = timezone.localdate(timezone=self.zone)
        self.fields["start"].initial = today + timedelta(days=7 - today.weekday())  # next Monday
        if not self.fields["facilitators"].queryset.exists():
            del self.fields["facilitators"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        dates = self.given_unit_dates()
        if dates is None:
            if not data.get("start"):
                self.add_error("start", "Give a start date, or each unit's dates below.")
                return data
            dates = default_unit_dates(self.units, start=data["start"], zone=self.zone)
        data["unit_dates"] = dates
        expires = data.get("invite_expires")
        data["invite_expires_at"] = end_of(expires, self.zone) if expires else None
        return data


class UnitDatesForm(UnitDatesMixin, ZonedForm):
    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        current = {
            cu.unit_id: UnitDates(cu.unit, cu.opens_at, cu.session_at)
            for cu in cohort.cohort_units.select_related("unit")
        }
        self.add_unit_fields([d.unit for d in current.values()], current)

    def clean(self):
        data = super().clean()
        if not self.errors:
            data["unit_dates"] = self.given_unit_dates()
        return data


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Invite code",
        max_length=32,
        help_text="Eight letters and numbers, from your facilitator.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AddMemberForm(forms.Form):
    who = forms.CharField(
        label="Username or email", max_length=254, help_text="Someone with a Staffroom account."
    )

    def clean_who(self):
        text = self.cleaned_data["who"].strip().lstrip("@")
        user = (
            User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text), is_active=True)
            .select_related("profile")
            .first()
        )
        if user is None:
            raise forms.ValidationError("Nobody on Staffroom has that username or email.")
        return user


class RegenerateCodeForm(ZonedForm):
    invite_expires = forms.DateField(
        required=False,
        widget=DATE,
        label="New code works until",
        help_text="Leave blank to keep it open until the cohort is full.",
    )

    def clean(self):
        data = super().clean()
        expires = data.get("invite_expires")
        data["invite_expires_at"] = end_of(expires, self.zone) if expires else None
        return data
