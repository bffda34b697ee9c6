"""JSON API of accounts: who am I, and one's personal API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from accounts import tokens
from accounts.access import current_account, current_token, require, require_login
from accounts.models import ApiToken
from accounts.roles import Permission, role_permissions
from errors import FieldError, InvalidInput
from extensions import db
from web.jsonapi import json_object, require_type

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": sorted(token.scopes),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked_at is not None,
    }


@bp.get("/me")
@require_login
def me() -> dict[str, Any]:
    """The authenticated user, their role, permissions and (for tokens) the token's scopes."""
    user = current_account()
    assert user is not None
    token = current_token()
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "permissions": sorted(role_permissions(user.role_enum)),
        "token": None
        if token is None
        else {
            "name": token.name,
            "scopes": sorted(token.scopes),
            "expires_at": token.expires_at.isoformat(),
        },
    }


@bp.get("/tokens")
@require(Permission.TOKENS_OWN)
def list_tokens() -> dict[str, Any]:
    """The caller's tokens (never their secrets)."""
    user = current_account()
    assert user is not None
    return {"items": [_token_json(t) for t in tokens.list_tokens(db.session, user)]}


@bp.post("/tokens")
@require(Permission.TOKENS_OWN)
def create_token() -> tuple[dict[str, Any], int]:
    """Create a token: ``{"name", "scopes": [...], "days"}``; the secret is in the reply only."""
    user = current_account()
    assert user is not None
    body = json_object()
    name = require_type(body, "name", str)
    raw_scopes = require_type(body, "scopes", list)
    days = require_type(body, "days", int, required=False)
    if days is None:
        days = current_app.config["GEMBA_SETTINGS"].api_token_days
    known = {p.value for p in Permission}
    bad = [s for s in raw_scopes if not isinstance(s, str) or s not in known]
    if bad:
        message = f"Unknown scopes: {', '.join(map(str, bad))}."
        raise InvalidInput(message, [FieldError("/scopes", "unknown_scope", message)])
    issued = tokens.issue_token(
        db.session,
        user=user,
        name=name,
        scopes=frozenset(Permission(s) for s in raw_scopes),
        days=days,
    )
    db.session.commit()
    return {**_token_json(issued.token), "token": issued.plaintext}, 201


@bp.delete("/tokens/<int:token_id>")
@require(Permission.TOKENS_OWN)
def revoke_token(token_id: int) -> dict[str, Any]:
    """Revoke one of the caller's tokens (idempotent)."""
    user = current_account()
    assert user is not None
    token = tokens.revoke_token(db.session, user=user, token_id=token_id)
    db.session.commit()
    return _token_json(token)
