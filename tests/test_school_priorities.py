"""School improvement priorities: who leads a school, publishing, editing and archiving a
priority, and the school page's section, where only cycles shared with the school or the
network ever appear (never private ones, not even to the lead or the owner)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from community.models import Membership
from inquiry import rules
from inquiry.models import InquiryCycle, SchoolPriority
from inquiry.queries_priorities import CYCLES_ON_SCHOOL_PAGE, school_priorities
from inquiry.services import priorities as service
from tests.factories import make_school, make_space, make_user

V = InquiryCycle.Visibility


@pytest.fixture
def school_space(school):
    return make_space(kind="school", school=school, name="Riverside staffroom", slug="riverside")


@pytest.fixture
def lead(school, school_space):
    """Grace, deputy head: a teacher at the school who moderates its own space."""
    user = make_user(username="grace", school=school, display_name="Grace Okafor")
    Membership.objects.create(space=school_space, user=user, role=Membership.Role.MODERATOR)
    return user


@pytest.fixture
def priority(school, lead):
    return service.create_priority(
        actor=lead, school=school, title="Oracy", description="Talk that **builds** writing."
    )


def _cycle(owner, *, priority, visibility=V.PRIVATE, question=None, school=None, space=None):
    if visibility == V.SCHOOL and school is None:
        school = owner.profile.school
    return InquiryCycle.objects.create(
        owner=owner,
        focus_question=question or f"Does think-pair-share help {owner.username}'s class?",
        priority=priority,
        visibility=visibility,
        school=school,
        space=space,
        stage=InquiryCycle.Stage.TRY,
    )


def _page(client, user, school):
    client.force_login(user)
    return client.get(reverse("community:school", kwargs={"slug": school.slug}))


# --- Who leads a school -----------------------------------------------------------------


def test_staff_and_the_moderators_of_the_schools_own_space_lead_it(school, lead, staff):
    assert rules.can_lead_school(lead, school)
    assert rules.can_lead_school(staff, school)


def test_teachers_at_the_school_elsewhere_and_moderators_of_other_spaces_do_not_lead(
    school, school_space, teacher, colleague, teacher_elsewhere, moderator, space
):
    Membership.objects.create(space=school_space, user=teacher)  # a member, not a moderator
    for user in (teacher, colleague, teacher_elsewhere, moderator):
        assert not rules.can_lead_school(user, school), user


def test_anonymous_does_not_lead(school):
    assert not rules.can_lead_school(AnonymousUser(), school)


def test_a_moderator_of_another_schools_space_does_not_lead_this_one(school, lead):
    other = make_school(name="Hillcrest Academy")
    assert rules.can_lead_school(lead, school)
    assert not rules.can_lead_school(lead, other)


def test_a_moderator_removed_from_the_space_or_suspended_does_not_lead(school, school_space, lead):
    def fresh():  # a new request's user object: nothing cached on it
        return type(lead).objects.get(pk=lead.pk)

    later = timezone.now() + timedelta(days=3)
    Membership.objects.filter(user=lead).update(removed_until=later)
    assert not rules.can_lead_school(fresh(), school)
    Membership.objects.filter(user=lead).update(removed_until=timezone.now())  # ran out
    assert rules.can_lead_school(fresh(), school)
    type(lead).objects.filter(pk=lead.pk).update(suspended_until=later)
    assert not rules.can_lead_school(fresh(), school)


def test_leading_is_one_query_per_user_however_many_schools_are_asked_about(
    school, lead, django_assert_num_queries
):
    schools = [school, make_school(), make_school()]
    with django_assert_num_queries(1):
        assert [rules.can_lead_school(lead, s) for s in schools] == [True, False, False]


def test_an_archived_priority_is_no_longer_edited_or_offered(
    priority, lead, teacher, teacher_elsewhere
):
    assert rules.can_edit_priority(lead, priority)
    assert rules.can_link_priority(teacher, priority)
    assert not rules.can_link_priority(teacher_elsewhere, priority)  # not their school
    service.archive_priority(actor=lead, priority=priority)
    assert not rules.can_edit_priority(lead, priority)
    assert not rules.can_link_priority(teacher, priority)


# --- Publishing, editing, archiving ------------------------------------------------------


def test_a_lead_publishes_a_priority_with_its_description_rendered_once(school, lead):
    priority = service.create_priority(
        actor=lead,
        school=school,
        title="  Oracy across the curriculum ",
        description="Talk **first**.\n\n<script>alert(1)</script>",
    )
    priority.refresh_from_db()
    assert priority.title == "Oracy across the curriculum"
    assert "<strong>first</strong>" in priority.description_html
    assert "<script>" not in priority.description_html
    assert priority.created_by == lead and priority.archived_at is None


def test_staff_publish_for_any_school(school, staff):
    assert service.create_priority(actor=staff, school=school, title="Feedback").pk


@pytest.mark.parametrize("who", ["teacher", "teacher_elsewhere", "moderator"])
def test_nobody_else_publishes_and_nothing_is_saved(request, school, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        service.create_priority(actor=user, school=school, title="Oracy")
    assert not SchoolPriority.objects.exists()


@pytest.mark.parametrize(
    "title, description, field",
    [
        ("", "", "title"),
        ("    ", "", "title"),
        ("x" * 121, "", "title"),
        ("Oracy", "y" * (service.DESCRIPTION_MAX_LENGTH + 1), "description"),
    ],
)
def test_bad_input_is_refused_by_field_and_saves_nothing(school, lead, title, description, field):
    with pytest.raises(ValidationError) as refused:
        service.create_priority(actor=lead, school=school, title=title, description=description)
    assert field in refused.value.message_dict
    assert not SchoolPriority.objects.exists()


def test_two_current_priorities_of_a_school_never_share_a_title(school, lead, priority, staff):
    with pytest.raises(ValidationError, match="already has a current priority"):
        service.create_priority(actor=lead, school=school, title="ORACY")
    assert service.create_priority(actor=staff, school=make_school(), title="Oracy").pk
    service.archive_priority(actor=lead, priority=priority)
    assert service.create_priority(actor=lead, school=school, title="Oracy").pk != priority.pk


def test_a_lead_edits_a_priority(priority, lead):
    service.update_priority(actor=lead, priority=priority, title="Oracy", description="*Talk*")
    priority.refresh_from_db()
    assert priority.description_html == "<p><em>Talk</em></p>"


def test_others_cannot_edit_and_bad_edits_change_nothing(priority, lead, teacher):
    with pytest.raises(PermissionDenied):
        service.update_priority(actor=teacher, priority=priority, title="Mine", description="")
    with pytest.raises(ValidationError):
        service.update_priority(actor=lead, priority=priority, title="", description="New")
    priority.refresh_from_db()
    assert (priority.title, priority.description) == ("Oracy", "Talk that **builds** writing.")


def test_archiving_keeps_linked_cycles_and_happens_once(priority, lead, teacher, staff):
    cycle = _cycle(teacher, priority=priority, visibility=V.SCHOOL)
    with pytest.raises(PermissionDenied):
        service.archive_priority(actor=teacher, priority=priority)
    service.archive_priority(actor=staff, priority=priority)
    with pytest.raises(ValidationError, match="already archived"):
        service.archive_priority(actor=lead, priority=priority)
    cycle.refresh_from_db()
    assert cycle.priority_id == priority.pk
    assert SchoolPriority.objects.get().archived_at is not None


# --- The school page --------------------------------------------------------------------


@pytest.fixture
def cycles(priority, teacher, colleague, teacher_elsewhere, school, space):
    """One cycle of each kind of sharing, all linked to the priority."""
    return {
        "school": _cycle(teacher, priority=priority, visibility=V.SCHOOL, question="Q-school?"),
        "network": _cycle(
            teacher_elsewhere, priority=priority, visibility=V.NETWORK, question="Q-network?"
        ),
        "private": _cycle(teacher, priority=priority, question="Q-private?"),
        "space": _cycle(
            colleague, priority=priority, visibility=V.SPACE, space=space, question="Q-space?"
        ),
        # Shared with another school (its owner's earlier one): not this school's.
        "other-school": _cycle(
            colleague,
            priority=priority,
            visibility=V.SCHOOL,
            school=teacher_elsewhere.profile.school,
            question="Q-elsewhere?",
        ),
    }


@pytest.mark.parametrize("who", ["teacher", "colleague", "lead"])
def test_the_school_page_shows_only_cycles_shared_with_the_school_or_network(
    request, client, school, cycles, who
):
    response = _page(client, request.getfixturevalue(who), school)
    html = response.content.decode()
    assert response.status_code == 200
    assert "School priorities" in html and "Oracy" in html
    assert "Q-school?" in html and "Q-network?" in html
    # Private: not even for its owner (teacher) or the lead; space-only: not even for
    # members of that space (teacher, colleague).
    for hidden in ("Q-private?", "Q-space?", "Q-elsewhere?"):
        assert hidden not in html, hidden
    assert f'href="/inquiry/{cycles["school"].pk}/"' in html
    assert "Inquiry cycles shared (2)" in html
    assert "Amira Khan" in html and "Wanjiru Kamau" in html


def test_staff_lead_every_school_but_see_only_what_is_shared_with_them(
    client, school, cycles, staff
):
    """Leading a school is publishing its priorities, not reading its teachers' work: a
    cycle shared with the school is for the people of that school."""
    html = _page(client, staff, school).content.decode()
    assert "Add a priority" in html
    assert "Q-network?" in html and "Q-school?" not in html and "Q-private?" not in html


def test_a_teacher_elsewhere_sees_the_network_cycle_but_not_the_schools(
    client, school, cycles, teacher_elsewhere
):
    html = _page(client, teacher_elsewhere, school).content.decode()
    assert "Q-network?" in html and "Q-school?" not in html
    assert "Inquiry cycles shared (1)" in html


def test_cycles_of_a_deactivated_account_leave_the_page(client, school, cycles, teacher, lead):
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    html = _page(client, lead, school).content.decode()
    assert "Q-school?" not in html and "Q-network?" in html


def test_leads_see_the_controls_and_teachers_do_not(client, school, priority, lead, teacher):
    create = reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    edit = reverse("inquiry:priority-edit", kwargs={"slug": school.slug, "pk": priority.pk})
    archive = reverse("inquiry:priority-archive", kwargs={"slug": school.slug, "pk": priority.pk})
    html = _page(client, lead, school).content.decode()
    assert create in html and edit in html and archive in html and "Add a priority" in html
    html = _page(client, teacher, school).content.decode()
    assert create not in html and edit not in html and archive not in html


def test_an_archived_priority_leaves_the_section_but_keeps_its_page(
    client, school, priority, lead, teacher
):
    service.archive_priority(actor=lead, priority=priority)
    html = _page(client, teacher, school).content.decode()
    assert "Inquiry cycles shared" not in html
    assert "Earlier priorities" in html and "no current priorities" in html
    url = reverse("inquiry:priority", kwargs={"slug": school.slug, "pk": priority.pk})
    html = client.get(url).content.decode()
    assert "Archived" in html and "no longer offered" in html


def _fill(school, lead, *, priorities, cycles_each):
    people = [make_user(school=school) for _ in range(3)]
    for _ in range(priorities):
        title = f"Priority {SchoolPriority.objects.count() + 1}"
        p = service.create_priority(actor=lead, school=school, title=title)
        for i in range(cycles_each):
            _cycle(people[i % 3], priority=p, visibility=[V.SCHOOL, V.NETWORK][i % 2])
            _cycle(people[i % 3], priority=p)  # private: never shown


def _queries_of(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_school_page_query_count_does_not_grow_with_priorities_or_cycles(
    client, school, lead, teacher, django_assert_num_queries
):
    url = reverse("community:school", kwargs={"slug": school.slug})
    _fill(school, lead, priorities=1, cycles_each=1)
    small = _queries_of(client, teacher, url)
    _fill(school, lead, priorities=4, cycles_each=CYCLES_ON_SCHOOL_PAGE + 3)
    client.force_login(teacher)
    with django_assert_num_queries(small):
        html = client.get(url).content.decode()
    assert f"See all {CYCLES_ON_SCHOOL_PAGE + 3} cycles" in html
    assert html.count('class="priority-cycle"') == 1 + 4 * CYCLES_ON_SCHOOL_PAGE


def test_the_section_shows_the_latest_cycles_and_counts_them_all(school, lead, teacher):
    p = service.create_priority(actor=lead, school=school, title="Feedback")
    made = [_cycle(teacher, priority=p, visibility=V.SCHOOL) for _ in range(7)]
    for n, cycle in enumerate(made):
        InquiryCycle.objects.filter(pk=cycle.pk).update(
            updated_at=timezone.now() - timedelta(days=n)
        )
    (shown,) = school_priorities(school, teacher).current
    assert shown.cycle_count == 7
    assert [c.pk for c in shown.shown_cycles] == [c.pk for c in made[:CYCLES_ON_SCHOOL_PAGE]]


# --- A priority's page ------------------------------------------------------------------


def test_the_priority_page_lists_all_its_shared_cycles_and_no_private_one(
    client, school, priority, cycles, teacher
):
    client.force_login(teacher)  # owns the private cycle; a member of the cycle's space
    url = reverse("inquiry:priority", kwargs={"slug": school.slug, "pk": priority.pk})
    html = client.get(url).content.decode()
    assert "Q-school?" in html and "Q-network?" in html
    assert "Q-private?" not in html and "Q-space?" not in html and "Q-elsewhere?" not in html
    assert "Inquiry cycles shared (2)" in html
    assert "<strong>builds</strong>" in html


def test_the_priority_page_query_count_does_not_grow(
    client, school, lead, teacher, django_assert_num_queries
):
    p = service.create_priority(actor=lead, school=school, title="Reading for pleasure")
    url = reverse("inquiry:priority", kwargs={"slug": school.slug, "pk": p.pk})
    _cycle(teacher, priority=p, visibility=V.SCHOOL)
    small = _queries_of(client, teacher, url)
    for _ in range(20):
        _cycle(make_user(school=school), priority=p, visibility=V.NETWORK)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def test_a_priority_under_another_schools_address_is_not_found(client, priority, teacher):
    other = make_school()
    client.force_login(teacher)
    for name in ("inquiry:priority", "inquiry:priority-edit"):
        url = reverse(name, kwargs={"slug": other.slug, "pk": priority.pk})
        assert client.get(url).status_code == 404
    url = reverse("inquiry:priority", kwargs={"slug": "no-such-school", "pk": priority.pk})
    assert client.get(url).status_code == 404


# --- The leads' forms -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, school, priority):
    kw = {"slug": school.slug, "pk": priority.pk}
    for url in (
        reverse("inquiry:priority", kwargs=kw),
        reverse("inquiry:priority-edit", kwargs=kw),
        reverse("inquiry:priority-create", kwargs={"slug": school.slug}),
    ):
        assert "/accounts/login/" in client.get(url)["Location"]
    response = client.post(reverse("inquiry:priority-archive", kwargs=kw))
    assert "/accounts/login/" in response["Location"]
    assert SchoolPriority.objects.get().archived_at is None


def test_a_lead_publishes_through_the_form(client, school, lead):
    client.force_login(lead)
    url = reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Oracy", "description": "Stems in every lesson."})
    priority = SchoolPriority.objects.get()
    assert response["Location"] == f"/schools/{school.slug}/#priority-{priority.pk}"
    assert priority.school == school and priority.created_by == lead


@pytest.mark.parametrize(
    "data", [{"title": "", "description": "x"}, {"title": "x" * 121, "description": ""}]
)
def test_the_form_refuses_bad_input_and_saves_nothing(client, school, lead, data):
    client.force_login(lead)
    url = reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    assert not SchoolPriority.objects.exists()


def test_a_duplicate_title_is_shown_on_the_field(client, school, lead, priority):
    client.force_login(lead)
    url = reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    response = client.post(url, {"title": "oracy", "description": ""})
    assert response.context["form"].errors["title"]
    assert SchoolPriority.objects.count() == 1


def test_teachers_get_403_on_the_forms_and_nothing_changes(client, school, priority, teacher):
    client.force_login(teacher)
    kw = {"slug": school.slug, "pk": priority.pk}
    create = reverse("inquiry:priority-create", kwargs={"slug": school.slug})
    assert client.get(create).status_code == 403
    assert client.post(create, {"title": "Mine"}).status_code == 403
    edit = reverse("inquiry:priority-edit", kwargs=kw)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Mine"}).status_code == 403
    assert client.post(reverse("inquiry:priority-archive", kwargs=kw)).status_code == 403
    priority.refresh_from_db()
    assert priority.title == "Oracy" and priority.archived_at is None
    assert SchoolPriority.objects.count() == 1


def test_a_lead_edits_through_the_form(client, school, priority, lead):
    client.force_login(lead)
    url = reverse("inquiry:priority-edit", kwargs={"slug": school.slug, "pk": priority.pk})
    assert 'value="Oracy"' in client.get(url).content.decode()
    response = client.post(url, {"title": "Oracy and talk", "description": ""})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.title == "Oracy and talk" and priority.description_html == ""


def test_an_archived_priority_is_not_edited(client, school, priority, lead):
    service.archive_priority(actor=lead, priority=priority)
    client.force_login(lead)
    url = reverse("inquiry:priority-edit", kwargs={"slug": school.slug, "pk": priority.pk})
    assert client.get(url).status_code == 403


def test_a_lead_archives_and_archiving_again_says_so(client, school, priority, lead):
    client.force_login(lead)
    url = reverse("inquiry:priority-archive", kwargs={"slug": school.slug, "pk": priority.pk})
    response = client.post(url, follow=True)
    assert "is archived" in response.content.decode()
    assert SchoolPriority.objects.get().archived_at is not None
    response = client.post(url, follow=True)
    assert "already archived" in response.content.decode()


def test_wrong_methods_are_refused(client, school, priority, lead):
    client.force_login(lead)
    kw = {"slug": school.slug, "pk": priority.pk}
    assert client.get(reverse("inquiry:priority-archive", kwargs=kw)).status_code == 405
    assert client.post(reverse("inquiry:priority", kwargs=kw)).status_code == 405
    assert client.delete(reverse("inquiry:priority-edit", kwargs=kw)).status_code == 405
    assert SchoolPriority.objects.get().archived_at is None


# --- The demo library's content ---------------------------------------------------------


def test_the_demo_modules_are_short_practical_and_tagged_with_real_vocabulary(db):
    from community.markdown import render_markdown
    from community.models import Phase, Subject
    from inquiry.management.commands._demo_library import modules
    from inquiry.models import CurriculumArea
    from inquiry.models.library import MAX_MODULE_MINUTES

    made = modules()
    assert 25 <= len(made) <= 35
    assert len({m["slug"] for m in made}) == len(made)
    phases = set(Phase.objects.values_list("slug", flat=True))
    subjects = set(Subject.objects.values_list("name", flat=True))
    areas = set(CurriculumArea.objects.values_list("slug", flat=True))
    for m in made:
        assert 150 <= len(m["body"].split()) <= 350, m["title"]
        assert 5 <= m["minutes"] <= min(20, MAX_MODULE_MINUTES), m["title"]
        assert len(m["title"]) <= 120 and len(m["summary"]) <= 300 and m["try_prompt"]
        assert m["phases"] and set(m["phases"]) <= phases, m["title"]
        assert set(m["subjects"]) <= subjects and set(m["areas"]) <= areas, m["title"]
        assert m["tags"] and all(t == slugify(t) and len(t) <= 40 for t in m["tags"])
        html = render_markdown(m["body"]).html
        assert "<h2>" in html and "<li>" in html  # dedented: headings and lists, not code
        assert "<br" not in html  # paragraphs unwrapped (render_markdown keeps line breaks)
    covered = {p for m in made for p in m["phases"]}
    assert covered == phases  # EYFS, primary, secondary, post-16 and SEND all there
    assert modules()[0] is not made[0]  # fresh dicts: a caller may change its copy


def test_seed_priorities_publishes_through_the_service_and_can_run_again(db, staff):
    from inquiry.management.commands._demo_library import PRIORITIES, seed_priorities

    riverside = make_school(name="Riverside Primary School")
    made = seed_priorities({"Riverside Primary School": riverside}, staff)
    assert len(made) == len(PRIORITIES["Riverside Primary School"])
    assert all(p.created_by == staff and p.description_html for p in made)
    assert all("<br" not in p.description_html for p in made)
    assert "Oracy" in made[0].title
    assert seed_priorities({"Riverside Primary School": riverside}, staff) == []
    assert SchoolPriority.objects.count() == len(made)


def test_seed_priorities_needs_a_lead(db, teacher):
    from inquiry.management.commands._demo_library import seed_priorities

    with pytest.raises(PermissionDenied):
        seed_priorities({"Riverside Primary School": make_school()}, teacher)
