"""Courses and units: staff create courses and name their authors; authors and staff
write them, publish them and reorder their units; a course with a cohort keeps its units.
Personas: staff (stella), the course's author (amira, `teacher`), another teacher
(`outsider`), anonymous."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inquiry import rules
from inquiry.models import Cohort, Course, Unit, UnitModule
from inquiry.services import courses as services
from inquiry.services.courses import CourseDraft, UnitDraft
from tests.factories import make_course, make_module, make_space, make_user

pytestmark = pytest.mark.django_db

DRAFT = CourseDraft(
    title="Talk for learning",
    summary="Four blended units on classroom talk.",
    outcomes="- Plan talk partners\n- Use sentence stems",
)


def make_cohort(course, *, by):
    n = Cohort.objects.count() + 1
    return Cohort.objects.create(
        course=course,
        name=f"Cohort {n}",
        slug=f"{course.slug}-cohort-{n}",
        space=make_space(kind="private"),
        invite_code=f"CODE{n}{course.pk}",
        timezone_name="Europe/London",
        created_by=by,
    )


@pytest.fixture
def course(teacher, staff):
    """A published course of 3 units, authored by the teacher."""
    return make_course(units=3, authors=[teacher], created_by=staff)


@pytest.fixture
def draft(teacher, staff):
    return make_course(units=2, authors=[teacher], created_by=staff, published=False)


def numbers_and_titles(course):
    return list(Unit.objects.filter(course=course).values_list("number", "title"))


def test_make_course_makes_units_with_a_module_a_session_and_a_task():
    course = make_course(units=4)
    units = list(course.units.all())
    assert [u.number for u in units] == [1, 2, 3, 4]
    assert all(u.unit_modules.count() == 1 and u.has_session and u.task for u in units)


# --- Rules ----------------------------------------------------------------------------------


def test_only_staff_create_courses(staff, teacher):
    assert rules.can_create_course(staff)
    assert not rules.can_create_course(teacher)


def test_authors_and_staff_edit_a_course_and_nobody_else(course, teacher, staff, outsider):
    assert rules.can_edit_course(teacher, course)
    assert rules.can_edit_course(staff, course)
    assert not rules.can_edit_course(outsider, course)


def test_a_suspended_author_does_not_edit(course, teacher):
    teacher.suspended_until = timezone.now() + timedelta(days=1)
    assert not rules.can_edit_course(teacher, course)


def test_cohorts_start_from_published_courses_by_authors_or_staff(
    course, draft, teacher, staff, outsider
):
    assert rules.can_start_cohort(teacher, course)
    assert rules.can_start_cohort(staff, course)
    assert not rules.can_start_cohort(outsider, course)
    assert not rules.can_start_cohort(teacher, draft)
    assert not rules.can_start_cohort(staff, draft)


def test_a_course_with_a_cohort_keeps_its_units(course, teacher, staff):
    assert rules.can_change_units(teacher, course)
    make_cohort(course, by=teacher)
    course = Course.objects.get(pk=course.pk)
    assert not rules.can_change_units(teacher, course)
    assert not rules.can_change_units(staff, course)
    assert rules.can_edit_course(teacher, course)  # its title and outcomes still change


# --- Writing a course -----------------------------------------------------------------------


def test_staff_create_a_draft_course_with_authors(staff, teacher):
    course = services.create_course(actor=staff, draft=DRAFT, authors=[teacher])
    assert course.published_at is None
    assert course.slug == "talk-for-learning"
    assert list(course.authors.all()) == [teacher]
    assert "<li>Plan talk partners</li>" in course.outcomes_html
    assert course.created_by == staff


def test_a_teacher_cannot_create_a_course(teacher):
    with pytest.raises(PermissionDenied):
        services.create_course(actor=teacher, draft=DRAFT)
    assert not Course.objects.exists()


def test_a_course_needs_a_title_a_summary_and_outcomes(staff):
    with pytest.raises(ValidationError) as caught:
        services.create_course(
            actor=staff, draft=CourseDraft(title="  ", summary="", outcomes=" ", unlock="x")
        )
    assert set(caught.value.message_dict) == {"title", "summary", "outcomes", "unlock"}
    assert not Course.objects.exists()


def test_a_course_never_takes_the_address_of_a_course_page(staff):
    course = services.create_course(
        actor=staff, draft=CourseDraft(title="New", summary="s", outcomes="o")
    )
    assert course.slug == "new-2"


def test_outcomes_are_rendered_safely(staff):
    course = services.create_course(
        actor=staff,
        draft=CourseDraft(title="T", summary="S", outcomes="<script>alert(1)</script> **ok**"),
    )
    assert "<script" not in course.outcomes_html and "<strong>ok</strong>" in course.outcomes_html


def test_an_author_edits_the_course_and_keeps_its_address(course, teacher):
    slug = course.slug
    updated = services.update_course(actor=teacher, course=course, draft=DRAFT)
    assert (updated.title, updated.slug) == ("Talk for learning", slug)


def test_another_teacher_cannot_edit_a_course(course, outsider):
    with pytest.raises(PermissionDenied):
        services.update_course(actor=outsider, course=course, draft=DRAFT)
    assert Course.objects.get(pk=course.pk).title != DRAFT.title


def test_staff_add_and_remove_authors(course, staff, outsider, teacher):
    services.add_course_author(actor=staff, course=course, user=outsider)
    assert set(course.authors.all()) == {teacher, outsider}
    with pytest.raises(ValidationError):
        services.add_course_author(actor=staff, course=course, user=outsider)
    services.remove_course_author(actor=staff, course=course, user=outsider)
    assert list(course.authors.all()) == [teacher]


def test_an_author_does_not_choose_authors(course, teacher, outsider):
    with pytest.raises(PermissionDenied):
        services.add_course_author(actor=teacher, course=course, user=outsider)
    assert outsider not in course.authors.all()


def test_an_author_publishes_a_draft_with_units(draft, teacher):
    published = services.publish_course(actor=teacher, course=draft)
    assert published.published_at is not None
    with pytest.raises(ValidationError):
        services.publish_course(actor=teacher, course=draft)


def test_a_course_without_units_is_not_published(staff):
    course = make_course(units=0, created_by=staff, published=False)
    with pytest.raises(ValidationError, match="at least one unit"):
        services.publish_course(actor=staff, course=course)
    assert Course.objects.get(pk=course.pk).published_at is None


def test_another_teacher_cannot_publish(draft, outsider):
    with pytest.raises(PermissionDenied):
        services.publish_course(actor=outsider, course=draft)
    assert Course.objects.get(pk=draft.pk).published_at is None


# --- Writing units --------------------------------------------------------------------------


def test_a_new_unit_goes_at_the_end_with_its_markdown_rendered(course, teacher):
    unit = services.create_unit(
        actor=teacher,
        course=course,
        draft=UnitDraft(
            title=" Wait   time ",
            intro="Why *three* seconds",
            session_kind="in_person",
            session_place="Room 4",
            session_minutes=90,
            task="Count to three <script>x</script>",
            reflection_prompt="What did pupils say?",
        ),
    )
    assert (unit.number, unit.title, unit.session_minutes) == (4, "Wait time", 90)
    assert "<em>three</em>" in unit.intro_html
    assert "<script" not in unit.task_html
    assert unit.reflection_prompt_html == "<p>What did pupils say?</p>"


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (UnitDraft(title=""), "title"),
        (UnitDraft(title="x" * 121), "title"),
        (UnitDraft(title="Call", session_kind="link"), "session_link"),
        (
            UnitDraft(title="Call", session_kind="link", session_link="javascript:alert(1)"),
            "session_link",
        ),
        (
            UnitDraft(title="Call", session_kind="link", session_link="meet.example.org"),
            "session_link",
        ),
        (UnitDraft(title="Room", session_kind="in_person", session_place="  "), "session_place"),
        (UnitDraft(title="Long", session_kind="live_room", session_minutes=2), "session_minutes"),
        (UnitDraft(title="Odd", session_kind="carrier-pigeon"), "session_kind"),
        (UnitDraft(title="Big", task="x" * 5001), "task"),
    ],
)
def test_bad_unit_input_is_refused_and_nothing_is_saved(course, teacher, draft, field):
    before = numbers_and_titles(course)
    with pytest.raises(ValidationError) as caught:
        services.create_unit(actor=teacher, course=course, draft=draft)
    assert field in caught.value.message_dict
    assert numbers_and_titles(course) == before


def test_a_session_keeps_only_the_details_of_its_kind(course, teacher):
    unit = course.units.get(number=1)
    updated = services.update_unit(
        actor=teacher,
        unit=unit,
        draft=UnitDraft(
            title="Now at a link",
            session_kind="link",
            session_link="https://meet.example.org/abc",
            session_place="Room 4",
        ),
    )
    assert (updated.session_place, updated.session_link) == ("", "https://meet.example.org/abc")
    none = services.update_unit(
        actor=teacher, unit=unit, draft=UnitDraft(title="No session", session_minutes=None)
    )
    assert (none.session_kind, none.session_link, none.session_minutes) == ("none", "", 60)


def test_units_move_up_and_down_keeping_their_numbers_unique(course, teacher):
    titles = [title for _, title in numbers_and_titles(course)]
    services.move_unit(actor=teacher, unit=course.units.get(number=3), direction="up")
    assert numbers_and_titles(course) == [(1, titles[0]), (2, titles[2]), (3, titles[1])]
    services.move_unit(actor=teacher, unit=course.units.get(number=1), direction="down")
    assert [t for _, t in numbers_and_titles(course)] == [titles[2], titles[0], titles[1]]


def test_the_first_unit_does_not_move_up(course, teacher):
    before = numbers_and_titles(course)
    with pytest.raises(ValidationError, match="already the first"):
        services.move_unit(actor=teacher, unit=course.units.get(number=1), direction="up")
    with pytest.raises(ValidationError, match="already the last"):
        services.move_unit(actor=teacher, unit=course.units.get(number=3), direction="down")
    assert numbers_and_titles(course) == before


def test_deleting_a_unit_renumbers_the_rest(course, teacher):
    titles = [title for _, title in numbers_and_titles(course)]
    services.delete_unit(actor=teacher, unit=course.units.get(number=1))
    assert numbers_and_titles(course) == [(1, titles[1]), (2, titles[2])]


def test_another_teacher_cannot_change_units(course, outsider):
    before = numbers_and_titles(course)
    unit = course.units.get(number=2)
    for write in (
        lambda: services.create_unit(actor=outsider, course=course, draft=UnitDraft(title="x")),
        lambda: services.update_unit(actor=outsider, unit=unit, draft=UnitDraft(title="x")),
        lambda: services.delete_unit(actor=outsider, unit=unit),
        lambda: services.move_unit(actor=outsider, unit=unit, direction="up"),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert numbers_and_titles(course) == before


def test_no_unit_changes_once_a_cohort_has_started(course, teacher, staff):
    make_cohort(course, by=teacher)
    unit = course.units.get(number=2)
    before = numbers_and_titles(course)
    module = make_module(author=staff)
    for write in (
        lambda: services.create_unit(actor=staff, course=course, draft=UnitDraft(title="x")),
        lambda: services.update_unit(actor=teacher, unit=unit, draft=UnitDraft(title="x")),
        lambda: services.delete_unit(actor=teacher, unit=unit),
        lambda: services.move_unit(actor=teacher, unit=unit, direction="up"),
        lambda: services.add_unit_module(actor=teacher, unit=unit, module=module),
    ):
        with pytest.raises(PermissionDenied, match="cohort has started"):
            write()
    assert numbers_and_titles(course) == before
    assert unit.unit_modules.count() == 1


# --- A unit's pre-learning ------------------------------------------------------------------


def module_titles(unit):
    return list(
        UnitModule.objects.filter(unit=unit)
        .order_by("order", "pk")
        .values_list("module__title", flat=True)
    )


def test_modules_are_added_removed_and_reordered(course, teacher):
    unit = course.units.get(number=1)
    first = unit.unit_modules.get().module
    second = make_module(author=teacher, title="Second")
    third = make_module(author=teacher, title="Third")
    services.add_unit_module(actor=teacher, unit=unit, module=second)
    services.add_unit_module(actor=teacher, unit=unit, module=third)
    assert module_titles(unit) == [first.title, "Second", "Third"]
    services.move_unit_module(actor=teacher, unit=unit, module=third, direction="up")
    assert module_titles(unit) == [first.title, "Third", "Second"]
    services.move_unit_module(actor=teacher, unit=unit, module=first, direction="down")
    assert module_titles(unit) == ["Third", first.title, "Second"]
    services.remove_unit_module(actor=teacher, unit=unit, module=first)
    assert module_titles(unit) == ["Third", "Second"]


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_only_published_modules_are_pre_learning(course, teacher, status):
    unit = course.units.get(number=1)
    module = make_module(author=teacher, status=status)
    with pytest.raises(ValidationError, match="Only published"):
        services.add_unit_module(actor=teacher, unit=unit, module=module)
    assert unit.unit_modules.count() == 1


def test_a_module_is_pre_learning_once_per_course(course, teacher):
    unit_one, unit_two = course.units.get(number=1), course.units.get(number=2)
    module = unit_one.unit_modules.get().module
    with pytest.raises(ValidationError, match="this unit"):
        services.add_unit_module(actor=teacher, unit=unit_one, module=module)
    with pytest.raises(ValidationError, match="unit 1"):
        services.add_unit_module(actor=teacher, unit=unit_two, module=module)
    assert unit_two.unit_modules.count() == 1


def test_a_unit_has_at_most_six_modules(course, teacher):
    unit = course.units.get(number=1)
    for _ in range(services.MAX_UNIT_MODULES - 1):
        services.add_unit_module(actor=teacher, unit=unit, module=make_module(author=teacher))
    with pytest.raises(ValidationError, match="at most 6"):
        services.add_unit_module(actor=teacher, unit=unit, module=make_module(author=teacher))
    assert unit.unit_modules.count() == services.MAX_UNIT_MODULES


# --- Pages ----------------------------------------------------------------------------------


def test_the_course_list_shows_published_courses_and_the_authors_drafts(
    client, course, draft, teacher, outsider
):
    client.force_login(outsider)
    page = client.get(reverse("inquiry:courses")).content.decode()
    assert course.title in page and draft.title not in page
    client.force_login(teacher)
    page = client.get(reverse("inquiry:courses")).content.decode()
    assert "Courses you write" in page and draft.title in page


def test_staff_see_every_draft_in_the_list(client, staff, draft):
    client.force_login(staff)
    page = client.get(reverse("inquiry:courses")).content.decode()
    assert draft.title in page and "New course" in page


def test_the_library_links_to_the_courses(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("inquiry:library")).content.decode()
    assert f'href="{reverse("inquiry:courses")}"' in page


@pytest.mark.parametrize("count", [1, 6])
def test_the_course_list_query_count_does_not_grow(
    client, teacher, staff, count, django_assert_num_queries
):
    for _ in range(count):
        make_course(units=3, authors=[teacher], created_by=staff)
        make_course(units=1, authors=[teacher], created_by=staff, published=False)
    client.force_login(teacher)
    client.get(reverse("inquiry:courses"))  # the session and caches warmed
    with django_assert_num_queries(7):
        response = client.get(reverse("inquiry:courses"))
    assert response.status_code == 200


def test_the_course_page_shows_each_unit_and_its_parts(client, course, outsider):
    client.force_login(outsider)
    page = client.get(course.get_absolute_url()).content.decode()
    unit = course.units.get(number=2)
    module = unit.unit_modules.get().module
    assert unit.title in page and module.get_absolute_url() in page
    assert "Live, in the cohort&#x27;s chat room" in page and unit.task_html in page
    assert "Edit the course" not in page and "Start a cohort" not in page


def test_the_author_starts_a_cohort_from_the_course_page(client, course, teacher):
    client.force_login(teacher)
    page = client.get(course.get_absolute_url()).content.decode()
    assert reverse("inquiry:cohort-create", kwargs={"slug": course.slug}) in page
    assert "Add a unit" in page


def test_a_call_link_is_shown_to_authors_only(client, teacher, outsider, staff):
    course = make_course(units=1, authors=[teacher], created_by=staff, session_kind="link")
    client.force_login(outsider)
    assert "meet.example.org" not in client.get(course.get_absolute_url()).content.decode()
    client.force_login(teacher)
    assert "meet.example.org" in client.get(course.get_absolute_url()).content.decode()


def test_a_course_with_a_cohort_says_its_units_stay(client, course, teacher):
    cohort = make_cohort(course, by=teacher)
    client.force_login(teacher)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "its units stay as they are" in page and "Add a unit" not in page
    assert cohort.name in page
    url = reverse("inquiry:unit-delete", kwargs={"slug": course.slug, "number": 1})
    assert client.post(url).status_code == 403
    assert course.units.count() == 3


def test_cohorts_on_the_course_page_are_only_those_the_viewer_sees(
    client, course, teacher, outsider
):
    cohort = make_cohort(course, by=teacher)
    client.force_login(outsider)
    assert cohort.name not in client.get(course.get_absolute_url()).content.decode()


def test_a_draft_is_not_found_by_other_teachers(client, draft, outsider):
    client.force_login(outsider)
    assert client.get(draft.get_absolute_url()).status_code == 404
    edit = reverse("inquiry:course-edit", kwargs={"slug": draft.slug})
    assert client.get(edit).status_code == 404


@pytest.mark.parametrize("units", [1, 6])
def test_the_course_page_query_count_does_not_grow(
    client, teacher, staff, units, django_assert_num_queries
):
    course = make_course(units=units, authors=[teacher, staff], created_by=staff)
    for unit in course.units.all():
        services.add_unit_module(actor=staff, unit=unit, module=make_module(author=staff))
    for _ in range(units):
        make_cohort(course, by=teacher)
    client.force_login(teacher)
    client.get(course.get_absolute_url())
    with django_assert_num_queries(11):
        response = client.get(course.get_absolute_url())
    assert response.status_code == 200


def test_anonymous_visitors_go_to_the_login_page(client, course):
    response = client.get(course.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_create_a_course_through_the_form(client, staff, teacher):
    client.force_login(staff)
    response = client.post(
        reverse("inquiry:course-create"),
        {
            "title": "Talk for learning",
            "summary": "Four units.",
            "outcomes": "- Plan talk",
            "unlock": "after_previous",
            "authors": "amira, nobody@example.org",
        },
    )
    assert response.status_code == 200 and "nobody@example.org" in response.content.decode()
    assert not Course.objects.exists()
    response = client.post(
        reverse("inquiry:course-create"),
        {
            "title": "Talk for learning",
            "summary": "Four units.",
            "outcomes": "- Plan talk",
            "unlock": "after_previous",
            "authors": "amira",
        },
    )
    course = Course.objects.get()
    assert response["Location"] == course.get_absolute_url()
    assert list(course.authors.all()) == [teacher] and course.unlock == "after_previous"


def test_a_course_form_with_an_empty_title_says_so(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("inquiry:course-create"),
        {"title": "   ", "summary": "s", "outcomes": "o", "unlock": "by_date"},
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Course.objects.exists()


def test_a_teacher_is_refused_the_new_course_form(client, teacher):
    client.force_login(teacher)
    assert client.get(reverse("inquiry:course-create")).status_code == 403


def test_editing_as_another_teacher_is_forbidden(client, course, outsider):
    client.force_login(outsider)
    url = reverse("inquiry:course-edit", kwargs={"slug": course.slug})
    response = client.post(
        url, {"title": "Mine now", "summary": "s", "outcomes": "o", "unlock": "by_date"}
    )
    assert response.status_code == 403
    assert Course.objects.get(pk=course.pk).title == course.title


def test_publishing_a_course_without_units_says_why(client, staff):
    course = make_course(units=0, created_by=staff, published=False)
    client.force_login(staff)
    url = reverse("inquiry:course-publish", kwargs={"slug": course.slug})
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Add at least one unit" in response.content.decode()
    assert Course.objects.get(pk=course.pk).published_at is None


def test_the_unit_form_refuses_a_link_session_without_an_address(client, course, teacher):
    client.force_login(teacher)
    url = reverse("inquiry:unit-create", kwargs={"slug": course.slug})
    response = client.post(url, {"title": "Call", "session_kind": "link", "session_minutes": 60})
    assert response.status_code == 200
    assert "Give the call&#x27;s full address" in response.content.decode()
    assert course.units.count() == 3


def test_the_unit_form_adds_a_unit_and_goes_on_to_its_pre_learning(client, course, teacher):
    client.force_login(teacher)
    url = reverse("inquiry:unit-create", kwargs={"slug": course.slug})
    response = client.post(
        url,
        {
            "title": "Wait time",
            "session_kind": "in_person",
            "session_place": "Hall",
            "session_minutes": 45,
        },
    )
    assert response["Location"] == reverse(
        "inquiry:unit-edit", kwargs={"slug": course.slug, "number": 4}
    )
    assert course.units.get(number=4).session_place == "Hall"


def test_the_unit_page_finds_published_modules_only(client, course, teacher):
    make_module(author=teacher, title="Wait time, published")
    make_module(author=teacher, title="Wait time, a draft", status="draft")
    client.force_login(teacher)
    url = reverse("inquiry:unit-edit", kwargs={"slug": course.slug, "number": 1})
    page = client.get(url, {"q": "wait time"}).content.decode()
    assert "Wait time, published" in page and "Wait time, a draft" not in page


def test_adding_an_unpublished_module_through_the_page_is_refused(client, course, teacher):
    module = make_module(author=teacher, status="draft")
    client.force_login(teacher)
    url = reverse("inquiry:unit-module-add", kwargs={"slug": course.slug, "number": 1})
    response = client.post(url, {"module": module.pk}, follow=True)
    assert "Only published library modules" in response.content.decode()
    response = client.post(url, {"module": "nonsense"}, follow=True)
    assert "Choose a module from the library" in response.content.decode()
    assert course.units.get(number=1).unit_modules.count() == 1


def test_moving_a_unit_through_the_page(client, course, teacher):
    client.force_login(teacher)
    title = course.units.get(number=1).title
    url = reverse("inquiry:unit-move", kwargs={"slug": course.slug, "number": 1})
    assert client.get(url).status_code == 405
    client.post(url, {"to": "down"})
    assert course.units.get(number=2).title == title


def test_an_author_cannot_open_the_authors_page(client, course, teacher):
    client.force_login(teacher)
    assert (
        client.get(reverse("inquiry:course-authors", kwargs={"slug": course.slug})).status_code
        == 403
    )


def test_staff_add_an_author_by_email(client, course, staff):
    person = make_user(username="newauthor", email="new.author@example.org")
    client.force_login(staff)
    url = reverse("inquiry:course-authors", kwargs={"slug": course.slug})
    client.post(url, {"person": "New.Author@example.org"})
    assert person in course.authors.all()
    response = client.post(url, {"person": "nobody"})
    assert "Give the username or email of one teacher" in response.content.decode()
