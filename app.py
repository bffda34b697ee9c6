"""Application factory and command-line interface of Gemba.

``flask --app app run`` / ``gunicorn 'app:create_app()'`` serve it; ``flask --app app --help``
lists the commands (``db upgrade``, ``seed-demo``, ``users create-admin``, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, g, request
from flask.cli import AppGroup
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from accounts.access import init_access
from accounts.roles import Role
from canonical import strict_loads
from config import PROJECT_ROOT, Settings, development_secret, load_settings
from errors import FieldError, InvalidInput
from extensions import Database, csrf, db, limiter


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies with NaN or Infinity are malformed JSON (Python's parser accepts them)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text, refusing non-finite numbers."""
        return strict_loads(s)


class GembaFlask(Flask):
    """Flask with the strict JSON provider."""

    json_provider_class = StrictJSONProvider


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build a configured Gemba app.

    ``overrides`` take precedence over ``GEMBA_*`` environment variables and defaults.

    Raises:
        config.ConfigError: a setting is missing or malformed.
    """
    settings = load_settings(overrides)
    app = GembaFlask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    secure_cookie = (
        settings.session_cookie_secure
        if settings.session_cookie_secure is not None
        else settings.env == "production"
    )
    app.config.update(
        GEMBA_SETTINGS=settings,
        SECRET_KEY=settings.secret_key or development_secret(settings.instance_path),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookie,
        REMEMBER_COOKIE_SECURE=secure_cookie,
        REMEMBER_COOKIE_HTTPONLY=True,
        # CSRF is checked for every mutating request in accounts.access, except Bearer calls.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None if settings.env == "testing" else 8 * 3600,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        TESTING=settings.env == "testing",
    )
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count
        )
    _init_extensions(app, settings)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask, settings: Settings) -> None:
    from web.errorhandlers import init_error_handlers
    from web.navigation import visible_navigation
    from web.requestlog import configure_logging, init_request_logging

    configure_logging(settings.log_level, json_lines=settings.log_json)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    db.init_app(app, settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    csrf.init_app(app)
    limiter.init_app(app)
    init_request_logging(app)
    app.before_request(_refuse_nul_characters)
    init_access(app)

    # After authentication (a read of its own): from here on, a mutating request's first
    # statement takes the SQLite write lock, so read-then-write never fails with SQLITE_BUSY.
    @app.before_request
    def _mark_write_request() -> None:
        g.write_request = request.method not in ("GET", "HEAD", "OPTIONS")

    init_error_handlers(app)
    app.jinja_env.globals["visible_navigation"] = visible_navigation

    @app.after_request
    def _security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
            "frame-ancestors 'none'",
        )
        return response


def _refuse_nul_characters() -> None:
    """No real text holds NUL; PostgreSQL cannot store it and SQLite truncates at it.

    Raises:
        errors.InvalidInput: a form field holds a NUL character.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
        return
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return
    for name, values in request.form.lists():
        if any("\x00" in value for value in values):
            message = "The text contains a NUL character."
            raise InvalidInput(message, [FieldError(f"/{name}", "nul_character", message)])


def _register_blueprints(app: Flask) -> None:
    from accounts.api import bp as accounts_api
    from accounts.views import bp as accounts_views
    from audits.api import bp as audits_api
    from audits.views import bp as audits_views
    from forms.api import bp as checklists_api
    from forms.views import bp as checklists_views
    from plant.views import bp as plant_views
    from web.views import bp as web_views

    blueprints = (
        web_views,
        accounts_views,
        accounts_api,
        plant_views,
        checklists_views,
        checklists_api,
        audits_views,
        audits_api,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic configuration for ``database_url`` using the project's ``alembic.ini``."""
    cfg = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def _register_cli(app: Flask) -> None:
    settings: Settings = app.config["GEMBA_SETTINGS"]
    db_cli = AppGroup("db", help="Database migrations (Alembic).")

    @db_cli.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Migrate the database up to REVISION (default: head)."""
        if settings.resolved_database_url.startswith("sqlite"):
            Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
        alembic_command.upgrade(alembic_config(settings.resolved_database_url), revision)

    @db_cli.command("downgrade")
    @click.argument("revision")
    def db_downgrade(revision: str) -> None:
        """Migrate the database down to REVISION (``base`` empties it)."""
        alembic_command.downgrade(alembic_config(settings.resolved_database_url), revision)

    @db_cli.command("check")
    def db_check() -> None:
        """Fail when the models and the migrations disagree."""
        alembic_command.check(alembic_config(settings.resolved_database_url))

    app.cli.add_command(db_cli)

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Allow seeding outside development.")
    def seed_demo_command(force: bool) -> None:
        """Create the demo users and plant (idempotent) and print the demo logins."""
        from demo import DEMO_USERS, seed_demo

        if settings.env == "production" and not force:
            raise click.ClickException(
                "refusing to create demo users with known passwords in production"
            )
        from audits.evidence import EvidenceStore

        report = seed_demo(db.session, EvidenceStore(settings.instance_path / "evidence"))
        db.session.commit()
        click.echo(
            f"Demo data: {report.users_created} users, {report.assets_created} assets, "
            f"{report.checklists_created} checklists and {report.audits_created} audits created."
        )
        click.echo("Demo logins (email / password):")
        for role, email, _name, password in DEMO_USERS:
            click.echo(f"  {role.value:<9} {email:<24} {password}")

    plant_cli = AppGroup("plant", help="The OT side: collecting machine values.")

    @plant_cli.command("collect")
    @click.option(
        "--seconds", type=float, default=None, help="Stop after this long (default: run)."
    )
    def plant_collect(seconds: float | None) -> None:
        """Read every enabled tag source and keep the last values (a separate process)."""
        from plant.collector import run_collector

        flushed = run_collector(Database.state(app).session_factory, seconds=seconds)
        click.echo(f"Collector stopped after writing {flushed} values.")

    app.cli.add_command(plant_cli)

    users_cli = AppGroup("users", help="User administration.")

    @users_cli.command("create-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create an admin account (first start of a production plant)."""
        from accounts.services import create_user
        from errors import DomainError

        try:
            create_user(
                db.session,
                actor_id=None,
                email=email,
                display_name=name,
                role=Role.ADMIN,
                password=password,
            )
            db.session.commit()
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        click.echo(f"Admin {email} created.")

    app.cli.add_command(users_cli)
