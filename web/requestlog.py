"""Structured logging with a request id on every line and an access log per request."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("gemba.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the request id; never drops a record."""
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(level: str, *, json_lines: bool) -> None:
    """Send Gemba's logs to stderr, one JSON object (or one plain line) per record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    logger = logging.getLogger("gemba")
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    started = g.get("request_started")
    path = _redacted_path()
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info(
        "%s %s %s %sms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


#: URL parts that are credentials (one-time password links) and never reach the logs.
SECRET_VIEW_ARGS = frozenset({"secret"})


def _redacted_path() -> str:
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_VIEW_ARGS and isinstance(value, str) and value:
            path = path.replace(value, "[redacted]")
    return path


def init_request_logging(app: Flask) -> None:
    """Assign request ids and write an access log line for every request."""
    app.before_request(_start_request)
    app.after_request(_finish_request)
