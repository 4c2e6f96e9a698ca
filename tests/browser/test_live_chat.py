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


def test_a_moderator_closes_the_room_and_members_see_it_at_once(browser, live_daphne):
    amira = make_user(username="amira", display_name="Amira Khan")
    mo = make_user(username="mo", display_name="Mo Patel")
    make_space(name="Oracy", slug="oracy", members=[amira], moderators=[mo])
    User.objects.update(date_joined="2026-01-01T00:00:00Z")
    member = open_as(browser, live_daphne, "amira@example.org", "/s/oracy/chat/")
    moderator = open_as(browser, live_daphne, "mo@example.org", "/s/oracy/chat/")
    member.wait_for_timeout(500)
    composer = member.get_by_role("textbox", name="Message")
    expect(composer).to_be_visible()

    moderator.get_by_role("button", name="Close the room").click()
    notice = member.locator("[data-room-notice]")
    expect(notice).to_contain_text("Moderators have closed this room")  # no reload
    expect(composer).to_be_hidden()
    say(moderator, "Back at four, everyone.")  # moderators still may
    expect(member.get_by_text("Back at four, everyone.")).to_be_visible()

    moderator.get_by_role("button", name="Reopen the room").click()
    expect(notice).to_be_hidden()
    expect(composer).to_be_visible()
    say(member, "Thanks!")
    expect(moderator.get_by_text("Thanks!")).to_be_visible()
    member.context.close()
    moderator.context.close()
