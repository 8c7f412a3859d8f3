from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

VIEWPORTS = {
    "laptop": {"width": 1366, "height": 850},
    "tablet": {"width": 820, "height": 1180},
}


@pytest.fixture(autouse=True)
def _no_csp_violations(page: Page):
    """Fail any journey during which the browser blocked something under the CSP."""
    blocked: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            where = message.location
            blocked.append(
                f"{message.text.split('.')[0]} at {where.get('url')}:{where.get('lineNumber')}"
            )

    page.on("console", watch)
    yield
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under artifacts/screenshots/ (git-ignored) for review."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    """Sign in through the real login form."""

    def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in
