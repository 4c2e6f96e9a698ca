"""An inquiry cycle from the library to the CPD record, the way a teacher lives it: Amira
finds a module, completes it, starts a cycle from it, plans a trial, adds a note and a
photo (whose GPS position does not survive the upload), reflects on the four prompts and
shares the reflection in a space; Wanjiru, a member of that space, gives warm and cool
feedback; Amira reads it and finishes, and her record, on the page and in its CSV
export, holds every step. A teacher outside the space finds neither the cycle nor its
photo."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from playwright.sync_api import expect

from community.models import Phase, Subject, User
from inquiry.models import Evidence, Feedback, InquiryCycle, RecordEntry
from inquiry.services import cycles as cycle_services
from tests.browser.test_live_thread import open_as
from tests.factories import make_cycle, make_module, make_school, make_space, make_user

REFLECTION = {
    "What did I do?": "Talk partners rehearsed every answer for thirty seconds first.",
    "What does it mean?": "The quieter half of the class explained their thinking aloud.",
    "How did I come to do it this way?": "The module's prompt, with sentence stems added.",
    "How might I do it differently?": "Could trios work better than pairs in maths?",
}


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a directory of this test's own. Set before daphne forks (fixtures are
    made in the order they are asked for), so the server writes there too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(media, live_daphne):
    return live_daphne


def jpeg_with_gps() -> bytes:
    """A small photo as a phone takes it: the camera's make and where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 48.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 33.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 120, 40)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it has GPS
    return data


def advance(page, button: str, minutes: int, stage: str):
    page.get_by_label("How long did this take?").fill(str(minutes))
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(f"Moved to {stage}.")).to_be_visible()


def test_a_teacher_learns_tries_reflects_and_shares_and_her_record_holds_it(browser, site, media):
    school = make_school(name="Riverside Primary", slug="riverside-primary")
    amira = make_user(username="amira", display_name="Amira Khan", school=school)
    wanjiru = make_user(username="wanjiru", display_name="Wanjiru Kamau")
    author = make_user(username="mo", display_name="Mo Patel")
    User.objects.update(date_joined="2026-01-01T00:00:00Z")  # past the first-day limits
    space = make_space(name="Oracy network", slug="oracy", members=[amira, wanjiru])
    primary, english = Phase.objects.get(slug="primary"), Subject.objects.get(name="English")
    module = make_module(
        author=author,
        title="Talk partners before writing",
        summary="Thirty seconds of talk before every written answer.",
        minutes=12,
        phases=[primary],
        subjects=[english],
        tags=["oracy"],
    )
    make_module(author=author, title="Retrieval starters", minutes=8, phases=[primary])
    make_module(author=author, title="Talk partners draft", status="draft")

    # The library: a search and a filter find the one module.
    a = open_as(browser, site, "amira@example.org", "/library/")
    # Two search landmarks on this page, each named, so a screen reader tells them apart.
    expect(a.get_by_role("search", name="Search Staffroom")).to_have_count(1)
    filters = a.get_by_role("search", name="Search and filter the library")
    filters.get_by_label("Search the library").fill("talk partners")
    filters.get_by_label("Phase").select_option(label="Primary")
    filters.get_by_label("Time").select_option(label="15 minutes or less")
    filters.get_by_role("button", name="Show modules").click()
    expect(a.get_by_role("status").filter(has_text="match")).to_have_text("1 module matches")
    a.get_by_role("link", name="Talk partners before writing").click()

    # The module: read it, mark it complete, start a cycle from it.
    expect(a.get_by_role("heading", name="Talk partners before writing", level=1)).to_be_visible()
    learning = a.get_by_role("region", name="Your learning", exact=True)
    learning.get_by_role("button", name="Mark complete").click()
    expect(learning).to_contain_text("You completed this module")
    learning.get_by_role("link", name="Start an inquiry cycle from this module").click()
    question = a.get_by_label("Your focus question")
    expect(question).to_have_value(
        "What happens when I try “Talk partners before writing” with my class?"
    )
    focus = "How do talk partners change my Year 4 pupils' written answers?"
    question.fill(focus)
    a.get_by_role("button", name="Start the cycle").click()
    expect(a.get_by_text("Your inquiry cycle has begun.")).to_be_visible()
    expect(a.get_by_role("heading", name=focus, level=1)).to_be_visible()
    cycle = InquiryCycle.objects.get(owner=amira)
    assert cycle.module == module and cycle.visibility == InquiryCycle.Visibility.PRIVATE
    path = cycle.get_absolute_url()

    # Learn → plan, and the trial plan.
    advance(a, "I've learned it: plan a trial", 5, "plan")
    a.get_by_role("link", name="Plan your trial").click()
    a.get_by_label("Class or year group").fill("Year 4")
    a.get_by_label("When").fill("2026-03-10")
    a.get_by_label("What I will try").fill("Thirty seconds of talk before each written answer.")
    a.get_by_label("What I will look for").fill("Longer answers from the quieter pupils.")
    a.get_by_role("button", name="Save the plan").click()
    expect(a.get_by_text("Your trial plan is saved.")).to_be_visible()
    plan = a.get_by_role("region", name="The trial plan", exact=True)
    expect(plan).to_contain_text("Year 4")
    expect(plan).to_contain_text("Thirty seconds of talk before each written answer.")

    # Plan → try, and the evidence: a note, then a photo carrying its GPS position.
    advance(a, "Start the trial", 10, "try")
    a.get_by_role("link", name="Add evidence", exact=True).click()
    a.get_by_role("radio", name="A note").check()
    a.get_by_role("textbox", name="Note").fill("Eleven pupils wrote two sentences or more.")
    a.get_by_role("button", name="Add evidence").click()
    expect(a.get_by_text("Evidence added.")).to_be_visible()
    a.get_by_role("link", name="Add a note, photo or file").click()
    a.get_by_role("radio", name="A photo of pupils' work").check()
    a.get_by_role("textbox", name="Note").fill("Jo's paragraph")
    a.get_by_label("Photo or file").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    a.get_by_role("button", name="Add evidence").click()
    expect(a.get_by_text("Evidence added.")).to_be_visible()
    evidence = a.get_by_role("region", name="Evidence", exact=True)
    expect(evidence).to_contain_text("Eleven pupils wrote two sentences or more.")
    photo_img = evidence.get_by_role("img", name="Photo of pupils' work: Jo's paragraph")
    expect(photo_img).to_be_visible()
    expect(photo_img).to_have_js_property("complete", True)
    assert photo_img.evaluate("img => img.naturalWidth") == 120  # it decodes and displays

    photo = Evidence.objects.get(cycle=cycle, kind=Evidence.Kind.PHOTO)
    stored = photo.file.path
    assert Path(stored).is_relative_to(media) and Path(stored).is_file()
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no camera, no GPS
        assert "exif" not in image.info
    served = a.request.get(f"{site}{path}evidence/{photo.pk}/")
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in served.body() and b"PhoneCam" not in served.body()

    # Try → reflect, and the four prompts.
    advance(a, "I've tried it: reflect", 40, "reflect")
    a.get_by_role("link", name="Write your reflection").click()
    for prompt, answer in REFLECTION.items():
        a.get_by_label(prompt).fill(answer)
    a.get_by_role("button", name="Save the reflection").click()
    expect(a.get_by_text("Your reflection is saved.")).to_be_visible()
    reflection = a.get_by_role("region", name="Reflection", exact=True)
    for prompt, answer in REFLECTION.items():
        expect(reflection.get_by_role("heading", name=prompt)).to_be_visible()
        expect(reflection).to_contain_text(answer)

    # Reflect → share, and sharing in the space.
    advance(a, "Go on to share", 15, "share")
    a.get_by_role("link", name="Share your reflection").click()
    a.get_by_role("radio", name=re.compile("Oracy network")).check()
    a.get_by_role("button", name="Share").click()
    expect(a.get_by_text("Shared. Feedback will appear on this page")).to_be_visible()
    cycle.refresh_from_db()
    assert cycle.thread is not None and cycle.thread.space == space
    assert (cycle.visibility, cycle.space) == (InquiryCycle.Visibility.SPACE, space)

    # Wanjiru, a member of the space, opens the cycle and gives feedback.
    w = open_as(browser, site, "wanjiru@example.org", path)
    expect(w.get_by_role("heading", name=focus, level=1)).to_be_visible()
    expect(w.get_by_role("region", name="Reflection", exact=True)).to_contain_text(
        REFLECTION["What did I do?"]
    )
    w.get_by_role("link", name="Give feedback").click()
    w.get_by_label("Warm: what worked").fill("Sentence stems gave the quiet pupils a way in.")
    w.get_by_label("Cool: a question or a suggestion").fill("What if partners swapped weekly?")
    w.get_by_label("How long did you spend on this?").fill("10")
    w.get_by_role("button", name="Post feedback").click()
    expect(w.get_by_text("Thank you: your feedback is posted in the thread.")).to_be_visible()
    assert Feedback.objects.get(cycle=cycle).author == wanjiru

    # Amira sees the feedback on her cycle page, and finishes the cycle.
    a.goto(f"{site}{path}")
    feedback = a.get_by_role("region", name="Feedback", exact=True)
    expect(feedback).to_contain_text("Wanjiru Kamau")
    expect(feedback).to_contain_text("Warm: Sentence stems gave the quiet pupils a way in.")
    expect(feedback).to_contain_text("Cool: What if partners swapped weekly?")
    a.get_by_label("How long did this take?").fill("5")
    a.get_by_role("button", name="Finish the cycle").click()
    expect(a.get_by_text("Cycle finished. It's in your CPD record.")).to_be_visible()

    # The record: every step, in the database, on the page and in the CSV export.
    expected = [
        ("Discussed feedback on: " + focus, "Inquiry cycle stage", 5),
        ("Shared a reflection: " + focus, "Reflection shared", 0),
        ("Reflected on: " + focus, "Inquiry cycle stage", 15),
        ("Tried: " + focus, "Inquiry cycle stage", 40),
        ("Planned: " + focus, "Inquiry cycle stage", 10),
        ("Learned for: " + focus, "Inquiry cycle stage", 5),
        ("Talk partners before writing", "Module completed", 12),
    ]
    rows = [
        (entry.title, entry.get_kind_display(), entry.minutes)
        for entry in RecordEntry.objects.filter(user=amira)
    ]
    assert rows == expected  # newest first
    assert RecordEntry.objects.filter(user=wanjiru, kind=RecordEntry.Kind.FEEDBACK).count() == 1

    # The account menu (a <summary>, which has no ARIA role to find it by).
    a.get_by_role("navigation", name="Main").locator("summary", has_text="Amira Khan").click()
    a.get_by_role("link", name="My CPD record").click()
    expect(a.get_by_role("heading", name="My CPD record", level=1)).to_be_visible()
    summary = a.get_by_role("region", name="The whole record", exact=True)
    expect(summary.locator("dt", has_text="Entries").locator("+ dd")).to_have_text(
        str(len(expected))
    )
    expect(summary.locator("dt", has_text="Hours").locator("+ dd")).to_have_text("1.5")
    timeline = a.get_by_role("region", name="Timeline", exact=True)
    entries = timeline.locator(".record-entry")
    expect(entries).to_have_count(len(expected))
    shown = []
    for i in range(len(expected)):
        entry = entries.nth(i)
        minutes = re.match(r"(\d+) minutes?", entry.locator("p").nth(1).inner_text())
        shown.append(
            (
                entry.get_by_role("heading", level=4).inner_text(),
                entry.locator(".kind-badge").inner_text().strip(),
                int(minutes.group(1)),
            )
        )
    assert shown == expected
    expect(
        timeline.get_by_role("link", name="Talk partners before writing", exact=True)
    ).to_have_attribute("href", module.get_absolute_url())

    response = a.request.get(f"{site}/record/export.csv")
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    exported = list(csv.DictReader(io.StringIO(response.text())))
    assert [(row["title"], row["kind"], int(row["minutes"])) for row in exported] == expected
    assert {row["timezone"] for row in exported} == {"Europe/London"}
    assert exported[-1]["evidence"] == f"{site}{module.get_absolute_url()}"
    assert all(row["evidence"] == f"{site}{path}" for row in exported[:-1])
    for page in (a, w):
        page.context.close()


def test_a_teacher_outside_the_space_and_the_school_finds_neither_cycle_nor_photo(browser, site):
    school = make_school(name="Riverside Primary", slug="riverside-primary")
    amira = make_user(username="amira", display_name="Amira Khan", school=school)
    wanjiru = make_user(username="wanjiru", display_name="Wanjiru Kamau")
    make_user(username="kofi", display_name="Kofi Mensah", school=make_school(name="Hillside"))
    space = make_space(name="Oracy network", slug="oracy", members=[amira, wanjiru])
    cycle = make_cycle(owner=amira, stage="share", reflected=True, visibility="space", space=space)
    photo = cycle_services.add_evidence(
        actor=amira,
        cycle=cycle,
        kind="photo",
        note="Jo's paragraph",
        upload=SimpleUploadedFile("work.jpg", jpeg_with_gps(), content_type="image/jpeg"),
    )
    path = cycle.get_absolute_url()
    photo_url = f"{site}{path}evidence/{photo.pk}/"

    member = open_as(browser, site, "wanjiru@example.org", path)  # the same addresses work
    expect(member.get_by_role("heading", name=cycle.focus_question, level=1)).to_be_visible()
    assert member.request.get(photo_url).status == 200

    outsider = open_as(browser, site, "kofi@example.org", "/inquiry/")
    assert outsider.goto(f"{site}{path}").status == 404
    expect(outsider.get_by_role("heading", name=cycle.focus_question)).to_have_count(0)
    assert outsider.request.get(photo_url).status == 404
    for page in (member, outsider):
        page.context.close()
