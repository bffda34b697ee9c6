"""Settings: precedence, validation and fail-fast behaviour."""

from __future__ import annotations

import pytest

from config import ConfigError, load_settings

pytestmark = pytest.mark.unit


def test_load_settings_defaults_to_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMBA_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.env == "development"
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("instance/gemba.sqlite3")
    assert settings.sqlite_synchronous == "FULL"


def test_load_settings_environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMBA_PORT", "5123")
    assert load_settings().port == 5123


def test_load_settings_override_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMBA_PORT", "5123")
    assert load_settings({"port": 6000}).port == 6000


def test_load_settings_malformed_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMBA_PORT", "fivethousand")
    with pytest.raises(ConfigError, match="GEMBA_PORT"):
        load_settings()


def test_load_settings_rejects_unknown_database_scheme() -> None:
    with pytest.raises(ConfigError, match="GEMBA_DATABASE_URL"):
        load_settings({"database_url": "mysql://x@y/z"})


def test_load_settings_uses_psycopg3_for_bare_postgresql_urls() -> None:
    settings = load_settings({"database_url": "postgresql://postgres@127.0.0.1/gemba"})
    assert settings.resolved_database_url == "postgresql+psycopg://postgres@127.0.0.1/gemba"


def test_load_settings_production_requires_secret_and_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEMBA_SECRET_KEY", raising=False)
    monkeypatch.delenv("GEMBA_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="GEMBA_SECRET_KEY, GEMBA_DATABASE_URL"):
        load_settings({"env": "production"})


def test_load_settings_production_rejects_short_secret() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"env": "production", "secret_key": "short", "database_url": "sqlite:///x"})


def test_load_settings_rejects_unknown_setting() -> None:
    with pytest.raises(ConfigError, match="GEMBA_COLOUR"):
        load_settings({"colour": "blue"})


def test_load_settings_rejects_stray_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMBA_DATABSE_URL", "sqlite:///typo.sqlite3")
    with pytest.raises(ConfigError, match="GEMBA_DATABSE_URL"):
        load_settings()


def test_load_settings_testing_also_requires_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMBA_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="must be set in testing"):
        load_settings({"env": "testing", "database_url": "sqlite:///x"})
