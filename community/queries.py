"""Page-shaped reads for the community pages."""

from django.db.models import Count, Q

from community.models import Profile, School


def network_figures() -> dict:
    teachers = Profile.objects.filter(user__is_active=True, onboarded_at__isnull=False)
    schools = School.objects.aggregate(
        schools=Count("pk"), countries=Count("country", distinct=True)
    )
    return {"teacher_count": teachers.count(), **schools}


def landing_figures() -> dict:
    return {"figures": network_figures()}


def home_for(profile: Profile) -> dict:
    """The signed-in home page: who I am, my school, and people like me."""
    user = profile.user
    visible = Profile.objects.visible_to(user).for_cards().filter(onboarded_at__isnull=False)
    colleagues = []
    if profile.school_id:
        colleagues = list(
            visible.filter(school_id=profile.school_id)
            .exclude(pk=profile.pk)
            .order_by("display_name")[:6]
        )
    phase_ids = [p.pk for p in profile.phases.all()]
    subject_ids = [s.pk for s in profile.subjects.all()]
    peers = (
        visible.exclude(pk=profile.pk)
        .exclude(school_id=profile.school_id)
        .filter(Q(subjects__in=subject_ids) | Q(phases__in=phase_ids))
        .annotate(
            shared=Count("subjects", filter=Q(subjects__in=subject_ids), distinct=True)
            + Count("phases", filter=Q(phases__in=phase_ids), distinct=True)
        )
        .order_by("-shared", "-onboarded_at")[:8]
    )
    school = None
    if profile.school_id:
        school = School.objects.with_member_count().get(pk=profile.school_id)
    return {
        "profile": profile,
        "school": school,
        "colleagues": colleagues,
        "peers": list(peers),
        "newest": list(visible.exclude(pk=profile.pk).order_by("-onboarded_at")[:6]),
        "figures": network_figures(),
    }
