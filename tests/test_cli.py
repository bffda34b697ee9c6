"""Command-line interface: migrations, demo data, first admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts.models import User
from app import create_app
from audits.models import Audit
from extensions import Database, db
from plant.models import Asset
from tests.conftest import settings_for

pytestmark = pytest.mark.integration


def test_cli_migrates_and_seeds_demo_idempotently(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "5 users, 10 assets, 2 checklists and 4 audits created" in first.output
    assert "operator@demo.gemba" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 users, 0 assets, 0 checklists and 0 audits created" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
        assert db.session.scalar(select(func.count()).select_from(Asset)) == 10
        assert (
            db.session.scalar(
                select(func.count()).select_from(Audit).where(Audit.status == "submitted")
            )
            == 4
        )
        assert (tmp_path / "evidence").is_dir()
    assert runner.invoke(args=["db", "check"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    Database.state(app).engine.dispose()


def test_cli_seed_demo_refuses_production(tmp_path: Path) -> None:
    app = create_app(
        settings_for(
            f"sqlite:///{tmp_path / 'prod.sqlite3'}", tmp_path, env="production", log_json=True
        )
    )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refusing" in result.output
    Database.state(app).engine.dispose()


def test_cli_create_admin_validates_and_creates(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'admin.sqlite3'}", tmp_path))
    runner = app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    weak = runner.invoke(
        args=["users", "create-admin", "--email", "a@example.com", "--name", "A"],
        input="short\nshort\n",
    )
    assert weak.exit_code != 0
    assert "at least 10 characters" in weak.output
    ok = runner.invoke(
        args=["users", "create-admin", "--email", "a@example.com", "--name", "A"],
        input="a good long passphrase\na good long passphrase\n",
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "a@example.com")) == "admin"
    Database.state(app).engine.dispose()
