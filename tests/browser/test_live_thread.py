"""Two people on one thread page: replies appear live, and a reader who drops off
catches up with nothing lost or doubled."""

import re

from playwright.sync_api import expect

from community.models import User
from tests.factories import PASSWORD, make_space, make_thread, make_user


def open_as(browser, url, email, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()
    page.goto(f"{url}{path}")
    return page


def reply(page, text):
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".post").filter(has_text=text)).to_have_count(1)


def test_replies_appear_live_and_a_reader_who_dropped_off_catches_up(browser, live_daphne):
    amira = make_user(username="amira", display_name="Amira Khan")
    wanjiru = make_user(username="wanjiru", display_name="Wanjiru Kamau")
    User.objects.update(date_joined="2026-01-01T00:00:00Z")  # past the first-day limits
    space = make_space(name="Oracy", slug="oracy", members=[amira, wanjiru])
    thread = make_thread(space=space, author=amira, title="Talk partners")
    path = thread.get_absolute_url()

    a = open_as(browser, live_daphne, "amira@example.org", path)
    b = open_as(browser, live_daphne, "wanjiru@example.org", path)
    a.wait_for_timeout(500)  # let A's socket subscribe

    reply(b, "First live reply from Nairobi")
    expect(a.locator("#post-2")).to_contain_text("First live reply from Nairobi")
    # The personal stream: A follows the thread, so the count goes up and a toast shows.
    expect(a.locator("[data-live-unread]")).to_have_text("1")
    expect(a.locator(".toast")).to_contain_text("Wanjiru Kamau replied")

    # A drops off; B replies twice; A comes back and catches up.
    a.context.set_offline(True)
    reply(b, "Second reply while you were away")
    reply(b, "Third reply while you were away")
    a.context.set_offline(False)
    expect(a.locator("#post-4")).to_contain_text("Third reply while you were away")
    for number in (2, 3, 4):
        expect(a.locator(f"#post-{number}")).to_have_count(1)  # nothing doubled
    expect(a.locator(".posts > .post")).to_have_count(4)  # nothing lost
    a.context.close()
    b.context.close()
