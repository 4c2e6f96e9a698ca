"""A blended course from a cohort's start to a credential that verifies: Mo, an author of
a published course, starts a cohort from the course page and sees its invite code; Amira
joins with the code, completes unit 1's pre-learning, and Mo marks her present in the
unit's register, which his dashboard then shows; she takes unit 1's classroom task
through plan, try, reflect and share (into the cohort's space), and unit 2 likewise
(most of it through the services, its last step on the page). Nobody presses "issue":
her credential appears under My credentials, its public page says valid, its VC-JWT
pasted into the check page verifies, and a tampered copy does not."""

import base64
import json
import re
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from community.models import User
from inquiry.models import Cohort, Credential, InquiryCycle
from inquiry.services import cohorts as cohort_services
from inquiry.services import cycles as cycle_services
from inquiry.services import facilitation
from inquiry.services import library as library_services
from tests.browser.test_live_thread import open_as
from tests.factories import REFLECTION, make_course, make_user

PROMPTS = {
    "What did I do?": "Talk partners rehearsed every answer for thirty seconds first.",
    "What does it mean?": "The quieter half of the class explained their thinking aloud.",
    "How did I come to do it this way?": "The unit's task, with sentence stems added.",
    "How might I do it differently?": "Could trios work better than pairs in maths?",
}


def advance(page, button: str, minutes: int, stage: str):
    page.get_by_label("How long did this take?").fill(str(minutes))
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(f"Moved to {stage}.")).to_be_visible()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unit_card(page, number: int):
    """A unit on the cohort page: the list item under its heading."""
    heading = page.get_by_role("heading", name=re.compile(rf"^Unit {number}:"), level=3)
    return page.get_by_role("listitem").filter(has=heading)


def check(page, site, text: str) -> None:
    page.goto(f"{site}/credentials/verify/")
    page.get_by_label("Paste the credential").fill(text)
    page.get_by_role("button", name="Check").click()


def test_a_cohort_runs_from_its_invite_code_to_a_credential_that_verifies(browser, live_daphne):
    site = live_daphne
    mo = make_user(username="mo", display_name="Mo Patel")
    amira = make_user(username="amira", display_name="Amira Khan")
    User.objects.update(date_joined="2026-01-01T00:00:00Z")  # past the first-day limits
    course = make_course(units=2, authors=[mo], title="Talk for learning")
    units = list(course.units.order_by("number"))

    # Mo starts a cohort from the course page. Both units open today; their sessions are
    # at midnight (his zone), so they have happened and the register can be kept.
    today = timezone.localdate(timezone=ZoneInfo("Europe/London"))
    f = open_as(browser, site, "mo@example.org", course.get_absolute_url())
    f.get_by_role("link", name="Start a cohort").click()
    expect(f.get_by_role("heading", name="Start a cohort", level=1)).to_be_visible()
    f.get_by_label("Name").fill("Spring, Leeds")
    f.get_by_label("Capacity").fill("12")
    for unit in units:
        f.get_by_label(f"Unit {unit.number} opens on").fill(today.isoformat())
        f.get_by_label(f"Unit {unit.number} session").fill(f"{today.isoformat()}T00:00")
    f.get_by_role("button", name="Start the cohort").click()
    cohort = Cohort.objects.get(course=course)
    expect(
        f.get_by_text(f"Cohort started. Its invite code is {cohort.invite_code}.")
    ).to_be_visible()
    invite = f.get_by_role("region", name="Invite teachers")
    expect(invite).to_contain_text(f"Code: {cohort.invite_code}")
    expect(invite).to_contain_text("0 of 12 places taken.")
    code = re.search(r"Code: (\w+)", invite.inner_text()).group(1)
    cohort_path = cohort.get_absolute_url()

    # Amira joins with the code (typed in lower case, with a dash: it still works).
    a = open_as(browser, site, "amira@example.org", "/cohorts/join/")
    a.get_by_label("Invite code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    a.get_by_role("button", name="Join", exact=True).click()
    expect(a.get_by_text("Welcome to Spring, Leeds.")).to_be_visible()
    expect(a.get_by_role("heading", name="Talk for learning", level=1)).to_be_visible()

    # Unit 1's pre-learning: the module, from the cohort page, marked complete.
    unit1 = unit_card(a, 1)
    module1 = units[0].modules.get()
    unit1.get_by_role("link", name=module1.title).click()
    learning = a.get_by_role("region", name="Your learning", exact=True)
    learning.get_by_role("button", name="Mark complete").click()
    expect(learning).to_contain_text("You completed this module")
    a.goto(f"{site}{cohort_path}")
    expect(unit1.get_by_role("list", name="Unit 1 parts")).to_contain_text("Done: Pre-learning")

    # Mo marks her present in unit 1's register, from the dashboard; the dashboard shows it.
    f.goto(f"{site}{cohort_path}")
    f.get_by_role("link", name="Dashboard").click()
    expect(f.get_by_role("heading", name="Facilitator's dashboard")).to_be_visible()
    f.get_by_role("link", name="Register for unit 1").click()
    f.get_by_role("group", name=re.compile("Amira Khan")).get_by_label("Present").check()
    f.get_by_role("button", name="Save the register").click()
    f.get_by_role("link", name="Back to the dashboard").click()
    row = f.get_by_role("row").filter(has=f.get_by_role("rowheader", name="Amira Khan"))
    cell = row.get_by_role("cell").nth(0)  # unit 1
    expect(cell).to_contain_text("Pre-learning: done")
    expect(cell).to_contain_text("Session: present")
    expect(cell).to_contain_text("Classroom task: not yet")

    # Amira's classroom task for unit 1, through plan, try, reflect and share.
    a.goto(f"{site}{cohort_path}")
    expect(unit1).to_contain_text("The register says: Present")
    unit1.get_by_role("button", name="Start the classroom task").click()
    expect(
        a.get_by_text("Your classroom task is an inquiry cycle: start by learning.")
    ).to_be_visible()
    cycle1 = InquiryCycle.objects.get(owner=amira, cohort_unit__unit=units[0])
    advance(a, "I've learned it: plan a trial", 5, "plan")
    a.get_by_role("link", name="Plan your trial").click()
    a.get_by_label("Class or year group").fill("Year 4")
    a.get_by_label("When").fill(today.isoformat())
    a.get_by_label("What I will try").fill("Thirty seconds of talk before each written answer.")
    a.get_by_label("What I will look for").fill("Longer answers from the quieter pupils.")
    a.get_by_role("button", name="Save the plan").click()
    expect(a.get_by_text("Your trial plan is saved.")).to_be_visible()
    advance(a, "Start the trial", 10, "try")
    advance(a, "I've tried it: reflect", 40, "reflect")
    a.get_by_role("link", name="Write your reflection").click()
    for prompt, answer in PROMPTS.items():
        a.get_by_label(prompt).fill(answer)
    a.get_by_role("button", name="Save the reflection").click()
    expect(a.get_by_text("Your reflection is saved.")).to_be_visible()
    advance(a, "Go on to share", 15, "share")
    a.get_by_role("link", name="Share your reflection").click()
    a.get_by_role("radio", name=re.compile(cohort.space.name)).check()
    a.get_by_role("button", name="Share").click()
    expect(a.get_by_text("Shared. Feedback will appear on this page")).to_be_visible()
    cycle1.refresh_from_db()
    assert cycle1.thread.space == cohort.space
    a.goto(f"{site}{cohort_path}")
    expect(unit1.get_by_text("Done", exact=True)).to_be_visible()
    assert not Credential.objects.exists()  # one unit of two

    # Unit 2 through the services, all but its last step.
    cohort_unit2 = cohort.cohort_units.get(unit=units[1])
    library_services.complete_module(actor=amira, module=units[1].modules.get())
    facilitation.mark_attendance(actor=mo, cohort_unit=cohort_unit2, marks={amira.pk: "present"})
    cycle2, _ = cohort_services.start_unit_task(
        actor=amira, cohort=cohort, cohort_unit=cohort_unit2
    )
    cycle_services.advance(actor=amira, cycle=cycle2, to="plan", minutes=5)
    plan = cycle_services.Plan(trial_class="Year 4", trial_what="Trios instead of pairs.")
    cycle_services.save_plan(actor=amira, cycle=cycle2, plan=plan)
    cycle_services.advance(actor=amira, cycle=cycle2, to="try", minutes=10)
    cycle_services.advance(actor=amira, cycle=cycle2, to="reflect", minutes=30)
    cycle_services.save_reflection(actor=amira, cycle=cycle2, answers=REFLECTION)
    cycle_services.advance(actor=amira, cycle=cycle2, to="share", minutes=10)
    assert not Credential.objects.exists()

    # ...and the last step on the page: sharing unit 2's reflection finishes the course.
    a.goto(f"{site}{cohort_path}")
    unit_card(a, 2).get_by_role("link", name="Open your classroom task").click()
    a.get_by_role("link", name="Share your reflection").click()
    a.get_by_role("radio", name=re.compile(cohort.space.name)).check()
    a.get_by_role("button", name="Share").click()
    expect(a.get_by_text("Shared. Feedback will appear on this page")).to_be_visible()

    # The credential is there, issued by itself.
    a.goto(f"{site}/credentials/")
    expect(a.get_by_role("heading", name="My credentials", level=1)).to_be_visible()
    a.get_by_role("link", name="Talk for learning").click()
    expect(a.get_by_role("heading", name="Valid")).to_be_visible()
    credential = Credential.objects.get(user=amira, cohort=cohort)
    assert credential.revoked_at is None
    jwt_href = a.get_by_role("link", name="Download VC-JWT").get_attribute("href")
    token = a.request.get(f"{site}{jwt_href}").text().strip()
    assert token == credential.jwt

    # Its public page, for someone not signed in, says valid too.
    public = browser.new_context().new_page()
    public.goto(f"{site}{credential.get_absolute_url()}")
    result = public.get_by_role("region", name=re.compile("Valid"))
    expect(result).to_contain_text("Amira Khan")
    expect(result).to_contain_text("Talk for learning")

    # The check page: the download verifies; tampered copies do not.
    check(public, site, token)
    expect(public.get_by_role("heading", name="Valid")).to_be_visible()
    evidence = public.get_by_role("region", name="Valid")
    expect(evidence.get_by_role("link", name=cycle1.focus_question)).to_be_visible()

    header, body, signature = token.split(".")
    flipped = body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    check(public, site, f"{header}.{flipped}.{signature}")
    expect(public.get_by_role("heading", name="Tampered")).to_be_visible()

    claims = json.loads(unb64url(body))
    assert claims["credentialSubject"]["identifier"][0]["identityHash"] == "Amira Khan"
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Somebody Else"
    renamed = b64url(json.dumps(claims).encode())
    check(public, site, f"{header}.{renamed}.{signature}")
    expect(public.get_by_role("heading", name="Tampered")).to_be_visible()
    expect(public.get_by_role("heading", name="Valid")).to_have_count(0)

    for page in (f, a, public):
        page.context.close()
