"""Signing in on a tablet, in real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from demo import DEMO_USERS
from tests.e2e.conftest import TABLET_VIEWPORTS

pytestmark = pytest.mark.browser

DEMO = {role.value: (email, password) for role, email, _name, password in DEMO_USERS}


@pytest.mark.parametrize("viewport", sorted(TABLET_VIEWPORTS))
@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("operator", ["Plant", "API tokens"], ["Users"]),
        ("auditor", ["Plant", "API tokens"], ["Users"]),
        ("engineer", ["Plant", "API tokens"], ["Users"]),
        ("manager", ["Plant", "API tokens"], ["Users"]),
        ("admin", ["Plant", "Users", "API tokens"], []),
    ],
)
def test_tablet_login_shows_home_for_role(
    browser: Browser,
    live_server: str,
    artifacts: Path,
    viewport: str,
    role: str,
    visible: list[str],
    hidden: list[str],
) -> None:
    context = browser.new_context(viewport=TABLET_VIEWPORTS[viewport], has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=/")
    email, password = DEMO[role]
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    nav = page.get_by_role("navigation", name="Main")
    for label in visible:
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    page.wait_for_load_state("load")  # the stylesheet is applied before measuring
    # Touch targets: every link and button in the page is at least 48 px tall.
    small = page.evaluate(
        """() => [...document.querySelectorAll('a, button, input, select')]
            .filter(el => el.offsetParent !== null)
            .filter(el => el.type !== 'hidden' && el.type !== 'checkbox')
            .filter(el => el.getBoundingClientRect().height < 48)
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert small == [], small
    # Nothing overflows horizontally at tablet width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot = artifacts / f"home-{role}-{viewport}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000  # a rendered page, not an empty image
    context.close()


def test_wrong_password_in_browser_shows_message(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(viewport=TABLET_VIEWPORTS["portrait"])
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("operator@demo.gemba")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is wrong.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "login-error.png"))
    context.close()
