"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against the live server.

Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls from a
thread with a running loop unless told it is safe, which it is here (one test thread).
"""
import os
from pathlib import Path

import pytest

from tests.browser.artifacts import run_dir
from tests.browser.audit import DESKTOP, Audit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which
# this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (bin/setup --test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.console_errors = console_errors
    yield page
    context.close()


@pytest.fixture
def audit(page, request):
    """Checks each page the test shows (see tests/browser/audit.py); the test calls
    `audit.check(step)` on each page and `audit.finish()` at its end."""
    audit = Audit(page, run_dir() / request.node.name)
    yield audit
    audit.write_summary()


def screenshot(page, name: str) -> Path:
    path = run_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
