"""Typed settings for Gemba.

Precedence: defaults < environment variables (``GEMBA_*``) < explicit overrides passed to
``create_app``. Outside development a missing or malformed value stops the app at start-up
with a message naming the setting, instead of failing later on a request.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root; the embedded database and secrets live in ``instance/`` below it.
PROJECT_ROOT = Path(__file__).resolve().parent

Environment = Literal["development", "testing", "production"]


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names each offending setting."""


class Settings(BaseSettings):
    """All runtime settings. Field names map to ``GEMBA_<NAME>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="GEMBA_", extra="forbid", frozen=True)

    #: development | testing | production. Production refuses unsafe defaults.
    env: Environment = "development"
    #: Signs sessions and CSRF tokens. Required outside development; generated there.
    secret_key: str | None = None
    #: SQLAlchemy URL. Default: the embedded SQLite file under ``instance_path``.
    database_url: str | None = None
    #: SQLite ``PRAGMA synchronous``: FULL survives power loss, NORMAL only a killed process.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    #: Folder for the embedded database, generated secret and uploads.
    instance_path: Path = PROJECT_ROOT / "instance"
    #: Port used by ``make run``.
    port: int = Field(default=5000, ge=1, le=65535)
    #: Largest accepted request body in bytes (413 above it).
    max_content_length: int = Field(default=16 * 1024 * 1024, ge=1024)
    #: Where login attempts are counted: ``memory://`` or ``redis://host:port``.
    ratelimit_storage_uri: str = "memory://"
    #: Limit on login attempts per client address, in Flask-Limiter syntax.
    login_rate_limit: str = "10 per minute"
    #: Send the session cookie only over HTTPS (default on in production).
    session_cookie_secure: bool | None = None
    #: Days a personal API token stays valid when the user picks no date.
    api_token_days: int = Field(default=90, ge=1, le=366)
    #: Hours an invitation or password-reset link stays valid.
    password_link_hours: int = Field(default=72, ge=1, le=720)
    #: Number of trusted reverse proxies in front of Gemba (their X-Forwarded-For is believed).
    proxy_count: int = Field(default=0, ge=0, le=5)
    #: Python logging level name.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: One JSON object per log line (for log shippers) instead of plain text.
    log_json: bool = True

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value is not None and value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would pick psycopg2.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``instance/gemba.sqlite3``."""
        return self.database_url or f"sqlite:///{self.instance_path / 'gemba.sqlite3'}"


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build settings from defaults, the environment and ``overrides``.

    Raises:
        ConfigError: a value is malformed, or a required value is missing outside development.
    """
    try:
        settings = Settings(**(overrides or {}))
    except ValidationError as exc:
        problems = "; ".join(
            f"GEMBA_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from exc
    known = {f"GEMBA_{name.upper()}" for name in Settings.model_fields}
    stray = sorted(
        name
        for name in os.environ
        if name.startswith("GEMBA_") and name not in known and not name.startswith("GEMBA_TEST_")
    )
    if stray:
        raise ConfigError(f"invalid configuration: unknown setting(s) {', '.join(stray)}")
    if settings.env != "development":
        missing = [
            name
            for name, value in (
                ("GEMBA_SECRET_KEY", settings.secret_key),
                ("GEMBA_DATABASE_URL", settings.database_url),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"invalid configuration: {', '.join(missing)} must be set in {settings.env}"
            )
        if settings.secret_key is not None and len(settings.secret_key) < 32:
            raise ConfigError(
                "invalid configuration: GEMBA_SECRET_KEY must be at least 32 characters"
            )
    return settings


def development_secret(instance_path: Path) -> str:
    """Return a secret key kept in ``instance/secret_key``, creating it on first use.

    Development and demo runs keep sessions across restarts without anyone choosing a key.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    try:
        # Created with 0600 in one step; if another process won the race, use its key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()
