"""Personal API tokens: stored hashed, scoped, expiring, revocable, usable as Bearer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from accounts import tokens
from accounts.models import ApiToken
from accounts.roles import Permission, Role
from errors import AuthenticationRequired, InvalidInput
from extensions import utcnow
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_issue_token_stores_only_a_hash(make_user: UserFactory, db_session: Session) -> None:
    user = make_user(Role.ENGINEER)
    issued = tokens.issue_token(
        db_session, user=user, name="MES", scopes=frozenset({Permission.PLANT_VIEW}), days=30
    )
    assert issued.plaintext.startswith(f"gmb_{issued.token.prefix}_")
    secret = issued.plaintext.split("_", 2)[2]
    assert secret not in issued.token.secret_hash
    assert tokens.resolve_token(db_session, issued.plaintext).id == issued.token.id


def test_issue_token_refuses_scopes_the_role_lacks(
    make_user: UserFactory, db_session: Session
) -> None:
    operator = make_user(Role.OPERATOR)
    with pytest.raises(InvalidInput) as info:
        tokens.issue_token(
            db_session, user=operator, name="x", scopes=frozenset({Permission.USERS_MANAGE}), days=5
        )
    assert info.value.errors[0].code == "not_permitted"


@pytest.mark.parametrize(
    ("name", "scopes", "days", "pointer"),
    [
        ("", {Permission.PLANT_VIEW}, 5, "/name"),
        ("a", set(), 5, "/scopes"),
        ("a", {Permission.PLANT_VIEW}, 0, "/days"),
    ],
)
def test_issue_token_validates_fields(
    make_user: UserFactory,
    db_session: Session,
    name: str,
    scopes: set[Permission],
    days: int,
    pointer: str,
) -> None:
    user = make_user(Role.ADMIN)
    with pytest.raises(InvalidInput) as info:
        tokens.issue_token(db_session, user=user, name=name, scopes=frozenset(scopes), days=days)
    assert info.value.errors[0].pointer == pointer


def test_bearer_token_authenticates_api_request(
    client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user(Role.MANAGER)
    issued = tokens.issue_token(
        db_session, user=user, name="BI", scopes=frozenset({Permission.REPORTS_VIEW}), days=1
    )
    db_session.commit()
    response = client.get("/api/v1/me", headers=bearer(issued.plaintext))
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["email"] == user.email
    assert response.json["token"]["scopes"] == ["reports:view"]
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("mutate", "detail"),
    [
        ("revoke", "revoked"),
        ("expire", "expired"),
        ("deactivate", "deactivated"),
        ("garbage", "malformed"),
        ("wrong_secret", "not valid"),
    ],
)
def test_unusable_bearer_token_gets_401_problem(
    client: FlaskClient, make_user: UserFactory, db_session: Session, mutate: str, detail: str
) -> None:
    user = make_user(Role.ENGINEER)
    issued = tokens.issue_token(
        db_session, user=user, name="t", scopes=frozenset({Permission.PLANT_VIEW}), days=1
    )
    value = issued.plaintext
    if mutate == "revoke":
        tokens.revoke_token(db_session, user=user, token_id=issued.token.id)
    elif mutate == "expire":
        db_session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    elif mutate == "deactivate":
        user.is_active = False
    elif mutate == "garbage":
        value = "definitely-not-a-token"
    else:
        value = value[:-4] + "AAAA"
    db_session.commit()
    response = client.get("/api/v1/me", headers=bearer(value))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert detail in response.json["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_scope_limits_what_the_owner_may_do(
    client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    admin = make_user(Role.ADMIN)
    issued = tokens.issue_token(
        db_session, user=admin, name="t", scopes=frozenset({Permission.TOKENS_OWN}), days=1
    )
    db_session.commit()
    assert client.get("/api/v1/tokens", headers=bearer(issued.plaintext)).status_code == 200
    assert client.get("/admin/users", headers=bearer(issued.plaintext)).status_code == 403


def test_resolve_token_refuses_unknown_prefix(db_session: Session) -> None:
    with pytest.raises(AuthenticationRequired):
        tokens.resolve_token(db_session, "gmb_ffffffffffff_secret")
