"""Shared fixtures: a migrated database per backend, the app, a savepoint-per-test session,
clients, a login helper and factories.

The suite runs on SQLite always, and again on PostgreSQL when ``GEMBA_TEST_DATABASE_URL``
names a database on a reachable server (``.ci/run`` creates a fresh one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import accounts.secrets
from app import alembic_config, create_app
from extensions import Database, limiter
from tests import factories

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("GEMBA_TEST_DATABASE_URL") else [])
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def settings_for(database_url: str, instance_path: Path, **extra: Any) -> dict[str, Any]:
    """Settings overrides for a test app."""
    return {
        "env": "testing",
        "database_url": database_url,
        "secret_key": SECRET,
        "instance_path": instance_path,
        "log_json": False,
        "log_level": "WARNING",
        **extra,
    }


def migrate(url: str, revision: str = "head") -> None:
    """Run Alembic on ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with minimal cost: the algorithm is the same, the suite is not slowed by it."""
    original = accounts.secrets._hasher
    accounts.secrets._hasher = PasswordHasher.from_parameters(CHEAPEST)
    yield
    accounts.secrets._hasher = original


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, otherwise empty database for the whole run, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'gemba.sqlite3'}"
    else:
        url = os.environ["GEMBA_TEST_DATABASE_URL"]
    migrate(url)
    yield url
    command.downgrade(alembic_config(url), "base")


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The Gemba app on the session's database."""
    application = create_app(settings_for(database_url, tmp_path_factory.mktemp("instance")))
    yield application
    Database.state(application).engine.dispose()


@pytest.fixture
def engine(app: Flask) -> Engine:
    """The app's engine."""
    return Database.state(app).engine


@pytest.fixture
def db_session(app: Flask, engine: Engine) -> Iterator[Session]:
    """A session whose work, and every request's work, is rolled back after the test.

    The app's sessions join one outer transaction on one connection; their commits only
    release SAVEPOINTs.
    """
    state = Database.state(app)
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    original = state.session_factory
    state.session_factory = factory
    session = factory()
    limiter.reset()
    try:
        yield session
    finally:
        session.close()
        state.session_factory = original
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client whose requests run inside the test's transaction."""
    return app.test_client()


def csrf_token_from(html: str) -> str:
    """The CSRF token embedded in a rendered page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def csrf_token(client: FlaskClient) -> str:
    """A CSRF token valid for ``client``'s session."""
    return csrf_token_from(client.get("/login").get_data(as_text=True))


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> None:
    """Sign ``client`` in through the real login form."""
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def make_user(db_session: Session) -> factories.UserFactory:
    """Factory for users with a known password."""
    return factories.UserFactory(db_session)
