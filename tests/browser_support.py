"""What the browser tests of the review apps share: Debian's Chromium through Playwright (no
`playwright install`), skipping locally but failing under CI when a piece is missing, and a poll
for a condition in the page (the pages' CSP refuses Playwright's eval-based wait_for_function)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def need_bottle() -> None:
    try:
        import bottle  # noqa: F401
    except ImportError:
        missing("bottle is not installed (pip install -e '.[review]')")


def chromium() -> Iterator:
    """For a module-scoped fixture: `yield from chromium()`."""
    need_bottle()
    if not CHROMIUM.exists():
        missing("chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]'; its browser is Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def wait(page, expression: str, timeout: float = 15) -> None:
    """Until the expression is true in the page, polled with evaluate."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}; status: {page.text_content('#status')}")
        time.sleep(0.02)
