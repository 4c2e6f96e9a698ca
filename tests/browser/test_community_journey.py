"""Teachers discuss, a colleague reports, a moderator acts: the community journey."""

import re

from playwright.sync_api import expect

from community.models import ModerationAction, Post
from tests.factories import PASSWORD, make_school, make_space, make_user


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()


def test_post_reply_mention_react_report_hide(browser, live_server):
    leeds = make_school(name="Riverside Primary", slug="riverside")
    nairobi = make_school(
        name="Nairobi Hills", slug="nairobi-hills", country="KE", timezone="Africa/Nairobi"
    )
    amira = make_user(username="amira", school=leeds, display_name="Amira Khan")
    wanjiru = make_user(
        username="wanjiru",
        school=nairobi,
        display_name="Wanjiru Kamau",
        timezone_name="Africa/Nairobi",
    )
    tom = make_user(username="tom", school=leeds, display_name="Tom Hughes")
    rob = make_user(username="rob", display_name="Rob Moderator")
    make_space(name="Oracy", slug="oracy", moderators=[rob], members=[amira, wanjiru, tom])

    def as_person(email):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, email)
        return page

    # Teacher A posts a reflection in a space.
    a = as_person("amira@example.org")
    a.get_by_role("link", name="Spaces", exact=True).click()
    a.get_by_role("link", name="Oracy").click()
    a.get_by_role("link", name="Start a thread").click()
    a.get_by_label("Title").fill("Talk partners in Year 2: what I tried")
    a.get_by_label("Your post").fill("I paired children by *confidence*, not friendship. #oracy")
    a.get_by_role("button", name="Post thread").click()
    expect(a.get_by_role("heading", name="Talk partners in Year 2: what I tried")).to_be_visible()
    thread_url = a.url

    # Teacher B, another school and timezone, replies with a mention and reacts.
    b = as_person("wanjiru@example.org")
    b.goto(thread_url)
    expect(b.get_by_text("EAT").first).to_be_visible()  # times in Nairobi's zone
    b.get_by_role("button", name="Helpful").click()
    expect(b.get_by_role("button", name="Helpful 1")).to_have_attribute("aria-pressed", "true")
    reply_text = "@amira we do this too, and swap pairs every half term."
    b.get_by_label("Your reply").fill(reply_text)
    b.reload()  # the composer kept a draft: a refresh loses nothing
    expect(b.get_by_label("Your reply")).to_have_value(reply_text)
    b.get_by_role("button", name="Post reply").click()
    expect(b.locator("#post-2")).to_contain_text("swap pairs every half term")

    # A sees the notifications.
    a.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(a.get_by_role("link", name=re.compile("Wanjiru Kamau mentioned you"))).to_be_visible()
    expect(a.get_by_role("link", name=re.compile("Wanjiru Kamau found your post"))).to_be_visible()

    # C reports B's reply.
    c = as_person("tom@example.org")
    c.goto(thread_url)
    c.locator("#post-2").get_by_role("link", name="Report").click()
    c.get_by_label("Unkind or disrespectful").check()
    c.get_by_role("button", name="Send report").click()
    expect(c.get_by_text(re.compile("report", re.I)).first).to_be_visible()

    # The moderator hides it from the queue; B is told why; the log shows it.
    m = as_person("rob@example.org")
    m.get_by_role("link", name="Moderation").click()
    m.get_by_role("link", name=re.compile("Oracy")).first.click()
    m.get_by_label("Reason").fill("Please keep feedback kind")
    m.get_by_role("button", name="Hide").click()
    reply = Post.objects.get(thread__title__startswith="Talk partners", number=2)
    assert reply.hidden_at is not None
    b.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(
        b.get_by_role("link", name=re.compile("hid your post.*Please keep feedback kind"))
    ).to_be_visible()
    m.goto(f"{live_server.url}/s/oracy/log/")
    expect(m.get_by_text("Hid a post")).to_be_visible()
    assert ModerationAction.objects.filter(action="hide_post", post=reply, actor=rob).exists()
    for p in (a, b, c, m):
        p.context.close()
