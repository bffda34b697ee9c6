"""JSON API of accounts: who am I (useful to check a token)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from accounts.access import current_account, current_token, require_login
from accounts.roles import role_permissions

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


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
