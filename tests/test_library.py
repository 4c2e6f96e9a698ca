"""The library: drafting and editing a module, the library page (filters, search, sort,
pages, its query count), "My modules", a module's page, starting and completing it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Phase, Subject, Tag
from inquiry.models import CurriculumArea, Module, ModuleCompletion, RecordEntry
from inquiry.services import library as services
from inquiry.services.library import ModuleDraft
from tests.factories import make_module, make_space, make_thread


def draft(**overrides) -> ModuleDraft:
    fields = {
        "title": "Cold calling, kindly",
        "summary": "Everyone thinks, because anyone might be asked.",
        "body": "Ask, **pause**, then name a pupil.",
        "minutes": 12,
        "try_prompt": "Try it in *one* lesson this week.",
    }
    fields.update(overrides)
    return ModuleDraft(**fields)


def form_data(**overrides) -> dict:
    data = {
        "title": "Wait time",
        "summary": "Three seconds changes who answers.",
        "minutes": "8",
        "body": "Count to three in your head.",
        "try_prompt": "Try it with your quietest class.",
        "tags": "Wait time, questioning",
    }
    data.update(overrides)
    return data


def login(client, user):
    client.force_login(user)
    return client


# --- Drafting ---------------------------------------------------------------------------


def test_a_teacher_drafts_a_module_with_its_curriculum_and_tags(teacher):
    eyfs = Phase.objects.get(slug="eyfs")
    maths = Subject.objects.first()
    ks1 = CurriculumArea.objects.get(slug="ks1")
    Tag.objects.create(name="oracy")
    module = services.create_module(
        actor=teacher,
        draft=draft(
            phases=[eyfs], subjects=[maths], areas=[ks1], tags=["Oracy", "#Talk Partners", "oracy"]
        ),
    )
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT and module.author == teacher
    assert module.slug == "cold-calling-kindly"
    assert module.body_html == "<p>Ask, <strong>pause</strong>, then name a pupil.</p>"
    assert "<em>one</em>" in module.try_prompt_html
    assert list(module.phases.all()) == [eyfs] and list(module.areas.all()) == [ks1]
    assert sorted(module.tags.values_list("name", flat=True)) == ["oracy", "talk-partners"]
    assert Tag.objects.filter(name="oracy").count() == 1  # get_or_create: no second tag


def test_raw_html_in_a_module_is_text_not_markup(teacher):
    module = services.create_module(actor=teacher, draft=draft(body="<script>alert(1)</script>"))
    assert "<script>" not in module.body_html and "&lt;script&gt;" in module.body_html


@pytest.mark.parametrize("minutes", [0, 21, None])
def test_minutes_outside_1_to_20_are_refused_and_nothing_is_saved(teacher, minutes):
    with pytest.raises(ValidationError) as caught:
        services.create_module(actor=teacher, draft=draft(minutes=minutes))
    assert "minutes" in caught.value.message_dict
    assert not Module.objects.exists()


def test_a_title_too_long_an_empty_summary_and_too_many_tags_are_each_named(teacher):
    with pytest.raises(ValidationError) as caught:
        services.create_module(
            actor=teacher,
            draft=draft(title="x" * 121, summary=" ", tags=[f"t{n}" for n in range(11)]),
        )
    assert {"title", "summary", "tags"} <= caught.value.message_dict.keys()
    assert not Module.objects.exists() and not Tag.objects.exists()


def test_a_suspended_teacher_cannot_draft(teacher):
    teacher.suspended_until = timezone.now() + timedelta(days=3)
    teacher.save(update_fields=["suspended_until"])
    with pytest.raises(PermissionDenied):
        services.create_module(actor=teacher, draft=draft())


def test_two_modules_with_one_title_get_their_own_slugs_and_never_a_reserved_one(teacher):
    first = services.create_module(actor=teacher, draft=draft())
    second = services.create_module(actor=teacher, draft=draft())
    reserved = services.create_module(actor=teacher, draft=draft(title="Review"))
    assert (first.slug, second.slug) == ("cold-calling-kindly", "cold-calling-kindly-2")
    assert reserved.slug == "review-2"


def test_the_form_drafts_a_module_and_goes_on_to_its_resources(client, teacher):
    response = login(client, teacher).post(reverse("inquiry:module-create"), form_data())
    module = Module.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inquiry:module-edit", kwargs={"slug": module.slug})
    assert sorted(module.tags.values_list("name", flat=True)) == ["questioning", "wait-time"]


@pytest.mark.parametrize(("field", "value"), [("minutes", "21"), ("title", "x" * 121)])
def test_the_form_shows_what_is_wrong_and_saves_nothing(client, teacher, field, value):
    response = login(client, teacher).post(
        reverse("inquiry:module-create"), form_data(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Module.objects.exists()


def test_drafting_needs_a_signed_in_teacher(client):
    response = client.get(reverse("inquiry:module-create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Editing --------------------------------------------------------------------------


def test_the_author_edits_their_draft(client, teacher):
    module = make_module(author=teacher, status="draft")
    response = login(client, teacher).post(
        reverse("inquiry:module-edit", kwargs={"slug": module.slug}), form_data(title="Wait, then")
    )
    module.refresh_from_db()
    assert response.status_code == 302
    assert module.title == "Wait, then" and module.slug.startswith("module-")  # slug stays


def test_editing_a_module_waiting_for_review_makes_it_a_draft_again(teacher):
    module = make_module(author=teacher, status="in_review", submitted_at=timezone.now())
    services.update_module(actor=teacher, module=module, draft=draft())
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT


def test_staff_correct_any_module_and_it_keeps_its_status(teacher, staff):
    published = make_module(author=teacher)
    waiting = make_module(author=teacher, status="in_review", submitted_at=timezone.now())
    for module in (published, waiting):
        services.update_module(actor=staff, module=module, draft=draft(title="Corrected"))
    assert Module.objects.get(pk=published.pk).status == Module.Status.PUBLISHED
    assert Module.objects.get(pk=waiting.pk).status == Module.Status.IN_REVIEW
    assert Module.objects.filter(title="Corrected").count() == 2


def test_nobody_else_edits_a_module(client, teacher, colleague):
    published = make_module(author=teacher)
    hidden_draft = make_module(author=teacher, status="draft")
    login(client, colleague)
    edit = "inquiry:module-edit"
    assert client.get(reverse(edit, kwargs={"slug": published.slug})).status_code == 403
    assert (
        client.post(reverse(edit, kwargs={"slug": published.slug}), form_data()).status_code == 403
    )
    assert client.get(reverse(edit, kwargs={"slug": hidden_draft.slug})).status_code == 404
    with pytest.raises(PermissionDenied):
        services.update_module(actor=colleague, module=published, draft=draft())
    assert Module.objects.get(pk=published.pk).title == published.title


def test_once_published_the_author_no_longer_edits_it(client, teacher):
    module = make_module(author=teacher)
    response = login(client, teacher).get(
        reverse("inquiry:module-edit", kwargs={"slug": module.slug})
    )
    assert response.status_code == 403


# --- The library page -------------------------------------------------------------------


def test_the_library_lists_published_modules_only(client, teacher, colleague):
    make_module(author=colleague, title="Published one")
    make_module(author=colleague, title="A colleague's draft", status="draft")
    make_module(author=teacher, title="My own draft", status="draft")
    response = login(client, teacher).get(reverse("inquiry:library"))
    assert response.status_code == 200
    titles = [m.title for m in response.context["page"]]
    assert titles == ["Published one"]


def test_the_library_filters_by_phase_subject_area_tag_and_minutes(client, teacher):
    eyfs, primary = Phase.objects.get(slug="eyfs"), Phase.objects.get(slug="primary")
    maths, science = Subject.objects.all()[:2]
    ks2 = CurriculumArea.objects.get(slug="ks2")
    make_module(
        author=teacher, title="A", minutes=5, phases=[eyfs], subjects=[maths], tags=["oracy"]
    )
    make_module(
        author=teacher, title="B", minutes=15, phases=[primary], subjects=[science], areas=[ks2]
    )
    make_module(author=teacher, title="C", minutes=20, phases=[primary], subjects=[maths])
    login(client, teacher)

    def titles(**params):
        response = client.get(reverse("inquiry:library"), params)
        assert response.status_code == 200
        return sorted(m.title for m in response.context["page"])

    assert titles(phase="primary") == ["B", "C"]
    assert titles(subject=maths.slug) == ["A", "C"]
    assert titles(phase="primary", subject=maths.slug) == ["C"]
    assert titles(area="ks2") == ["B"]
    assert titles(tag="oracy") == ["A"]
    assert titles(minutes="15") == ["A", "B"]
    assert titles(minutes="5") == ["A"]
    assert titles(phase="no-such-phase") == ["A", "B", "C"]  # an unknown value is ignored


def test_the_library_searches_and_sorts(client, teacher):
    now = timezone.now()
    make_module(
        author=teacher, title="Exit tickets", minutes=9, published_at=now - timedelta(days=2)
    )
    make_module(
        author=teacher, title="Cold calling", minutes=15, published_at=now - timedelta(days=1)
    )
    make_module(
        author=teacher,
        title="Questioning",
        minutes=5,
        summary="Hinge questions and exit tickets",
        published_at=now,
    )
    login(client, teacher)

    def titles(**params):
        return [m.title for m in client.get(reverse("inquiry:library"), params).context["page"]]

    assert titles() == ["Questioning", "Cold calling", "Exit tickets"]  # newest first
    assert titles(sort="shortest") == ["Questioning", "Exit tickets", "Cold calling"]
    assert titles(sort="az") == ["Cold calling", "Exit tickets", "Questioning"]
    assert sorted(titles(q="exit tickets")) == ["Exit tickets", "Questioning"]
    assert titles(q="exit tickets", sort="az") == ["Exit tickets", "Questioning"]
    assert titles(q="zeugma") == []


def test_the_library_shows_24_a_page_with_the_page_in_the_url(client, teacher):
    for n in range(30):
        make_module(author=teacher, title=f"Module {n:02d}")
    login(client, teacher)
    first = client.get(reverse("inquiry:library"), {"sort": "az"})
    second = client.get(reverse("inquiry:library"), {"sort": "az", "page": "2"})
    assert len(first.context["page"]) == 24 and len(second.context["page"]) == 6
    assert second.context["page"][0].title == "Module 24"
    assert 'href="?sort=az&amp;page=2"' in first.content.decode()


def test_the_library_says_which_modules_the_viewer_completed(client, teacher, colleague):
    done = make_module(author=colleague, title="Done")
    make_module(author=colleague, title="Not yet")
    ModuleCompletion.objects.create(user=teacher, module=done, completed_at=timezone.now())
    page = login(client, teacher).get(reverse("inquiry:library")).context["page"]
    assert {m.title: m.completed for m in page} == {"Done": True, "Not yet": False}
    assert (
        login(client, colleague).get(reverse("inquiry:library")).content.count(b"badge-done") == 0
    )


def _library_with(n, author, viewer):
    phases, subjects = list(Phase.objects.all()[:2]), list(Subject.objects.all()[:2])
    for i in range(n):
        module = make_module(author=author, phases=phases, subjects=subjects, tags=["oracy"])
        if i % 2:
            ModuleCompletion.objects.create(user=viewer, module=module, completed_at=timezone.now())


LIBRARY_QUERIES = 13


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize("params", [{}, {"phase": "primary", "minutes": "10", "q": "thinking"}])
def test_the_library_page_query_count_does_not_grow(
    client, teacher, colleague, django_assert_num_queries, size, params
):
    _library_with(size, colleague, teacher)
    login(client, teacher)
    client.get(reverse("inquiry:library"))  # the session and the viewer's caches, once
    expected = LIBRARY_QUERIES + (1 if "phase" in params else 0)  # the phase is looked up
    with django_assert_num_queries(expected):
        response = client.get(reverse("inquiry:library"), params)
    assert len(response.context["page"]) == min(size, 24)


# --- My modules ---------------------------------------------------------------------------


def test_my_modules_shows_my_drafts_and_submissions_with_the_review_note(
    client, teacher, colleague
):
    make_module(
        author=teacher,
        title="Sent back",
        status="draft",
        review_note="Add an example, please.",
        review_note_html="<p>Add an example, please.</p>",
    )
    make_module(author=teacher, title="Waiting", status="in_review", submitted_at=timezone.now())
    make_module(author=teacher, title="Out there")
    make_module(author=colleague, title="Not mine", status="draft")
    response = login(client, teacher).get(reverse("inquiry:library-mine"))
    html = response.content.decode()
    assert [m.title for m in response.context["page"]] == ["Waiting", "Sent back", "Out there"]
    assert "Add an example, please." in html and "Waiting for review" in html
    assert "Out there" in html and "Not mine" not in html


# --- A module's page ----------------------------------------------------------------------


def test_the_module_page_shows_the_module(client, teacher, colleague):
    module = make_module(author=colleague, title="Think, pair, share", tags=["oracy"], minutes=7)
    response = login(client, teacher).get(module.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Think, pair, share",
        "7 minutes",
        "#oracy",
        "<p>Read this.</p>",
        "Try this in class",
    ):
        assert text in html
    start = reverse("inquiry:cycle-start") + f"?module={module.slug}"
    assert f'href="{start}"' in html
    assert reverse("inquiry:module-start", kwargs={"slug": module.slug}) in html


def test_the_module_page_links_its_discussion_with_the_reply_count(
    client, teacher, colleague, staff
):
    space = make_space(name="Oracy")
    thread = make_thread(space=space, author=staff, title="Think, pair, share", replies=3)
    module = make_module(author=colleague, thread=thread)
    html = login(client, teacher).get(module.get_absolute_url()).content.decode()
    assert thread.get_absolute_url() in html and "3 replies" in html


def test_a_draft_is_for_its_author_and_staff_only(client, teacher, colleague, staff):
    module = make_module(author=teacher, status="draft")
    assert login(client, colleague).get(module.get_absolute_url()).status_code == 404
    assert login(client, staff).get(module.get_absolute_url()).status_code == 200
    response = login(client, teacher).get(module.get_absolute_url())
    assert response.status_code == 200 and response.context["can_submit"]


def test_starting_a_module_notes_when(client, teacher, colleague):
    module = make_module(author=colleague)
    url = reverse("inquiry:module-start", kwargs={"slug": module.slug})
    assert login(client, teacher).post(url).status_code == 302
    assert client.post(url).status_code == 302  # starting again changes nothing
    completion = ModuleCompletion.objects.get(user=teacher, module=module)
    assert completion.started_at and completion.completed_at is None
    assert not RecordEntry.objects.exists()


def test_completing_a_module_writes_one_record_entry_however_often(client, teacher, colleague):
    module = make_module(author=colleague, minutes=14, title="Retrieval starters")
    url = reverse("inquiry:module-complete", kwargs={"slug": module.slug})
    login(client, teacher)
    assert client.post(url).status_code == 302
    first = ModuleCompletion.objects.get(user=teacher, module=module).completed_at
    assert client.post(url).status_code == 302
    entry = RecordEntry.objects.get()
    assert ModuleCompletion.objects.get(user=teacher, module=module).completed_at == first
    assert (entry.user, entry.kind, entry.minutes) == (teacher, RecordEntry.Kind.MODULE, 14)
    assert (entry.source, entry.url) == (f"module:{module.pk}", module.get_absolute_url())
    assert entry.title == "Retrieval starters" and entry.occurred_at == first
    page = client.get(module.get_absolute_url()).content.decode()
    assert "You completed this module" in page


def test_a_draft_cannot_be_started_or_completed(client, teacher):
    module = make_module(author=teacher, status="draft")
    login(client, teacher)
    for name in ("inquiry:module-start", "inquiry:module-complete"):
        assert client.post(reverse(name, kwargs={"slug": module.slug})).status_code == 403
    assert not ModuleCompletion.objects.exists() and not RecordEntry.objects.exists()


def test_taking_a_module_needs_a_post_and_a_signed_in_teacher(client, teacher, colleague):
    module = make_module(author=colleague)
    url = reverse("inquiry:module-complete", kwargs={"slug": module.slug})
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(client, teacher).get(url).status_code == 405
    assert not ModuleCompletion.objects.exists()


MODULE_PAGE_QUERIES = 13


@pytest.mark.parametrize("size", [1, 6])
def test_the_module_page_query_count_does_not_grow(
    client, teacher, colleague, staff, django_assert_num_queries, size
):
    space = make_space(name="Oracy")
    thread = make_thread(space=space, author=staff, replies=size)
    module = make_module(
        author=colleague,
        thread=thread,
        phases=list(Phase.objects.all()[:size]),
        subjects=list(Subject.objects.all()[:size]),
        areas=list(CurriculumArea.objects.all()[:size]),
        tags=[f"tag{n}" for n in range(size)],
    )
    login(client, teacher)
    client.get(module.get_absolute_url())
    with django_assert_num_queries(MODULE_PAGE_QUERIES):
        assert client.get(module.get_absolute_url()).status_code == 200


MINE_QUERIES = 7


@pytest.mark.parametrize("size", [1, 8])
def test_my_modules_query_count_does_not_grow(
    client, teacher, staff, django_assert_num_queries, size
):
    thread = make_thread(space=make_space(), author=staff, replies=2)
    for n in range(size):
        make_module(
            author=teacher, status=("draft", "in_review", "published")[n % 3], thread=thread
        )
    login(client, teacher)
    client.get(reverse("inquiry:library-mine"))
    with django_assert_num_queries(MINE_QUERIES):
        response = client.get(reverse("inquiry:library-mine"))
    assert len(response.context["page"]) == size
