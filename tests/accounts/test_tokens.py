"""Personal API tokens: stored hashed, scoped, expiring, revocable, usable as Bearer."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts import tokens
from accounts.models import ApiToken
from accounts.roles import Permission, Role
from errors import AuthenticationRequired, InvalidInput
from extensions import utcnow
from tests.conftest import login
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
    token, touched = tokens.resolve_token(db_session, issued.plaintext)
    assert token.id == issued.token.id
    assert touched
    assert issued.token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


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


def test_bearer_use_is_recorded_even_on_read_only_requests(
    client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user(Role.OPERATOR)
    issued = tokens.issue_token(
        db_session, user=user, name="t", scopes=frozenset({Permission.PLANT_VIEW}), days=1
    )
    db_session.commit()
    assert client.get("/api/v1/me", headers=bearer(issued.plaintext)).status_code == 200
    db_session.expire_all()
    assert db_session.get(ApiToken, issued.token.id).last_used_at is not None  # type: ignore[union-attr]


def test_bearer_token_wins_over_a_session_cookie(
    client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    cookie_user = make_user(Role.ADMIN)
    token_user = make_user(Role.OPERATOR)
    issued = tokens.issue_token(
        db_session, user=token_user, name="t", scopes=frozenset({Permission.TOKENS_OWN}), days=1
    )
    db_session.commit()
    login(client, cookie_user.email)
    me = client.get("/api/v1/me", headers=bearer(issued.plaintext)).json
    assert me is not None
    assert me["email"] == token_user.email
    created = client.post(
        "/api/v1/tokens",
        json={"name": "x", "scopes": ["tokens:own"]},
        headers=bearer(issued.plaintext),
    )
    assert created.status_code == 201
    owners = {t.user_id for t in db_session.scalars(select(ApiToken))}
    assert cookie_user.id not in owners


def test_bad_bearer_header_does_not_break_public_pages(client: FlaskClient) -> None:
    assert client.get("/healthz", headers=bearer("gmb_nope_nope")).status_code == 200
    assert client.get("/login", headers=bearer("gmb_nope_nope")).status_code == 200


def test_token_api_rejects_zero_days_and_uses_configured_default(
    client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user(Role.ENGINEER)
    issued = tokens.issue_token(
        db_session, user=user, name="t", scopes=frozenset({Permission.TOKENS_OWN}), days=1
    )
    db_session.commit()
    zero = client.post(
        "/api/v1/tokens",
        json={"name": "x", "scopes": ["plant:view"], "days": 0},
        headers=bearer(issued.plaintext),
    )
    assert zero.status_code == 422
    default = client.post(
        "/api/v1/tokens",
        json={"name": "x", "scopes": ["plant:view"]},
        headers=bearer(issued.plaintext),
    )
    assert default.json is not None
    expires = datetime.fromisoformat(default.json["expires_at"])
    days = client.application.config["GEMBA_SETTINGS"].api_token_days
    assert abs((expires - utcnow()) - timedelta(days=days)) < timedelta(minutes=1)
