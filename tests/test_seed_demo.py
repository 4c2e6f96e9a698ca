from io import StringIO

from django.core.management import call_command

from community.models import Profile, School, User


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_network_and_prints_logins(db):
    output = seed()
    assert School.objects.count() >= 6
    assert len(set(School.objects.values_list("timezone", flat=True))) >= 4
    assert Profile.objects.filter(onboarded_at__isnull=False).count() >= 40
    assert User.objects.filter(is_staff=True).exists()
    assert "amira@staffroom.test" in output and "staffroom-demo" in output
    amira = User.objects.get(username="amira")
    assert amira.check_password("staffroom-demo")
    assert amira.emailaddress_set.get().verified
    assert "<strong>oracy</strong>" in amira.profile.bio_html


def test_seed_demo_builds_living_spaces(db):
    from community.models import Membership, Reaction, Report, Space, Thread

    seed()
    network = set(Space.objects.filter(kind="network").values_list("name", flat=True))
    assert {"EYFS", "Primary maths", "Secondary science", "Oracy", "Behaviour"} <= network
    assert Space.objects.filter(kind="school").count() == School.objects.count()
    assert Thread.objects.filter(post_count__gt=100).exists()
    assert Reaction.objects.exists() and Report.objects.filter(resolved_at=None).exists()
    assert Membership.objects.filter(user__username="moderator", role="moderator").exists()


def test_seed_demo_is_idempotent(db):
    seed()
    from community.models import ChatMessage, ChatSession, Post, Report, Space
    from inquiry.models import (
        Attendance,
        Cohort,
        CohortMember,
        Course,
        Credential,
        InquiryCycle,
        Module,
        RecordEntry,
        SchoolPriority,
    )

    def counts():
        models = (User, School, Profile, Space, Post, Report, ChatSession, ChatMessage)
        inquiry = (Module, InquiryCycle, RecordEntry, SchoolPriority)
        inquiry += (Course, Cohort, CohortMember, Attendance, Credential)
        return [m.objects.count() for m in models + inquiry]

    before = counts()
    seed()
    assert counts() == before


def test_seed_demo_has_a_session_about_to_start_and_one_to_read(db):
    import datetime as dt

    from django.utils import timezone

    from community import queries
    from community.models import ChatSession

    seed()
    soon = ChatSession.objects.get(ended_at=None)
    minutes = (soon.starts_at - timezone.now()).total_seconds() / 60
    assert 2 < minutes <= 5 and soon.questions.count() == 8  # released live, a minute in
    assert soon.space is None  # the whole network
    past = ChatSession.objects.exclude(ended_at=None).get()
    archive = queries.session_archive(past)
    assert past.state() == "ended" and past.began_at < timezone.now() - dt.timedelta(days=6)
    assert [len(g["answers"]) for g in archive["groups"]] == [3, 3, 2, 3]
    assert all(g["answers"][0].pinned_at for g in archive["groups"])  # a highlight leads


def test_seed_demo_has_a_library_cycles_at_every_stage_and_a_record_with_history(
    db, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from inquiry.models import Feedback, InquiryCycle, Module, RecordEntry, SchoolPriority

    with django_capture_on_commit_callbacks(execute=True):  # stage entries: on commit
        seed()
    published = Module.objects.published()
    assert (
        published.count() >= 28
        and published.filter(thread__isnull=False).count() == published.count()
    )
    assert Module.objects.filter(status="in_review").exists()  # something for staff to review
    assert len(set(published.values_list("phases__slug", flat=True))) >= 5
    stages = set(InquiryCycle.objects.values_list("stage", flat=True))
    assert stages == set(InquiryCycle.Stage.values)
    shared = InquiryCycle.objects.exclude(thread=None)
    assert shared.count() >= 2 and Feedback.objects.filter(cycle__in=shared).count() >= 3
    assert SchoolPriority.objects.filter(school__name="Riverside Primary School").exists()
    amira = RecordEntry.objects.filter(user__username="amira")
    months = {e.occurred_at.strftime("%Y-%m") for e in amira}
    assert len(months) >= 4 and set(amira.values_list("kind", flat=True)) >= {
        "module",
        "stage",
        "reflection",
        "session",
        "manual",
    }
    assert min(e.occurred_at for e in amira) < timezone.now() - timezone.timedelta(days=120)


def test_seed_demo_has_a_course_and_a_cohort_half_way_through(
    db, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from inquiry import queries_facilitation
    from inquiry.models import Attendance, Cohort, Course, Credential

    with django_capture_on_commit_callbacks(execute=True):  # cycles' progress: on commit
        output = seed()
    assert "grace@staffroom.test" in output
    course = Course.objects.get(title="Talk for learning")
    assert course.published_at and course.authors.filter(username="grace").exists()
    units = list(course.units.order_by("number"))
    assert len(units) == 4 and all(1 <= unit.modules.count() <= 2 for unit in units)
    assert [u.session_kind for u in units] == ["live_room", "in_person", "live_room", "link"]
    now = timezone.now()
    cohort = Cohort.objects.filter(course=course).select_related("course").latest("created_at")
    members = set(cohort.members.filter(removed_at=None).values_list("user__username", flat=True))
    assert len(members) == 12 and {"amira", "wanjiru"} <= members
    cohort_units = list(cohort.cohort_units.order_by("unit__number"))
    assert [cu.session_at < now for cu in cohort_units] == [True, True, False, False]
    assert cohort_units[2].opens_at < now < cohort_units[3].opens_at  # unit 3 open now
    for cu in cohort_units[:2]:  # the facilitator kept both registers, for everyone
        register = Attendance.objects.filter(cohort_unit=cu)
        assert register.count() == 12 and set(
            register.values_list("marked_by__username", flat=True)
        ) == {"grace"}
    assert Attendance.objects.filter(cohort_unit__cohort=cohort, status="apologies").exists()
    dashboard = queries_facilitation.dashboard(cohort, now=now)
    done = {row.user.username for row in dashboard.rows if row.progress.done_count == 2}
    assert "amira" in done and 3 <= len(done) < 12
    assert not any(row.progress.complete for row in dashboard.rows)
    quiet = [row for row in dashboard.at_risk if row.progress.last_activity is None]
    assert [row.user.username for row in quiet] == ["ben.w"] and dashboard.at_risk[0] == quiet[0]
    assert not Credential.objects.filter(cohort=cohort).exists()
    # The earlier run: three finished, and hold the course's credential.
    earlier = Cohort.objects.filter(course=course).exclude(pk=cohort.pk).get()
    assert Credential.objects.filter(cohort=earlier, revoked_at=None).count() == 3
