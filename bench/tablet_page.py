"""tablet-page-100-items: serving the tablet page of a 100-item checklist.

Baseline: a bare Flask app whose one route renders a plain Jinja loop (a label and an input per
item) from a ``jinja2.Environment``. Gemba: the real ``GET /audits/<uuid>/fill`` of a signed-in
operator — session, permission check, database reads, the cached blank form, the page layout
and the draft/definition JSON. Both through Flask's test client, in this process.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask
from flask.testing import FlaskClient

from accounts.models import User
from app import create_app
from audits.services import save_draft, start_audit
from bench.common import BENCH_PASSWORD, BENCH_SECRET, Result, Target, compare, note
from bench.data import OPERATOR_EMAIL, definition_document, full_answers, migrate, seed
from extensions import Database, db

NAME = "tablet-page-100-items"
TARGET = Target("<=", 2)

BARE_TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<form method="post" action="/submit">
{% for section in sections %}
<section>
  <h2>{{ section.title }}</h2>
  {% for item in section["items"] %}
  <div class="item">
    <label for="in-{{ item.key }}">{{ item.label }}</label>
    {% if item.type == "passfail" %}
      {% for value, text in [("pass", "Yes"), ("fail", "No"), ("na", "N/A")] %}
      <label><input type="radio" name="{{ item.key }}" value="{{ value }}">{{ text }}</label>
      {% endfor %}
    {% elif item.type == "choice" %}
      {% for option in item.options %}
      <label><input type="radio" name="{{ item.key }}" value="{{ option.value }}">
        {{- option.label }}</label>
      {% endfor %}
    {% elif item.type == "number" %}
      <input id="in-{{ item.key }}" type="number" step="any" name="{{ item.key }}"> {{ item.unit }}
    {% else %}
      <input id="in-{{ item.key }}" type="text" name="{{ item.key }}">
    {% endif %}
  </div>
  {% endfor %}
</section>
{% endfor %}
<button type="submit">Submit</button>
</form>
</body>
</html>
"""


def bare_app(document: dict[str, Any]) -> Flask:
    """A bare Flask app rendering the plain Jinja loop over ``document``'s items."""
    environment = jinja2.Environment(autoescape=True)
    template = environment.from_string(BARE_TEMPLATE)
    app = Flask("bench_bare_page")

    @app.get("/page")
    def page() -> str:
        return template.render(title=document["title"], sections=document["sections"])

    return app


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    return match.group(1)


def _gemba_client(instance: Path) -> tuple[Flask, FlaskClient, str]:
    """A signed-in operator's test client on a fresh, seeded database and a draft's fill URL.

    The draft holds every answer already (an operator reopening a finished page on the tablet).
    """
    database_url = f"sqlite:///{instance / 'gemba.sqlite3'}"
    migrate(database_url)
    app = create_app(
        {
            "env": "development",
            "database_url": database_url,
            "secret_key": BENCH_SECRET,
            "instance_path": instance,
            "log_json": False,
            "log_level": "WARNING",
        }
    )
    with app.app_context():
        seeded = seed(db.session)
        operator = db.session.get(User, seeded.operator_id)
        assert operator is not None
        audit = start_audit(
            db.session,
            user=operator,
            version_id=seeded.version_id,
            asset_code=seeded.asset_code,
        )
        save_draft(
            db.session,
            user=operator,
            client_uuid=audit.client_uuid,
            answers=full_answers(definition_document()),
            revision=None,
        )
        db.session.commit()
        client_uuid = audit.client_uuid
    client = app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": OPERATOR_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed with {response.status_code}")
    return app, client, f"/audits/{client_uuid}/fill"


def run() -> list[Result]:
    """Measure both and return the summary figure."""
    document = definition_document()
    base_client = bare_app(document).test_client()
    with tempfile.TemporaryDirectory(prefix="gemba-bench-page-") as tmp:
        app, gemba_client, fill_url = _gemba_client(Path(tmp))
        sizes: dict[str, int] = {}

        def baseline() -> None:
            response = base_client.get("/page")
            if response.status_code != 200:
                raise AssertionError(f"bare page answered {response.status_code}")
            sizes["baseline"] = len(response.data)

        def gemba() -> None:
            response = gemba_client.get(fill_url)
            if response.status_code != 200:
                raise AssertionError(f"fill page answered {response.status_code}")
            sizes["gemba"] = len(response.data)

        try:
            base_s, gemba_s = compare(baseline, gemba, rounds=7, round_seconds=0.25)
        finally:
            Database.state(app).engine.dispose()
    note(
        f"{NAME}: page size baseline {sizes['baseline'] // 1024} KiB, "
        f"gemba {sizes['gemba'] // 1024} KiB"
    )
    return [
        Result(
            name=NAME,
            baseline=base_s * 1e3,
            gemba=gemba_s * 1e3,
            unit="ms",
            ratio=gemba_s / base_s,
            target=TARGET,
        )
    ]
