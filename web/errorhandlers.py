"""One place that turns every error into an HTML page or ``application/problem+json``.

Domain errors, HTTP errors (404, 405, 413, 429, CSRF), malformed JSON and unexpected
exceptions all end here; users never see a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from accounts.access import wants_json
from errors import DomainError, FieldError
from extensions import db

log = logging.getLogger("gemba.errors")

_FRIENDLY_HTTP = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many attempts. Wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
    503: "The service is busy. Try again shortly.",
}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: tuple[FieldError, ...] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a problem as JSON or HTML, whichever the client wants."""
    request_id = g.get("request_id")
    if wants_json():
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
            "errors": [e.as_dict() for e in errors],
            "request_id": request_id,
        }
        response = jsonify(body)
        response.mimetype = "application/problem+json"
    else:
        html = render_template(
            "errors/error.html",
            status=status,
            title=title,
            detail=detail,
            errors=errors,
            request_id=request_id,
        )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _domain_error(exc: DomainError) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="gemba"'} if exc.status == 401 else None
    return problem_response(exc.status, exc.code, exc.title, exc.detail, exc.errors, headers)


def _csrf_error(exc: CSRFError) -> Response:
    detail = "The form expired or was sent from another site. Reload the page and try again."
    return problem_response(400, "csrf_failed", "Security check failed", detail)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() in {"retry-after", "allow"}}
    detail = _FRIENDLY_HTTP.get(status, exc.description or "")
    if status == 400 and exc.description and "JSON" in exc.description:
        detail = "The request body is not valid JSON."
    code = exc.name.lower().replace(" ", "_")
    return problem_response(status, code, exc.name, detail, headers=headers)


def _unexpected_error(exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and not isinstance(exc, InternalServerError):
        return _http_error(exc)
    original = getattr(exc, "original_exception", None) or exc
    log.error("unhandled error", exc_info=original)
    try:
        # The error page reads the signed-in user; a failed transaction must not break it too.
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("rollback after an unhandled error failed")
    return problem_response(500, "internal_error", "Internal error", _FRIENDLY_HTTP[500])


def init_error_handlers(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
