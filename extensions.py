"""Process-wide extensions: the database, CSRF protection, login manager and rate limiter.

The database is plain SQLAlchemy 2: one engine per app and one ``Session`` per app context
(request or CLI command). Views commit; services only flush.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import Flask, current_app, g, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

#: Constraint names are deterministic so Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store as UTC.

        Raises:
            ValueError: a naive datetime (its zone would be a guess).
        """
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def build_engine(url: str | URL, *, sqlite_synchronous: str = "FULL") -> Engine:
    """Create an engine with the pragmas Gemba relies on.

    SQLite gets WAL, foreign keys, a busy timeout and ``synchronous`` as configured, and
    SQLAlchemy (not the driver) controls transactions so SAVEPOINTs work.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        # Mutating requests take the write lock up front: a deferred transaction that reads
        # and then writes can fail with SQLITE_BUSY instead of waiting for the other writer.
        immediate = has_request_context() and g.get("write_request", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class DatabaseState:
    """The engine and session factory of one app (tests swap the factory for savepoints)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory: Callable[[], Session] = sessionmaker(
            bind=engine, expire_on_commit=False
        )


class Database:
    """Hands out one ``Session`` per Flask app context from the current app's engine."""

    def init_app(self, app: Flask, url: str, *, sqlite_synchronous: str = "FULL") -> None:
        """Create the engine for ``url`` and close the context's session on teardown."""
        app.extensions["gemba.db"] = DatabaseState(
            build_engine(url, sqlite_synchronous=sqlite_synchronous)
        )
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def state(app: Flask | None = None) -> DatabaseState:
        """The database state of ``app`` (default: the current app)."""
        target = app or current_app
        state: DatabaseState = target.extensions["gemba.db"]
        return state

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return self.state().engine

    @property
    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        session: Session | None = g.get("_gemba_session")
        if session is None:
            session = self.state().session_factory()
            g._gemba_session = session
        return session

    @contextmanager
    def read_phase(self) -> Iterator[Session]:
        """Run reads (and CPU work) in a transaction of their own, ended before writing.

        On SQLite a mutating request otherwise takes the write lock at its first statement;
        work done in this phase does not hold it. Nothing may be written in this phase.
        """
        was_writing = g.get("write_request", False)
        if self.session.in_transaction():
            # E.g. the signed-in user was loaded under the write lock: end that transaction
            # (nothing is pending yet) so the reads below start a deferred one.
            self.session.commit()
        g.write_request = False
        try:
            yield self.session
        except BaseException:
            self.session.rollback()
            raise
        else:
            # Ends the read-only transaction; unlike a rollback it keeps loaded objects usable
            # (expire_on_commit is off), so the write phase does not load them again.
            self.session.commit()
        finally:
            g.write_request = was_writing

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("_gemba_session", None)
        if session is not None:
            session.close()


def _rate_limit_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=_rate_limit_key, headers_enabled=True)
