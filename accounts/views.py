"""Pages: sign in/out, own password and API tokens, and the admin's user management."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from accounts import services, tokens
from accounts.access import current_account, require, require_login
from accounts.roles import Permission, Role, role_permissions
from accounts.webforms import (
    ChangePasswordWebform,
    ConfirmWebform,
    LoginWebform,
    SetPasswordWebform,
    TokenWebform,
    UserCreateWebform,
    UserEditWebform,
    scope_choices,
)
from errors import DomainError
from extensions import db, limiter, utcnow
from web.webforms import attach_errors

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return str(current_app.config["GEMBA_SETTINGS"].login_rate_limit)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count: a shift change of successful sign-ins never locks anyone out.
@limiter.limit(
    _login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302
)
def login() -> tuple[str, int] | Response:
    """Sign in with email and password."""
    webform = LoginWebform(next=request.args.get("next", ""))
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            user = services.authenticate(
                db.session, webform.email.data or "", webform.password.data or ""
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            login_user(user)
            return redirect(_safe_next(webform.next.data))
    status = 401 if problems or webform.errors else 200
    return render_template("accounts/login.html", webform=webform, problems=problems), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST with CSRF, so a link on another site cannot sign anyone out)."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/set-password/<secret>", methods=["GET", "POST"])
def set_password(secret: str) -> str | Response:
    """Choose a password through an invitation or reset link."""
    link = services.find_password_link(db.session, secret)
    webform = SetPasswordWebform()
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            services.set_password_with_link(
                db.session, secret=secret, password=webform.password.data or ""
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/set_password.html", webform=webform, problems=problems, link_user=link.user
    )


@bp.route("/account/password", methods=["GET", "POST"])
@require_login
def change_password() -> str | Response:
    """Change one's own password."""
    user = current_account()
    assert user is not None
    webform = ChangePasswordWebform()
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            services.change_password(
                db.session,
                user=user,
                current=webform.current_password.data or "",
                new=webform.new_password.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            login_user(user)  # the epoch changed: renew this session, others end
            flash("Password changed. Other devices are signed out.", "success")
            return redirect(url_for("web.home"))
    return render_template("accounts/change_password.html", webform=webform, problems=problems)


@bp.route("/account/tokens", methods=["GET", "POST"])
@require(Permission.TOKENS_OWN)
def api_tokens() -> str:
    """List, create and revoke one's personal API tokens."""
    user = current_account()
    assert user is not None
    allowed = role_permissions(user.role_enum)
    webform = TokenWebform(days=current_app.config["GEMBA_SETTINGS"].api_token_days)
    webform.scopes.choices = scope_choices(allowed)
    problems: list[str] = []
    issued = None
    if webform.validate_on_submit():
        try:
            issued = tokens.issue_token(
                db.session,
                user=user,
                name=webform.name.data or "",
                scopes=frozenset(Permission(s) for s in webform.scopes.data or []),
                days=webform.days.data or 0,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            webform = TokenWebform(formdata=None)
            webform.scopes.choices = scope_choices(allowed)
    return render_template(
        "accounts/tokens.html",
        webform=webform,
        problems=problems,
        issued=issued,
        tokens=tokens.list_tokens(db.session, user),
        confirm=ConfirmWebform(),
        now_ts=utcnow().timestamp(),
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@require(Permission.TOKENS_OWN)
def revoke_api_token(token_id: int) -> Response:
    """Revoke one of one's tokens."""
    user = current_account()
    assert user is not None
    if ConfirmWebform().validate_on_submit():
        token = tokens.revoke_token(db.session, user=user, token_id=token_id)
        db.session.commit()
        flash(f"Token “{token.name}” is revoked.", "success")
    return redirect(url_for("accounts.api_tokens"))


@bp.get("/admin/users")
@require(Permission.USERS_MANAGE)
def users() -> str:
    """All users with role and status."""
    return render_template("accounts/users.html", users=services.list_users(db.session))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def invite_user() -> str:
    """Invite a user: creates the account and shows a one-time link to set a password."""
    actor = current_account()
    assert actor is not None
    webform = UserCreateWebform()
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            user, link = services.create_user(
                db.session,
                actor_id=actor.id,
                email=webform.email.data or "",
                display_name=webform.display_name.data or "",
                role=Role(webform.role.data),
                link_hours=current_app.config["GEMBA_SETTINGS"].password_link_hours,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            return render_template("accounts/link_issued.html", link=link, user=user)
    return render_template("accounts/user_new.html", webform=webform, problems=problems)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def edit_user(user_id: int) -> str | Response:
    """Edit a user's name, role and active flag."""
    actor = current_account()
    assert actor is not None
    user = services.get_user(db.session, user_id)
    webform = UserEditWebform(obj=user)
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            services.update_user(
                db.session,
                actor_id=actor.id,
                user_id=user.id,
                display_name=webform.display_name.data or "",
                role=Role(webform.role.data),
                is_active=bool(webform.is_active.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            flash(f"Saved {user.display_name}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_edit.html",
        webform=webform,
        problems=problems,
        user=user,
        confirm=ConfirmWebform(),
    )


@bp.post("/admin/users/<int:user_id>/reset-password")
@require(Permission.USERS_MANAGE)
def reset_password(user_id: int) -> str | Response:
    """Issue a one-time reset link for a user (the old password keeps working until it is used)."""
    actor = current_account()
    assert actor is not None
    if not ConfirmWebform().validate_on_submit():
        return redirect(url_for("accounts.edit_user", user_id=user_id))
    link = services.reset_password(
        db.session,
        actor_id=actor.id,
        user_id=user_id,
        hours=current_app.config["GEMBA_SETTINGS"].password_link_hours,
    )
    db.session.commit()
    return render_template("accounts/link_issued.html", link=link, user=link.user)
