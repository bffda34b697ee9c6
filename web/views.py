"""Home page, health check and the OpenAPI document."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from accounts.access import current_account, require_login
from audits.services import AuditFilters, list_audits
from extensions import db
from web.openapi import openapi_document

bp = Blueprint("web", __name__)


@bp.get("/")
@require_login
def home() -> str:
    """The signed-in user's start page, with the tasks of their role."""
    user = current_account()
    assert user is not None
    drafts = list_audits(
        db.session, viewer=user, may_view_all=False, filters=AuditFilters(status="draft"), limit=5
    )
    return render_template("web/home.html", user=user, drafts=drafts)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database health as JSON; 503 when the database does not answer."""
    started = time.perf_counter()
    database: dict[str, Any]
    try:
        db.session.execute(text("SELECT 1"))
        database = {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    except SQLAlchemyError as exc:
        database = {"ok": False, "error": type(exc).__name__}
    finally:
        db.session.rollback()
    ok = bool(database["ok"])
    body = {"status": "ok" if ok else "unavailable", "database": database}
    response = jsonify(body)
    if not ok:
        response.headers["Retry-After"] = "5"
    return response, 200 if ok else 503


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of the JSON API."""
    return jsonify(openapi_document())
