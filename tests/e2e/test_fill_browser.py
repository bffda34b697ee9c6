"""Filling an audit on a tablet in real Chromium: start, answer, fail items, required evidence,
signature, submit, see the audit; an identical resend creates nothing new."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TABLET_VIEWPORTS

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "guard.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def item(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.item[data-key="{key}"]').first


@pytest.mark.parametrize("viewport", ["portrait", "landscape"])
def test_fill_fail_fix_and_submit_press_startup(
    browser: Browser, live_server: str, artifacts: Path, tmp_path: Path, viewport: str
) -> None:
    context = browser.new_context(viewport=TABLET_VIEWPORTS[viewport], has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, "operator@demo.gemba", "operator-demo")

    page.goto(f"{live_server}/audits/start?asset=ULM-ST-PL1-P4")
    expect(page.get_by_text("Press 4", exact=True)).to_be_visible()
    expect(page.get_by_label("Machine")).to_have_value("ULM-ST-PL1-P4")
    page.get_by_label("Checklist").select_option(label="Press start-up check (v1)")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Press start-up check")

    # Guards fail (critical): comment, photo and reaction become required.
    item(page, "guards_closed").get_by_text("No", exact=True).click()
    extras = item(page, "guards_closed").locator("[data-fail-extras]")
    expect(extras).to_be_visible()
    item(page, "estop_tested").get_by_text("Yes", exact=True).click()
    item(page, "oven_temp").get_by_role("spinbutton").fill("191.5")
    item(page, "oil_pressure").get_by_role("spinbutton").fill("230")  # out of spec: fails
    expect(item(page, "oil_pressure").locator("[data-fail-extras]")).to_be_visible()
    expect(item(page, "deviation_note")).to_be_visible()  # shown by visibleIf
    item(page, "recipe").get_by_text("A12 bracket").click()
    row = page.locator(".repeat-row").first
    row.get_by_role("spinbutton", name="Length").fill("120.5")
    row.locator('.item[data-key="burr_free"]').get_by_text("Yes", exact=True).click()
    expect(item(page, "parts_out_of_spec").locator("output")).to_have_text("1")

    # Sign on the canvas.
    canvas = item(page, "operator_signature").locator("canvas")
    canvas.evaluate("el => el.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 120 - (step % 3) * 30)
    page.mouse.up()
    expect(item(page, "operator_signature").locator("[data-signature-state]")).to_have_text(
        "Signed ✓"
    )

    # First submit: the missing comment/photo/reaction and the required note are reported per item.
    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator("[data-summary]")).to_contain_text("need attention")
    expect(item(page, "guards_closed")).to_be_in_viewport()  # scrolled to the first problem
    expect(item(page, "guards_closed").locator("[data-error]")).to_contain_text(
        "Say what is wrong."
    )
    expect(item(page, "guards_closed").locator("[data-error]")).to_contain_text("Add a photo")
    expect(item(page, "deviation_note").locator("[data-error]")).to_contain_text("needs an answer")
    # Entered answers are kept.
    expect(item(page, "oven_temp").get_by_role("spinbutton")).to_have_value("191.5")

    extras.get_by_label("What is wrong?").fill("Rear guard interlock does not stop the press.")
    extras.get_by_text("Escalated").click()
    extras.get_by_label("What was done, who was informed?").fill(
        "Press locked out, maintenance called."
    )
    extras.locator('input[type="file"]').set_input_files(str(photo_file(tmp_path)))
    expect(extras.locator("[data-thumbs] img")).to_have_count(1)
    oil = item(page, "oil_pressure").locator("[data-fail-extras]")
    oil.get_by_label("What is wrong?").fill("Pressure 230 bar after warm-up.")
    oil.get_by_text("Contained").click()
    note = item(page, "deviation_note").get_by_role("textbox", name="What differs")
    note.fill("Valve set too high.")
    page.screenshot(path=str(artifacts / f"fill-{viewport}.png"), full_page=True)

    page.get_by_role("button", name="Submit audit").click()
    expect(page.locator(".badge-big")).to_contain_text("Fail")
    page.screenshot(path=str(artifacts / f"detail-{viewport}.png"), full_page=True)
    expect(page.get_by_text("Rear guard interlock does not stop the press.")).to_be_visible()
    expect(page.locator(".answer-fail")).to_have_count(
        4
    )  # guards, oil, row length, parts out of spec
    expect(page.locator('.thumbs img[alt^="Photo"]')).to_have_count(1)
    expect(page.locator('.thumbs img[alt^="Signature"]')).to_have_count(1)
    client_uuid = page.url.rstrip("/").rsplit("/", 1)[-1]

    # A second identical submit (double tap, network retry) creates nothing new.
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    stored = page.request.get(f"{live_server}/api/v1/audits/{client_uuid}").json()
    before = len(page.request.get(f"{live_server}/api/v1/audits").json()["items"])
    again = page.request.post(
        f"{live_server}/api/v1/audits/{client_uuid}/submit",
        data=json.dumps({"answers": stored["answers"]}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf or ""},
    )
    assert again.status == 200
    assert again.json()["client_uuid"] == client_uuid
    assert len(page.request.get(f"{live_server}/api/v1/audits").json()["items"]) == before
    assert errors == []
    context.close()


def test_draft_autosaves_and_reopens(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport=TABLET_VIEWPORTS["portrait"], has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "auditor@demo.gemba", "auditor-demo")
    page.goto(f"{live_server}/audits/start?asset=ULM-ST-PL1-P5")
    page.get_by_label("Checklist").select_option(label="LPA layer 1 — station audit (v1)")
    page.get_by_role("button", name="Start").click()
    item(page, "work_instruction").get_by_text("Yes", exact=True).click()
    item(page, "ppe_worn").get_by_text("No", exact=True).click()
    item(page, "ppe_worn").get_by_label("What is wrong?").fill("No safety glasses.")
    expect(page.locator("[data-save-state]")).to_contain_text("Saved", timeout=10_000)
    url = page.url
    page.goto(f"{live_server}/")
    page.goto(url)
    expect(item(page, "work_instruction").locator('input[value="pass"]')).to_be_checked()
    expect(item(page, "ppe_worn").get_by_label("What is wrong?")).to_have_value(
        "No safety glasses."
    )
    expect(page.locator("[data-progress-text]")).to_have_text("2 of 12 answered")
    context.close()


def test_answers_typed_while_the_server_is_unreachable_survive_a_reload(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(viewport=TABLET_VIEWPORTS["landscape"], has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "auditor@demo.gemba", "auditor-demo")
    page.goto(f"{live_server}/audits/start?asset=ULM-AS-LA-OV")
    page.get_by_label("Checklist").select_option(label="LPA layer 1 — station audit (v1)")
    page.get_by_role("button", name="Start").click()
    url = page.url
    page.route("**/draft", lambda route: route.abort())  # the Wi-Fi drops behind the machine
    item(page, "gauges_calibrated").get_by_text("No", exact=True).click()
    item(page, "gauges_calibrated").get_by_label("What is wrong?").fill("Caliper 17 overdue.")
    expect(page.locator("[data-save-state]")).to_contain_text("Offline", timeout=10_000)
    page.unroute("**/draft")
    page.goto(url)
    expect(item(page, "gauges_calibrated").locator('input[value="fail"]')).to_be_checked()
    expect(item(page, "gauges_calibrated").get_by_label("What is wrong?")).to_have_value(
        "Caliper 17 overdue."
    )
    expect(page.locator("[data-save-state]")).to_contain_text("Saved", timeout=10_000)
    context.close()
