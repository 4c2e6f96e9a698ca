"""Two people in a space's chat room see each other's messages live; one drops off,
comes back, and has every message exactly once."""

from playwright.sync_api import expect

from community.models import User
from tests.browser.test_live_thread import open_as
from tests.factories import make_space, make_user


def say(page, text):
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_two_people_chat_live_and_a_dropped_reader_catches_up(browser, live_daphne):
    amira = make_user(username="amira", display_name="Amira Khan")
    wanjiru = make_user(
        username="wanjiru", display_name="Wanjiru Kamau", timezone_name="Africa/Nairobi"
    )
    User.objects.update(date_joined="2026-01-01T00:00:00Z")
    make_space(name="Oracy", slug="oracy", members=[amira, wanjiru])

    a = open_as(browser, live_daphne, "amira@example.org", "/s/oracy/chat/")
    b = open_as(browser, live_daphne, "wanjiru@example.org", "/s/oracy/chat/")
    a.wait_for_timeout(500)
    log_a, log_b = a.locator("[role=log]"), b.locator("[role=log]")
    expect(a.locator("[data-presence]")).to_contain_text("2 here now")  # live presence

    say(a, "Morning from Leeds!")
    expect(log_a.locator(".chat-message").filter(has_text="Morning from Leeds!")).to_have_count(1)
    expect(log_b.locator(".chat-message").filter(has_text="Morning from Leeds!")).to_have_count(1)
    expect(log_b.get_by_text("EAT").first).to_be_visible()  # B's own zone, not A's
    say(b, "Habari from Nairobi")
    expect(log_a.locator(".chat-message").filter(has_text="Habari from Nairobi")).to_have_count(1)

    b.context.set_offline(True)
    say(a, "Are you still there?")
    say(a, "We're talking about sentence stems")
    b.context.set_offline(False)
    for text in [
        "Morning from Leeds!",
        "Habari from Nairobi",
        "Are you still there?",
        "We're talking about sentence stems",
    ]:
        expect(log_b.locator(".chat-message").filter(has_text=text)).to_have_count(1)
    expect(log_b.locator(".chat-message")).to_have_count(4)
    expect(log_a.locator(".chat-pending")).to_have_count(0)  # every send was confirmed
    a.context.close()
    b.context.close()
