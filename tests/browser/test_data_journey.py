"""A teacher takes her data and goes: Amira asks for a copy of her data, the worker builds
it, she downloads the zip and her reflection is in it; then she closes her account. She
can no longer log in, and in the discussion she was part of, Wanjiru reads her post
signed "a former member"."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from community.models import User
from tests.browser.test_live_thread import open_as
from tests.factories import PASSWORD, REFLECTION, make_cycle, make_space, make_thread, make_user


def worker_process():
    """`manage.py db_worker` in a process of its own (as `make run` starts it), on the
    test database, until the queue is empty. Not in this process: the worker closes and
    reopens its database connection between tasks, and doing that here, beside the
    forked daphne on the same SQLite file, left the server's later commits unseen."""
    env = {**os.environ, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = name
    else:
        env["DATABASE_URL"] = (
            urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        )
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    command = [sys.executable, str(manage), "db_worker", "--batch", "--no-startup-delay"]
    subprocess.run([*command, "--no-reload"], env=env, check=True, timeout=60)


@pytest.fixture
def media(settings, tmp_path):
    """Set before daphne forks, so the server and the worker write to the same place."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(media, live_daphne):
    return live_daphne


def test_a_teacher_downloads_her_data_then_closes_her_account(browser, site, tmp_path):
    amira = make_user(username="amira", email="amira@example.org", display_name="Amira Khan")
    wanjiru = make_user(username="wanjiru", display_name="Wanjiru Kamau")
    space = make_space(name="Oracy network", slug="oracy", members=[amira, wanjiru])
    thread = make_thread(
        space=space, author=amira, title="Talk partners", body="Talk partners changed my Year 4."
    )
    make_cycle(owner=amira, stage="share", reflected=True)

    page = open_as(browser, site, "amira@example.org", "/")
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    page.get_by_role("button", name="Ask for an export").click()
    expect(page.get_by_text("Your export is on its way.")).to_be_visible()
    expect(page.locator('[data-export-state="queued"]')).to_be_visible()

    worker_process()  # what `make run`'s worker does in the background
    page.reload()
    expect(page.locator('[data-export-state="ready"]')).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your data (.zip)").click()
    saved = tmp_path / "export.zip"
    info.value.save_as(saved)
    archive = zipfile.ZipFile(saved)
    assert "README.txt" in archive.namelist()
    (cycle,) = json.loads(archive.read("inquiry_cycles.json"))
    assert cycle["reflection"]["What did I do?"] == REFLECTION["reflect_did"]
    page.goto(f"{site}/notifications/")
    expect(page.locator(".notification", has_text="Your data export is ready")).to_be_visible()

    page.goto(f"{site}/account/data/")
    page.get_by_role("link", name="Close my account…").click()
    expect(
        page.get_by_role("checkbox", name=re.compile("Also delete my posts"))
    ).not_to_be_checked()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close my account and erase my data").click()
    expect(page.get_by_text("Your account is closed and your data erased.")).to_be_visible()

    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill("amira@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text(re.compile("not correct", re.I))).to_be_visible()
    assert User.objects.get(pk=amira.pk).erased_at is not None
    page.context.close()

    reader = open_as(browser, site, wanjiru.email, thread.get_absolute_url())
    post = reader.locator(".post").first
    expect(post).to_contain_text("a former member")
    expect(post).to_contain_text("Talk partners changed my Year 4.")
    expect(post).not_to_contain_text("Amira")
    reader.context.close()
