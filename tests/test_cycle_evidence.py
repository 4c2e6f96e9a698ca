"""The trial plan, classroom evidence (notes, photos re-encoded without EXIF or GPS,
files checked by their content), serving evidence only to those who see the cycle, and
the reflection."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from inquiry.models import Evidence, InquiryCycle, SchoolPriority
from inquiry.services import cycles as services
from tests.factories import REFLECTION, make_cycle, make_school


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def jpeg_with_gps(name="work.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- The trial plan -----------------------------------------------------------------------


def test_the_plan_is_saved_with_its_markdown_rendered(teacher):
    cycle = make_cycle(owner=teacher, stage="plan")
    plan = services.Plan(
        trial_class="Year 4",
        trial_what="**Talk** partners <script>x</script>",
        trial_look_for="Who",
    )
    services.save_plan(actor=teacher, cycle=cycle, plan=plan)
    cycle.refresh_from_db()
    assert cycle.trial_class == "Year 4"
    assert "<strong>Talk</strong>" in cycle.trial_what_html
    assert "<script>" not in cycle.trial_what_html


def test_a_plan_without_what_i_will_try_is_refused(teacher):
    cycle = make_cycle(owner=teacher, stage="plan")
    with pytest.raises(ValidationError) as error:
        services.save_plan(actor=teacher, cycle=cycle, plan=services.Plan(trial_class="Y4"))
    assert "trial_what" in error.value.message_dict
    assert InquiryCycle.objects.get(pk=cycle.pk).trial_class == ""


def test_the_plan_offers_only_my_schools_current_priorities(teacher_client, teacher, school):
    mine = SchoolPriority.objects.create(school=school, title="Oracy", created_by=teacher)
    SchoolPriority.objects.create(
        school=school, title="Old one", created_by=teacher, archived_at="2026-01-01T00:00Z"
    )
    other = SchoolPriority.objects.create(
        school=make_school(), title="Elsewhere's", created_by=teacher
    )
    cycle = make_cycle(owner=teacher, stage="plan")
    url = reverse("inquiry:cycle-plan", args=[cycle.pk])
    page = teacher_client.get(url).content.decode()
    assert "Linked to a school priority" in page and "Oracy" in page
    assert "Old one" not in page and "Elsewhere" not in page
    teacher_client.post(url, {"trial_what": "Talk", "priority": mine.pk})
    assert InquiryCycle.objects.get(pk=cycle.pk).priority == mine
    with pytest.raises(ValidationError):
        services.save_plan(
            actor=teacher, cycle=cycle, plan=services.Plan(trial_what="Talk", priority=other)
        )


def test_no_priorities_no_priority_field(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="plan")
    page = teacher_client.get(reverse("inquiry:cycle-plan", args=[cycle.pk])).content.decode()
    assert "school priority" not in page


# --- Evidence -----------------------------------------------------------------------------


def test_a_photo_is_stored_re_encoded_without_exif_or_gps(teacher, media):
    cycle = make_cycle(owner=teacher, stage="try")
    evidence = services.add_evidence(
        actor=teacher, cycle=cycle, kind="photo", note="Year 4 work", upload=jpeg_with_gps()
    )
    assert evidence.content_type == "image/jpeg"
    data = evidence.file.read()
    assert b"PhoneMaker" not in data
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(0x8825)
    assert len(stored_files(media)) == 1


def test_a_file_is_kept_with_its_sniffed_type(teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="text/html")
    evidence = services.add_evidence(actor=teacher, cycle=cycle, kind="file", upload=upload)
    assert (evidence.content_type, evidence.original_name) == ("application/pdf", "plan.pdf")


@pytest.mark.parametrize(
    "kind, name, content, message",
    [
        ("photo", "work.jpg", b"<html><script>alert(1)</script></html>", "kind of file"),
        ("photo", "work.pdf", PDF, "kind of file"),  # a PDF is no photo
        ("file", "page.jpg", b"<!doctype html><p>hi</p>", "kind of file"),  # disguised
        ("file", "plan.jpg", PDF, "rename it"),  # a PDF called .jpg
        ("file", "empty.pdf", b"", "empty"),
        ("file", "app.exe", b"MZ\x90\x00\x03\x00\x00\x00", "kind of file"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    teacher, media, kind, name, content, message
):
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=message) as error:
        services.add_evidence(actor=teacher, cycle=cycle, kind=kind, upload=upload)
    assert "file" in error.value.message_dict
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_upload_is_refused(teacher, media, monkeypatch):
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 100)
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile("plan.pdf", PDF + b"x" * 200)
    with pytest.raises(ValidationError, match="over"):
        services.add_evidence(actor=teacher, cycle=cycle, kind="file", upload=upload)
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_note_needs_words(teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    with pytest.raises(ValidationError) as error:
        services.add_evidence(actor=teacher, cycle=cycle, kind="note", note="  ")
    assert "note" in error.value.message_dict
    note = services.add_evidence(actor=teacher, cycle=cycle, kind="note", note="*Quiet* ones spoke")
    assert note.note_html == "<p><em>Quiet</em> ones spoke</p>"


def test_evidence_is_the_owners_to_add_and_not_in_the_learn_or_done_stage(
    teacher, colleague, school
):
    cycle = make_cycle(owner=teacher, stage="try", visibility="school", school=school)
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=colleague, cycle=cycle, kind="note", note="Hi")
    for stage in ("learn", "done"):
        InquiryCycle.objects.filter(pk=cycle.pk).update(stage=stage)
        with pytest.raises(ValidationError):
            services.add_evidence(actor=teacher, cycle=cycle, kind="note", note="Hi")
    assert not Evidence.objects.exists()


def test_the_evidence_page_uploads_a_photo(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    url = reverse("inquiry:cycle-evidence-add", args=[cycle.pk])
    assert teacher_client.get(url).status_code == 200
    response = teacher_client.post(url, {"kind": "photo", "note": "", "file": jpeg_with_gps()})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    page = teacher_client.get(cycle.get_absolute_url()).content.decode()
    assert reverse("inquiry:cycle-evidence", args=[cycle.pk, evidence.pk]) in page


def test_the_evidence_page_shows_a_bad_upload_as_a_form_error(teacher_client, teacher, media):
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile("work.jpg", b"<html>hi</html>")
    response = teacher_client.post(
        reverse("inquiry:cycle-evidence-add", args=[cycle.pk]), {"kind": "photo", "file": upload}
    )
    assert response.status_code == 200
    assert "kind of file" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media) == []


# --- Serving evidence ----------------------------------------------------------------------


def _file_url(evidence):
    return reverse("inquiry:cycle-evidence", args=[evidence.cycle_id, evidence.pk])


def test_a_photo_is_served_inline_with_its_type_nosniff_and_a_sandbox(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    photo = services.add_evidence(actor=teacher, cycle=cycle, kind="photo", upload=jpeg_with_gps())
    response = teacher_client.get(_file_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"].startswith("inline")
    # No cache keeps a photo of pupils' work after the cycle is made private again.
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_is_served_as_a_download(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile("plan.pdf", PDF)
    evidence = services.add_evidence(actor=teacher, cycle=cycle, kind="file", upload=upload)
    response = teacher_client.get(_file_url(evidence))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "visibility, viewer, status",
    [("private", "colleague", 404), ("school", "colleague", 200), ("school", "outsider", 404)],
)
def test_evidence_is_served_only_to_those_who_see_the_cycle(
    client, request, teacher, school, visibility, viewer, status
):
    extra = {"school": school} if visibility == "school" else {}
    cycle = make_cycle(owner=teacher, stage="try", visibility=visibility, **extra)
    photo = services.add_evidence(actor=teacher, cycle=cycle, kind="photo", upload=jpeg_with_gps())
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(_file_url(photo)).status_code == status


def test_evidence_of_one_cycle_is_not_reached_through_another(teacher_client, teacher):
    mine = make_cycle(owner=teacher, stage="try")
    other = make_cycle(owner=teacher, stage="try")
    photo = services.add_evidence(actor=teacher, cycle=mine, kind="photo", upload=jpeg_with_gps())
    url = reverse("inquiry:cycle-evidence", args=[other.pk, photo.pk])
    assert teacher_client.get(url).status_code == 404


def test_a_note_has_no_file_to_serve(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    note = services.add_evidence(actor=teacher, cycle=cycle, kind="note", note="Hi")
    assert teacher_client.get(_file_url(note)).status_code == 404


def test_serving_evidence_needs_a_login(client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    photo = services.add_evidence(actor=teacher, cycle=cycle, kind="photo", upload=jpeg_with_gps())
    response = client.get(_file_url(photo))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Deleting evidence ----------------------------------------------------------------------


def test_the_owner_deletes_evidence_and_its_file(
    teacher_client, teacher, media, django_capture_on_commit_callbacks
):
    cycle = make_cycle(owner=teacher, stage="try")
    photo = services.add_evidence(actor=teacher, cycle=cycle, kind="photo", upload=jpeg_with_gps())
    url = reverse("inquiry:cycle-evidence-delete", args=[cycle.pk, photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert teacher_client.post(url).status_code == 302
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("viewer, status", [("colleague", 403), ("outsider", 404)])
def test_nobody_else_deletes_evidence(client, request, teacher, school, viewer, status):
    cycle = make_cycle(owner=teacher, stage="try", visibility="school", school=school)
    note = services.add_evidence(actor=teacher, cycle=cycle, kind="note", note="Hi")
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("inquiry:cycle-evidence-delete", args=[cycle.pk, note.pk])
    assert client.post(url).status_code == status
    assert Evidence.objects.filter(pk=note.pk).exists()
    assert client.get(url).status_code == 405


# --- The reflection ------------------------------------------------------------------------


def test_the_reflection_is_saved_through_markdown(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="reflect")
    url = reverse("inquiry:cycle-reflect", args=[cycle.pk])
    page = teacher_client.get(url).content.decode()
    for prompt in ("What did I do?", "What does it mean?", "How might I do it differently?"):
        assert prompt in page
    answers = {**REFLECTION, "reflect_did": "I **tried** <img src=x onerror=alert(1)>"}
    assert teacher_client.post(url, answers).status_code == 302
    cycle.refresh_from_db()
    assert "<strong>tried</strong>" in cycle.reflect_did_html
    assert "<img" not in cycle.reflect_did_html
    assert cycle.reflect_differently == REFLECTION["reflect_differently"]


def test_the_reflection_waits_for_the_reflect_stage(teacher_client, teacher):
    cycle = make_cycle(owner=teacher, stage="try")
    with pytest.raises(ValidationError):
        services.save_reflection(actor=teacher, cycle=cycle, answers=REFLECTION)
    response = teacher_client.get(reverse("inquiry:cycle-reflect", args=[cycle.pk]))
    assert response.status_code == 302
    assert InquiryCycle.objects.get(pk=cycle.pk).reflect_did == ""


@pytest.mark.parametrize("viewer, status", [("colleague", 403), ("outsider", 404)])
def test_nobody_else_plans_or_reflects(client, request, teacher, school, viewer, status):
    cycle = make_cycle(owner=teacher, stage="reflect", visibility="school", school=school)
    client.force_login(request.getfixturevalue(viewer))
    for name in ("cycle-reflect", "cycle-plan", "cycle-evidence-add", "cycle-visibility"):
        assert client.get(reverse(f"inquiry:{name}", args=[cycle.pk])).status_code == status
    response = client.post(reverse("inquiry:cycle-reflect", args=[cycle.pk]), REFLECTION)
    assert response.status_code == status
    assert InquiryCycle.objects.get(pk=cycle.pk).reflect_did == ""
