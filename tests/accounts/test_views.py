"""Sign-in, sign-out, invitations and user administration through the real pages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.roles import Role
from tests.conftest import csrf_token, csrf_token_from, login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.integration


def test_login_with_right_password_lands_on_home(
    client: FlaskClient, make_user: UserFactory
) -> None:
    user = make_user(Role.AUDITOR, name="Ann Auditor")
    login(client, user.email)
    page = client.get("/").get_data(as_text=True)
    assert "Ann Auditor" in page
    assert "auditor" in page


def test_login_with_wrong_password_shows_error_and_401(
    client: FlaskClient, make_user: UserFactory
) -> None:
    user = make_user()
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "wrong wrong wrong",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 401
    assert "Email or password is wrong." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Security check failed" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_rate_limited_per_address(client: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login",
            data={"email": user.email, "password": "wrong wrong wrong", "csrf_token": token},
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    blocked = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_login_ignores_offsite_next_parameter(client: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/"


def test_login_follows_local_next_parameter(client: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "/plant/assets",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/plant/assets"


def test_logout_requires_post_with_csrf(client: FlaskClient, make_user: UserFactory) -> None:
    login(client, make_user().email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    home = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(home)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_invite_flow_creates_user_who_sets_password_and_signs_in(
    client: FlaskClient, make_user: UserFactory, app: object
) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin.email)
    form = client.get("/admin/users/new").get_data(as_text=True)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "new.op@example.com",
            "display_name": "New Op",
            "role": "operator",
            "csrf_token": csrf_token_from(form),
        },
    )
    assert response.status_code == 200
    link = re.search(
        r'value="http://localhost(/set-password/[^"]+)"', response.get_data(as_text=True)
    )
    assert link, "the one-time link is shown"
    client.post("/logout", data={"csrf_token": csrf_token_from(form)})

    set_page = client.get(link.group(1))
    assert "New Op" in set_page.get_data(as_text=True)
    done = client.post(
        link.group(1),
        data={
            "password": "my own passphrase",
            "confirm": "my own passphrase",
            "csrf_token": csrf_token_from(set_page.get_data(as_text=True)),
        },
    )
    assert done.status_code == 302
    login(client, "new.op@example.com", "my own passphrase")
    assert client.get(link.group(1)).status_code == 404  # used up


def test_invite_with_taken_email_shows_field_error(
    client: FlaskClient, make_user: UserFactory
) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin.email)
    form = client.get("/admin/users/new").get_data(as_text=True)
    response = client.post(
        "/admin/users/new",
        data={
            "email": admin.email,
            "display_name": "Dup",
            "role": "operator",
            "csrf_token": csrf_token_from(form),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in page
    assert 'aria-invalid="true"' in page


def test_deactivating_a_user_ends_their_session(
    app: object, client: FlaskClient, make_user: UserFactory, db_session: Session
) -> None:
    admin = make_user(Role.ADMIN)
    operator = make_user(Role.OPERATOR)
    login(client, operator.email)
    assert client.get("/").status_code == 200

    admin_client = client.application.test_client()
    login(admin_client, admin.email)
    form = admin_client.get(f"/admin/users/{operator.id}").get_data(as_text=True)
    saved = admin_client.post(
        f"/admin/users/{operator.id}",
        data={
            "display_name": operator.display_name,
            "role": "operator",
            "csrf_token": csrf_token_from(form),
        },
    )
    assert saved.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, operator.id).is_active is False  # type: ignore[union-attr]
    assert client.get("/").status_code == 302  # bounced to sign-in


def test_admin_reset_link_lets_user_choose_new_password(
    client: FlaskClient, make_user: UserFactory
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ENGINEER)
    login(client, admin.email)
    form = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{user.id}/reset-password", data={"csrf_token": csrf_token_from(form)}
    )
    link = re.search(
        r'value="http://localhost(/set-password/[^"]+)"', response.get_data(as_text=True)
    )
    assert link
    other = client.application.test_client()
    page = other.get(link.group(1)).get_data(as_text=True)
    other.post(
        link.group(1),
        data={
            "password": "reset passphrase",
            "confirm": "reset passphrase",
            "csrf_token": csrf_token_from(page),
        },
    )
    login(other, user.email, "reset passphrase")


def test_change_password_signs_out_other_sessions(
    client: FlaskClient, make_user: UserFactory
) -> None:
    user = make_user()
    login(client, user.email)
    other = client.application.test_client()
    login(other, user.email)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "fresh passphrase",
            "confirm": "fresh passphrase",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_tokens_page_shows_new_token_once(client: FlaskClient, make_user: UserFactory) -> None:
    user = make_user(Role.ENGINEER)
    login(client, user.email)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "users:manage" not in page  # engineers cannot grant what they do not hold
    created = client.post(
        "/account/tokens",
        data={
            "name": "Line 3 script",
            "scopes": ["plant:view"],
            "days": "30",
            "csrf_token": csrf_token_from(page),
        },
    ).get_data(as_text=True)
    plaintext = re.search(r'id="new-token"[^>]*value="(gmb_[^"]+)"', created)
    assert plaintext
    again = client.get("/account/tokens").get_data(as_text=True)
    assert plaintext.group(1) not in again
    assert "Line 3 script" in again
    api = client.application.test_client()
    assert (
        api.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext.group(1)}"}).status_code
        == 200
    )


def test_token_api_create_list_revoke_with_session_and_csrf(
    client: FlaskClient, make_user: UserFactory
) -> None:
    user = make_user(Role.MANAGER)
    login(client, user.email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    no_csrf = client.post("/api/v1/tokens", json={"name": "x", "scopes": ["reports:view"]})
    assert no_csrf.status_code == 400
    assert no_csrf.mimetype == "application/problem+json"
    created = client.post(
        "/api/v1/tokens",
        json={"name": "BI", "scopes": ["reports:view"], "days": 7},
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201
    assert created.json is not None
    token_id = created.json["id"]
    listed = client.get("/api/v1/tokens").json
    assert listed is not None
    assert [t["name"] for t in listed["items"]] == ["BI"]
    assert "token" not in listed["items"][0]
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRFToken": token})
    assert revoked.json is not None
    assert revoked.json["revoked"] is True


def test_home_offers_role_tasks_and_own_drafts(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    from audits.services import start_audit
    from tests import factories

    operator = make_user(Role.OPERATOR)
    version = factories.published_version(
        db_session, operator, factories.definition(factories.passfail("a"))
    )
    audit = start_audit(
        db_session,
        user=operator,
        version_id=version.id,
        asset_code=factories.machine(db_session).code,
    )
    db_session.commit()
    login(client, operator.email)
    page = client.get("/").get_data(as_text=True)
    assert "Start audit" in page
    assert f"/audits/{audit.client_uuid}/fill" in page
    assert "/admin/users" not in page
