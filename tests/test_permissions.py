"""The permission matrix: every endpoint by every role is allowed or denied as the policy says.

The expected matrix is written out here on purpose, so a change to the policy table or to a
view's guard shows up as a failing test that someone has to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from accounts import tokens
from accounts.roles import Permission, Role
from audits.services import start_audit
from tests import factories
from tests.conftest import csrf_token_from, login
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

ALL = frozenset(Role)
AD = Role.ADMIN
EDITORS = frozenset({Role.ENGINEER, Role.ADMIN})
FILLERS = frozenset({Role.OPERATOR, Role.AUDITOR, Role.ENGINEER, Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    #: ``public``, ``login`` or a ``Permission``.
    guard: str | Permission
    allowed: frozenset[Role]


MATRIX: dict[str, Rule] = {
    "static": Rule("GET", "/static/css/gemba.css", "public", ALL),
    "web.healthz": Rule("GET", "/healthz", "public", ALL),
    "web.openapi": Rule("GET", "/api/v1/openapi.json", "public", ALL),
    "accounts.login": Rule("GET", "/login", "public", ALL),
    "accounts.logout": Rule("POST", "/logout", "public", ALL),
    "accounts.set_password": Rule("GET", "/set-password/unknown", "public", ALL),
    "web.home": Rule("GET", "/", "login", ALL),
    "accounts.change_password": Rule("GET", "/account/password", "login", ALL),
    "accounts_api.me": Rule("GET", "/api/v1/me", "login", ALL),
    "accounts.api_tokens": Rule("GET", "/account/tokens", Permission.TOKENS_OWN, ALL),
    "accounts.revoke_api_token": Rule(
        "POST", "/account/tokens/{token}/revoke", Permission.TOKENS_OWN, ALL
    ),
    "accounts_api.list_tokens": Rule("GET", "/api/v1/tokens", Permission.TOKENS_OWN, ALL),
    "accounts_api.create_token": Rule("POST", "/api/v1/tokens", Permission.TOKENS_OWN, ALL),
    "accounts_api.revoke_token": Rule(
        "DELETE", "/api/v1/tokens/{token}", Permission.TOKENS_OWN, ALL
    ),
    "plant.assets": Rule("GET", "/plant/assets", Permission.PLANT_VIEW, ALL),
    "plant.live": Rule("GET", "/plant/live", Permission.PLANT_VIEW, ALL),
    "plant.asset_qr": Rule("GET", "/plant/assets/{asset}/qr.svg", Permission.PLANT_VIEW, ALL),
    "accounts.users": Rule("GET", "/admin/users", Permission.USERS_MANAGE, frozenset({AD})),
    "accounts.invite_user": Rule(
        "GET", "/admin/users/new", Permission.USERS_MANAGE, frozenset({AD})
    ),
    "accounts.edit_user": Rule(
        "GET", "/admin/users/{user}", Permission.USERS_MANAGE, frozenset({AD})
    ),
    "accounts.reset_password": Rule(
        "POST", "/admin/users/{user}/reset-password", Permission.USERS_MANAGE, frozenset({AD})
    ),
    "checklists.index": Rule("GET", "/checklists/", Permission.CHECKLISTS_VIEW, ALL),
    "checklists.detail": Rule("GET", "/checklists/{checklist}", Permission.CHECKLISTS_VIEW, ALL),
    "checklists.diff": Rule(
        "GET", "/checklists/{checklist}/diff?a=1&b=1", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists.export": Rule(
        "GET", "/checklists/{checklist}/export", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists.image": Rule("GET", "/checklists/images/{sha}", Permission.CHECKLISTS_VIEW, ALL),
    "checklists.upload_image": Rule(
        "POST", "/checklists/{checklist}/images", Permission.CHECKLISTS_EDIT, EDITORS
    ),
    "checklists.new": Rule("GET", "/checklists/new", Permission.CHECKLISTS_EDIT, EDITORS),
    "checklists.edit": Rule(
        "GET", "/checklists/{checklist}/edit", Permission.CHECKLISTS_EDIT, EDITORS
    ),
    "checklists.publish": Rule(
        "GET", "/checklists/{checklist}/publish", Permission.CHECKLISTS_EDIT, EDITORS
    ),
    "checklists_api.list_checklists": Rule(
        "GET", "/api/v1/checklists", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists_api.list_versions": Rule(
        "GET", "/api/v1/checklists/{checklist}/versions", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists_api.get_version": Rule(
        "GET", "/api/v1/versions/{version}", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists_api.schema": Rule(
        "GET", "/api/v1/schema/definition", Permission.CHECKLISTS_VIEW, ALL
    ),
    "checklists_api.item_types": Rule("GET", "/api/v1/item-types", Permission.CHECKLISTS_VIEW, ALL),
    "audits.start": Rule("GET", "/audits/start", Permission.AUDITS_FILL, FILLERS),
    "audits.fill": Rule("GET", "/audits/{audit}/fill", Permission.AUDITS_FILL, FILLERS),
    "audits.index": Rule("GET", "/audits/", Permission.AUDITS_VIEW, ALL),
    "audits.detail": Rule("GET", "/audits/{audit}", Permission.AUDITS_VIEW, ALL),
    "audits.evidence": Rule("GET", "/audits/{audit}/evidence/{sha}", Permission.AUDITS_VIEW, ALL),
    "audits_api.create": Rule("POST", "/api/v1/audits", Permission.AUDITS_FILL, FILLERS),
    "audits_api.save_draft": Rule(
        "PUT", "/api/v1/audits/{audit}/draft", Permission.AUDITS_FILL, FILLERS
    ),
    "audits_api.upload_evidence": Rule(
        "POST", "/api/v1/audits/{audit}/evidence", Permission.AUDITS_FILL, FILLERS
    ),
    "audits_api.submit": Rule(
        "POST", "/api/v1/audits/{audit}/submit", Permission.AUDITS_FILL, FILLERS
    ),
    "audits_api.list_audits": Rule("GET", "/api/v1/audits", Permission.AUDITS_VIEW, ALL),
    "audits_api.get_audit": Rule("GET", "/api/v1/audits/{audit}", Permission.AUDITS_VIEW, ALL),
}

GUARDED = sorted(name for name, rule in MATRIX.items() if rule.guard != "public")


def test_matrix_covers_every_endpoint(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), "add new endpoints to MATRIX with their expected roles"


def test_views_declare_the_guard_the_matrix_expects(app: Flask) -> None:
    for name, rule in MATRIX.items():
        declared = getattr(app.view_functions[name], "required_permission", "public")
        expected = None if rule.guard == "login" else rule.guard
        assert declared == expected, name


@dataclass(frozen=True)
class Ids:
    user: int
    token: int
    checklist: int
    version: int
    audit: str
    asset: str


def _request(client: FlaskClient, rule: Rule, ids: Ids) -> int:
    path = rule.path.format(
        user=ids.user,
        token=ids.token,
        checklist=ids.checklist,
        version=ids.version,
        audit=ids.audit,
        asset=ids.asset,
        sha="0" * 64,
    )
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    if rule.method == "GET":
        return client.get(path).status_code
    if path.startswith("/api/"):
        return client.open(
            path, method=rule.method, json={}, headers={"X-CSRFToken": csrf}
        ).status_code
    return client.open(path, method=rule.method, data={"csrf_token": csrf}).status_code


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("endpoint", GUARDED)
def test_permission_matrix(
    client: FlaskClient, make_user: UserFactory, db_session: Session, endpoint: str, role: Role
) -> None:
    rule = MATRIX[endpoint]
    other = make_user(Role.ADMIN)
    token = tokens.issue_token(
        db_session, user=other, name="t", scopes=frozenset({Permission.PLANT_VIEW}), days=1
    )
    version = factories.published_version(
        db_session, other, factories.definition(factories.passfail("a"))
    )
    asset = factories.machine(db_session)
    audit = start_audit(db_session, user=other, version_id=version.id, asset_code=asset.code)
    db_session.commit()
    login(client, make_user(role).email)
    ids = Ids(
        other.id, token.token.id, version.checklist_id, version.id, audit.client_uuid, asset.code
    )
    status = _request(client, rule, ids)
    if role in rule.allowed:
        assert status not in (401, 403), status
        assert status < 500, status
        assert not (status == 302 and rule.method == "GET"), status
    else:
        assert status == 403


@pytest.mark.parametrize("endpoint", GUARDED)
def test_anonymous_is_sent_to_sign_in_or_gets_401(client: FlaskClient, endpoint: str) -> None:
    rule = MATRIX[endpoint]
    path = rule.path.format(
        user=1, token=1, checklist=1, version=1, audit="0" * 36, sha="0" * 64, asset="X"
    )
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    if path.startswith("/api/"):
        response = client.open(path, method=rule.method, headers={"X-CSRFToken": csrf})
        assert response.status_code == 401
    else:
        response = client.open(path, method=rule.method, data={"csrf_token": csrf})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
