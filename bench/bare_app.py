"""The bare baseline server of ``submit-100-items-http``: Flask + SQLAlchemy, one endpoint that
stores the posted JSON body in a table. Nothing else: no auth, no validation, no audit trail.

Served by gunicorn as ``bench.bare_app:create_app()``; the SQLite file is named by the
``BENCH_BARE_DATABASE`` environment variable (WAL, ``synchronous=FULL``, like Gemba).
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import Engine, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

DATABASE_VARIABLE = "BENCH_BARE_DATABASE"


class _Base(DeclarativeBase):
    pass


class Submission(_Base):
    """One posted body, as received."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The client's idempotency key (unique, as in Gemba).
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    body: Mapped[str] = mapped_column(Text)


def build_engine(path: str) -> Engine:
    """An engine on the SQLite file ``path`` with WAL and ``synchronous=FULL``."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


def init_database(path: str) -> None:
    """Create the table (once, before the workers start)."""
    engine = build_engine(path)
    _Base.metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    """The bare app on the database named by ``BENCH_BARE_DATABASE``."""
    sessions = sessionmaker(bind=build_engine(os.environ[DATABASE_VARIABLE]))
    app = Flask("bench_bare_submit")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/audits")
    def submit() -> tuple[dict[str, Any], int] | Response:
        body = request.get_json()
        if not isinstance(body, dict) or not isinstance(body.get("client_uuid"), str):
            return Response("client_uuid missing", status=400)
        with sessions() as session, session.begin():
            row = Submission(client_uuid=body["client_uuid"], body=json.dumps(body))
            session.add(row)
            session.flush()
            row_id = row.id
        return {"client_uuid": body["client_uuid"], "id": row_id}, 201

    return app
