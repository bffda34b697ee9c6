"""The health check reports the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from extensions import Database
from tests.conftest import settings_for

pytestmark = pytest.mark.integration


def test_healthz_reports_database_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True


def test_healthz_is_503_when_database_unreachable(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}"
    app = create_app(settings_for(unreachable, tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["database"]["ok"] is False
    assert response.headers["Retry-After"] == "5"
    Database.state(app).engine.dispose()


def test_openapi_document_lists_the_api(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    assert document["openapi"].startswith("3.1")
    documented = {path for path in document["paths"] if path.startswith("/api/")}
    routed = {
        rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.endpoint != "web.openapi"
    }
    assert routed == documented
