"""Browser fixtures: a live Gemba server on loopback and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from demo import seed_demo
from extensions import Database, db
from tests.conftest import migrate, settings_for

CHROMIUM = os.environ.get("GEMBA_TEST_CHROMIUM", "/usr/bin/chromium")
#: Tablet viewports from the design notes: portrait and landscape 10" tablets.
TABLET_VIEWPORTS = {
    "portrait": {"width": 800, "height": 1280},
    "landscape": {"width": 1280, "height": 800},
}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A migrated, demo-seeded app on its own SQLite file (a browser needs committed data)."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.sqlite3'}"
    migrate(url)
    app = create_app(settings_for(url, folder))
    with app.app_context():
        seed_demo(db.session)
        db.session.commit()
    yield app
    Database.state(app).engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served by a threaded WSGI server on 127.0.0.1 (a free port)."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/system-packages test (apt-get install chromium)"
        )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium, with no background traffic to the internet."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where a browser test saves screenshots (``GEMBA_TEST_ARTIFACTS`` or the test's tmp dir)."""
    root = os.environ.get("GEMBA_TEST_ARTIFACTS")
    folder = Path(root) / request.node.name if root else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
