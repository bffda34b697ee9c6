"""Who is making this request, and may they? The single enforcement point for permissions.

Browsers authenticate with a session cookie (plus CSRF on every mutating request); scripts
send ``Authorization: Bearer gmb_...``. ``require`` guards views and API endpoints and consults
``accounts.roles.is_allowed`` — the policy table — and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from accounts.models import ApiToken, User
from accounts.roles import Permission, Role, is_allowed
from accounts.tokens import record_token_use, resolve_token
from errors import AuthenticationRequired, PermissionDenied
from extensions import csrf, db, login_manager

P = ParamSpec("P")
R = TypeVar("R")


def wants_json() -> bool:
    """True for API paths and clients that prefer JSON over HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def current_account() -> User | None:
    """The signed-in user (session or API token), or None."""
    user = current_user._get_current_object()
    return user if isinstance(user, User) else None


def current_token() -> ApiToken | None:
    """The API token that authenticated this request, if any."""
    token: ApiToken | None = g.get("api_token")
    return token


def can(permission: Permission | str) -> bool:
    """Whether the current request may exercise ``permission`` (used by templates and views)."""
    user = current_account()
    token = current_token()
    return is_allowed(
        user.role_enum if user else None,
        Permission(permission),
        token.scopes if token else None,
    )


def _refuse_anonymous() -> Any:
    bearer_error: AuthenticationRequired | None = g.get("bearer_error")
    if bearer_error is not None:
        raise bearer_error
    if wants_json():
        raise AuthenticationRequired()
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def require(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R | Any]]:
    """Decorate a view so only users allowed ``permission`` reach it.

    Anonymous browsers are sent to the sign-in page; anonymous API clients get 401; signed-in
    users without the permission get 403.
    """

    def decorator(view: Callable[P, R]) -> Callable[P, R | Any]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
            if current_account() is None:
                return _refuse_anonymous()
            if not can(permission):
                raise PermissionDenied()
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorator


def require_login(view: Callable[P, R]) -> Callable[P, R | Any]:
    """Decorate a view that any signed-in user may reach."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        if current_account() is None:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    guarded.required_permission = None  # type: ignore[attr-defined]
    return guarded


def _load_session_user(session_id: str) -> User | None:
    token = current_token()
    if token is not None:
        return token.user  # a Bearer request acts as the token's owner, never as the cookie's
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user


def _load_bearer_user(_request: Any) -> User | None:
    token = current_token()
    return token.user if token else None


def _authenticate_bearer_and_check_csrf() -> None:
    if request.routing_exception is not None:
        return  # let the 404/405 surface instead of a misleading CSRF failure
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        try:
            token, touched = resolve_token(db.session, value)
        except AuthenticationRequired as exc:
            # Raised by the guards, so public pages (/healthz, /login) still answer.
            g.bearer_error = exc
            return
        # End the read-only transaction so the view's own (possibly write-locking) one starts
        # fresh; committing it (nothing was written) keeps the token and user loaded.
        db.session.commit()
        if touched:
            # "last used" must survive read-only requests: a short write of its own.
            g.write_request = True
            record_token_use(db.session, token.id)
            db.session.commit()
        g.api_token = token
        # A token request carries no cookie to forge, so CSRF does not apply to it.
        return
    csrf.protect()


def init_access(app: Flask) -> None:
    """Wire Flask-Login, Bearer tokens and CSRF checks into ``app``."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_session_user)
    login_manager.request_loader(_load_bearer_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    app.before_request(_authenticate_bearer_and_check_csrf)
    app.jinja_env.globals.update(can=can, Permission=Permission, Role=Role)
