"""Personal API tokens: issue (shown once), resolve from a Bearer header, revoke.

A token reads ``gmb_<prefix>_<secret>``. The prefix finds the row; only the sha256 of the
secret is stored. A token acts as its owner, limited to its scopes and to what the owner's
role still allows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from accounts.models import ApiToken, ApiTokenScope, User
from accounts.roles import Permission, role_permissions
from accounts.secrets import hash_secret, new_secret, secret_matches
from errors import AuthenticationRequired, FieldError, InvalidInput, NotFound
from extensions import utcnow
from trail import record_event

TOKEN_PREFIX = "gmb"  # noqa: S105 - a public marker, not a secret
#: Tokens may live at most this long.
MAX_TOKEN_DAYS = 366


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just created; ``plaintext`` is shown once and never stored."""

    token: ApiToken
    plaintext: str


def issue_token(
    session: Session,
    *,
    user: User,
    name: str,
    scopes: frozenset[Permission],
    days: int,
) -> IssuedToken:
    """Create a token for ``user`` valid for ``days``.

    Raises:
        InvalidInput: empty name, no scopes, a scope the user's role does not hold, or a lifetime
            outside 1..366 days.
    """
    label = name.strip()
    problems: list[FieldError] = []
    if not label or len(label) > 80:
        problems.append(
            FieldError("/name", "required", "Give the token a name (up to 80 characters).")
        )
    if not scopes:
        problems.append(FieldError("/scopes", "required", "Choose at least one scope."))
    not_held = sorted(scopes - role_permissions(user.role_enum))
    if not_held:
        problems.append(
            FieldError(
                "/scopes", "not_permitted", f"Your role does not allow: {', '.join(not_held)}."
            )
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        problems.append(FieldError("/days", "out_of_range", f"Choose 1 to {MAX_TOKEN_DAYS} days."))
    if problems:
        raise InvalidInput(problems[0].message, problems)
    prefix = secrets.token_hex(6)
    secret = new_secret()
    token = ApiToken(
        user_id=user.id,
        name=label,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        expires_at=utcnow() + timedelta(days=days),
        scope_rows=[ApiTokenScope(scope=s.value) for s in sorted(scopes)],
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor_id=user.id,
        action="api_token.issued",
        entity_type="api_token",
        entity_id=token.id,
        new={"name": label, "scopes": sorted(scopes), "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}_{prefix}_{secret}")


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (idempotent).

    Raises:
        NotFound: the token does not exist or belongs to someone else.
    """
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record_event(
            session,
            actor_id=user.id,
            action="api_token.revoked",
            entity_type="api_token",
            entity_id=token.id,
        )
    return token


def resolve_token(
    session: Session, plaintext: str, *, now: datetime | None = None
) -> tuple[ApiToken, bool]:
    """Return the usable token for a Bearer value, and whether its "last used" time is stale.

    Raises:
        AuthenticationRequired: malformed, unknown, revoked or expired token, or deactivated owner;
            the detail says which, since the caller already holds the token.
    """
    moment = now or utcnow()
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise AuthenticationRequired("The API token is malformed.")
    token = session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.prefix == parts[1])
    )
    if token is None or not secret_matches(parts[2], token.secret_hash):
        raise AuthenticationRequired("The API token is not valid.")
    if token.revoked_at is not None:
        raise AuthenticationRequired("The API token was revoked.")
    if token.expires_at <= moment:
        raise AuthenticationRequired("The API token has expired.")
    if not token.user.is_active:
        raise AuthenticationRequired("The token's user is deactivated.")
    # Writing on every request would serialise readers on SQLite; once a minute is plenty.
    stale = token.last_used_at is None or moment - token.last_used_at > timedelta(minutes=1)
    return token, stale


def record_token_use(session: Session, token_id: int, *, now: datetime | None = None) -> None:
    """Note that a token was just used (flushes; the caller commits)."""
    moment = now or utcnow()
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment))
