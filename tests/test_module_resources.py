"""A module's resources: uploaded through inquiry.uploads (type by content, size, no
disguises, photos re-encoded), removed by the author, and served only to signed-in
teachers who see the module, with headers that stop a browser running what it gets."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from inquiry.models import ModuleResource
from inquiry.services import library as services
from tests.factories import make_module

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def png_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def login(client, user):
    client.force_login(user)
    return client


def add_url(module):
    return reverse("inquiry:module-resource-add", kwargs={"slug": module.slug})


def file_url(module, resource):
    return reverse("inquiry:module-file", kwargs={"slug": module.slug, "pk": resource.pk})


# --- Adding -----------------------------------------------------------------------------------


def test_the_author_adds_a_pdf_to_their_draft(client, teacher, media):
    module = make_module(author=teacher, status="draft")
    response = login(client, teacher).post(
        add_url(module),
        {"kind": "lesson_plan", "title": "Lesson plan", "file": upload("plan.pdf", PDF)},
    )
    assert response.status_code == 302
    resource = ModuleResource.objects.get()
    assert (resource.module, resource.kind, resource.title) == (
        module,
        "lesson_plan",
        "Lesson plan",
    )
    assert (resource.content_type, resource.size) == ("application/pdf", len(PDF))
    assert resource.original_name == "plan.pdf" and resource.uploaded_by == teacher
    assert [p.read_bytes() for p in stored_files(media)] == [PDF]


def test_a_resource_without_a_title_takes_its_files_name(teacher):
    module = make_module(author=teacher, status="draft")
    resource = services.add_resource(
        actor=teacher,
        module=module,
        kind="template",
        title=" ",
        upload=upload("exit-ticket.pdf", PDF),
    )
    assert resource.title == "exit-ticket"


def test_an_image_is_re_encoded_without_its_metadata(teacher, media):
    module = make_module(author=teacher, status="draft")
    data = png_with_exif()
    assert Image.open(io.BytesIO(data)).getexif()  # the test's image does carry EXIF
    resource = services.add_resource(
        actor=teacher, module=module, kind="image", title="Board", upload=upload("board.png", data)
    )
    stored = stored_files(media)[0].read_bytes()
    assert resource.content_type == "image/png" and stored != data
    assert not Image.open(io.BytesIO(stored)).getexif()


def _disguised_html() -> bytes:
    return b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.jpg", _disguised_html(), "can't take that kind of file"),  # HTML called .jpg
        ("notes.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "can't take that kind of file"),  # an .exe
        ("empty.pdf", b"", "empty"),
        ("plan.docx", PDF, "it is a PDF"),  # a real PDF under another type's name
    ],
)
def test_a_refused_upload_says_why_and_leaves_nothing_behind(
    client, teacher, media, name, data, says
):
    module = make_module(author=teacher, status="draft")
    response = login(client, teacher).post(
        add_url(module), {"kind": "other", "title": "", "file": upload(name, data, "image/jpeg")}
    )
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors["file"])
    assert not ModuleResource.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_upload_is_refused_and_leaves_nothing_behind(teacher, media, monkeypatch):
    monkeypatch.setattr(services, "RESOURCE_MAX_BYTES", 1024 * 1024)
    module = make_module(author=teacher, status="draft")
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        services.add_resource(
            actor=teacher, module=module, kind="slides", title="Big", upload=upload("big.pdf", big)
        )
    assert "over 1 MB" in caught.value.message_dict["file"][0]
    assert not ModuleResource.objects.exists() and stored_files(media) == []


def test_a_row_that_fails_to_save_takes_its_file_with_it(teacher, media, monkeypatch):
    module = make_module(author=teacher, status="draft")

    def broken_save(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ModuleResource, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.add_resource(
            actor=teacher, module=module, kind="other", title="", upload=upload("a.pdf", PDF)
        )
    assert stored_files(media) == []


def test_a_module_has_at_most_ten_resources(teacher, media):
    module = make_module(author=teacher, status="draft")
    for n in range(services.MAX_RESOURCES):
        services.add_resource(
            actor=teacher, module=module, kind="other", title="", upload=upload(f"{n}.pdf", PDF)
        )
    with pytest.raises(ValidationError):
        services.add_resource(
            actor=teacher, module=module, kind="other", title="", upload=upload("11.pdf", PDF)
        )
    assert len(stored_files(media)) == services.MAX_RESOURCES


def test_nobody_else_adds_resources(client, teacher, colleague, media):
    published = make_module(author=teacher)
    hidden = make_module(author=teacher, status="draft")
    login(client, colleague)
    data = {"kind": "other", "title": "", "file": upload("a.pdf", PDF)}
    assert client.post(add_url(published), data).status_code == 403
    data = {"kind": "other", "title": "", "file": upload("a.pdf", PDF)}
    assert client.post(add_url(hidden), data).status_code == 404
    with pytest.raises(PermissionDenied):
        services.add_resource(
            actor=colleague, module=hidden, kind="other", title="", upload=upload("a.pdf", PDF)
        )
    assert not ModuleResource.objects.exists() and stored_files(media) == []


# --- Removing -----------------------------------------------------------------------------------


def test_the_author_removes_a_resource_and_its_file(
    client, teacher, media, django_capture_on_commit_callbacks
):
    module = make_module(author=teacher, status="draft")
    resource = services.add_resource(
        actor=teacher, module=module, kind="other", title="", upload=upload("a.pdf", PDF)
    )
    url = reverse("inquiry:module-resource-remove", kwargs={"slug": module.slug, "pk": resource.pk})
    login(client, teacher)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not ModuleResource.objects.exists() and stored_files(media) == []


def test_a_colleague_cannot_remove_a_resource(client, teacher, colleague, media):
    module = make_module(author=teacher)
    resource = ModuleResource.objects.create(
        module=module,
        kind="other",
        title="A",
        file="resources/a.pdf",
        content_type="application/pdf",
        size=3,
        original_name="a.pdf",
        uploaded_by=teacher,
    )
    url = reverse("inquiry:module-resource-remove", kwargs={"slug": module.slug, "pk": resource.pk})
    assert login(client, colleague).post(url).status_code == 403
    assert ModuleResource.objects.exists()


# --- Serving ------------------------------------------------------------------------------------


@pytest.fixture
def published_with_files(teacher):
    module = make_module(author=teacher, status="draft")
    pdf = services.add_resource(
        actor=teacher,
        module=module,
        kind="lesson_plan",
        title="Lesson plan",
        upload=upload("p.pdf", PDF),
    )
    image = services.add_resource(
        actor=teacher,
        module=module,
        kind="image",
        title="Board",
        upload=upload("b.png", png_with_exif()),
    )
    module.status = "published"
    module.save(update_fields=["status"])
    return module, pdf, image


def test_a_colleague_downloads_a_resource_with_safe_headers(
    client, colleague, published_with_files
):
    module, pdf, _ = published_with_files
    response = login(client, colleague).get(file_url(module, pdf))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="lesson-plan.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_an_image_is_shown_inline(client, colleague, published_with_files):
    module, _, image = published_with_files
    response = login(client, colleague).get(file_url(module, image))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_the_module_page_lists_resources_with_type_and_size(
    client, colleague, published_with_files
):
    module, pdf, _ = published_with_files
    html = login(client, colleague).get(module.get_absolute_url()).content.decode()
    assert file_url(module, pdf) in html
    assert "Lesson plan · PDF, " in html and "bytes" in html


def test_files_are_for_signed_in_teachers_who_see_the_module(
    client, teacher, colleague, published_with_files
):
    module, pdf, _ = published_with_files
    response = client.get(file_url(module, pdf))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    module.status = "draft"
    module.save(update_fields=["status"])
    assert login(client, colleague).get(file_url(module, pdf)).status_code == 404
    assert login(client, teacher).get(file_url(module, pdf)).status_code == 200


def test_a_resource_is_only_found_under_its_own_module(
    client, teacher, colleague, published_with_files
):
    _, pdf, _ = published_with_files
    other = make_module(author=colleague)
    assert login(client, colleague).get(file_url(other, pdf)).status_code == 404


def test_a_file_missing_from_disk_is_a_404(client, colleague, published_with_files, media):
    module, pdf, _ = published_with_files
    for path in stored_files(media):
        path.unlink()
    assert login(client, colleague).get(file_url(module, pdf)).status_code == 404


def test_media_has_no_public_url(client, colleague, published_with_files):
    _, pdf, _ = published_with_files
    assert login(client, colleague).get(pdf.file.url).status_code == 404
