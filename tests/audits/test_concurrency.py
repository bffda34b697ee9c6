"""100 parallel identical submissions make exactly one audit (real server, real database)."""

from __future__ import annotations

import http.client
import json
import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from accounts import tokens
from accounts.models import User
from accounts.roles import Permission, Role
from accounts.services import create_user
from app import create_app
from audits.models import Audit
from audits.services import start_audit
from extensions import Database, build_engine, db
from forms.library import templates as library_templates
from tests import factories
from tests.audits.conftest import ALL_YES
from tests.conftest import BACKENDS, migrate, settings_for

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Scene:
    """An operator with an API token, a machine and a published LPA version (committed)."""

    operator_id: int
    token: str
    version_id: int
    asset_code: str


def committed_scene(app: Flask) -> Scene:
    with app.app_context():
        operator, _ = create_user(
            db.session,
            actor_id=None,
            email="op@example.com",
            display_name="Op",
            role=Role.OPERATOR,
            password="x" * 12,
        )
        version = factories.published_version(
            db.session, operator, dict(library_templates()["lpa-layer-1"])
        )
        asset = factories.machine(db.session)
        issued = tokens.issue_token(
            db.session, user=operator, name="t", scopes=frozenset({Permission.AUDITS_FILL}), days=1
        )
        db.session.commit()
        return Scene(operator.id, issued.plaintext, version.id, asset.code)


def race(app: Flask, path: str, body: str, token: str, n: int) -> list[int]:
    """POST ``body`` to ``path`` from ``n`` threads released at the same instant; the statuses."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start = threading.Barrier(n)

    def post() -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
        start.wait()
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        status = connection.getresponse().status
        connection.close()
        return status

    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(lambda _n: post(), range(n)))
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(params=BACKENDS)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database that requests commit into for real."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        migrate(url)
        yield url
        return
    server = make_url(os.environ["GEMBA_TEST_DATABASE_URL"])
    name = f"{server.database}_cc_{uuid.uuid4().hex[:8]}"
    admin = build_engine(server.set(database="postgres")).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_parallel_identical_submits_make_one_audit(scratch_url: str, tmp_path: Path) -> None:
    app = create_app(settings_for(scratch_url, tmp_path))
    scene = committed_scene(app)
    body = json.dumps(
        {
            "client_uuid": str(uuid.uuid4()),
            "version_id": scene.version_id,
            "asset_code": scene.asset_code,
            "answers": ALL_YES,
        }
    )
    statuses = race(app, "/api/v1/audits", body, scene.token, 100)
    assert sorted(set(statuses)) == [200, 201], statuses
    assert statuses.count(201) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Audit)) == 1
    Database.state(app).engine.dispose()


def test_parallel_submits_of_one_draft_make_one_submission(
    scratch_url: str, tmp_path: Path
) -> None:
    """The tablet double tap / retry case: the draft exists, several submits race."""
    app = create_app(settings_for(scratch_url, tmp_path))
    scene = committed_scene(app)
    with app.app_context():
        operator = db.session.get(User, scene.operator_id)
        assert operator is not None
        audit = start_audit(
            db.session, user=operator, version_id=scene.version_id, asset_code=scene.asset_code
        )
        db.session.commit()
        path = f"/api/v1/audits/{audit.client_uuid}/submit"
    statuses = race(app, path, json.dumps({"answers": ALL_YES}), scene.token, 20)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(200) == 19, statuses
    Database.state(app).engine.dispose()


def test_parallel_identical_starts_make_one_draft(scratch_url: str, tmp_path: Path) -> None:
    app = create_app(settings_for(scratch_url, tmp_path))
    scene = committed_scene(app)
    body = json.dumps(
        {
            "client_uuid": str(uuid.uuid4()),
            "version_id": scene.version_id,
            "asset_code": scene.asset_code,
            "submit": False,
        }
    )
    statuses = race(app, "/api/v1/audits", body, scene.token, 20)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(200) == 19, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Audit)) == 1
    Database.state(app).engine.dispose()


def test_read_phase_starts_a_deferred_transaction_after_the_write_lock(tmp_path: Path) -> None:
    from flask import g
    from sqlalchemy import event

    url = f"sqlite:///{tmp_path / 'phases.sqlite3'}"
    migrate(url)
    app = create_app(settings_for(url, tmp_path))
    begins: list[str] = []

    @event.listens_for(Database.state(app).engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            begins.append(statement)

    with app.test_request_context(method="POST"):
        g.write_request = True
        db.session.execute(text("SELECT 1"))  # e.g. the signed-in user, loaded by the guard
        with db.read_phase():
            db.session.execute(text("SELECT 2"))
        db.session.execute(text("SELECT 3"))
        db.session.rollback()
    assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]
    Database.state(app).engine.dispose()
