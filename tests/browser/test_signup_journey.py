"""A person joins Staffroom: sign up, confirm the email, complete the profile, see it."""

import re

from playwright.sync_api import expect

from community.models import Profile


def test_sign_up_confirm_email_complete_profile_and_see_it(page, live_server, mailoutbox, school):
    page.goto(live_server.url)
    page.get_by_role("link", name="Join Staffroom").first.click()

    page.get_by_label("Email").fill("new.teacher@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-safe-passphrase")
    page.get_by_label("Password (again)").fill("a-long-safe-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    expect(
        page.get_by_role("heading", name=re.compile("Tell colleagues who you are"))
    ).to_be_visible()
    # The browser's zone (Europe/Madrid) is suggested for the timezone.
    expect(page.get_by_label("Timezone")).to_have_value("Europe/Madrid")
    page.get_by_label("Display name").fill("Ms Nadia Petrova")
    page.get_by_label("Handle").fill("nadia.p")
    page.get_by_label(re.compile(r"^School\b")).select_option(label=school.name)
    page.get_by_label("Career stage").select_option(label="Early-career teacher")
    page.get_by_label("Primary", exact=True).check()
    page.get_by_label("Mathematics").check()
    page.get_by_label("Short bio").fill("I teach **Year 3** and love number talks.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(r"/people/nadia\.p/$"))
    expect(page.get_by_role("heading", name="Ms Nadia Petrova")).to_be_visible()
    expect(page.get_by_text("Welcome to Staffroom!")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("Year 3")
    expect(page.get_by_role("link", name=school.name).first).to_be_visible()
    profile = Profile.objects.get(user__username="nadia.p")
    assert profile.is_onboarded and profile.timezone == "Europe/Madrid"
