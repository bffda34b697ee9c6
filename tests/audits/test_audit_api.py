"""The audit JSON API over HTTP (Flask test client): same validation, clear problems."""

from __future__ import annotations

import io
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from accounts import tokens
from accounts.models import User
from accounts.roles import Permission
from tests.audits.conftest import ALL_YES, Scene, image_bytes
from tests.conftest import csrf_token_from, login

pytestmark = pytest.mark.integration


def bearer_for(db_session: Session, user: User, *extra: Permission) -> dict[str, str]:
    scopes = frozenset(
        {Permission.AUDITS_FILL, Permission.AUDITS_VIEW, Permission.CHECKLISTS_VIEW, *extra}
    )
    issued = tokens.issue_token(db_session, user=user, name="tablet", scopes=scopes, days=1)
    db_session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}"}


def payload(scene: Scene, **extra: object) -> dict[str, object]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "version_id": scene.version.id,
        "asset_code": scene.asset.code,
        "answers": ALL_YES,
        **extra,
    }


def test_api_submit_then_identical_resend_then_conflict(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    headers = bearer_for(db_session, scene.operator)
    body = payload(scene)
    first = client.post("/api/v1/audits", json=body, headers=headers)
    assert first.status_code == 201
    assert first.json is not None
    assert first.json["result"] == "pass"
    assert first.json["version"]["content_hash"] == scene.version.content_hash
    again = client.post("/api/v1/audits", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json == first.json
    other = client.post(
        "/api/v1/audits",
        json={**body, "answers": {**ALL_YES, "ppe_worn": {"value": "na"}}},
        headers=headers,
    )
    assert other.status_code == 409
    assert other.mimetype == "application/problem+json"


def test_api_submit_problems_name_each_item(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    headers = bearer_for(db_session, scene.operator)
    answers = {**ALL_YES, "ppe_worn": {"value": "fail"}, "five_s": {"value": True}}
    response = client.post("/api/v1/audits", json=payload(scene, answers=answers), headers=headers)
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"] == [
        {
            "pointer": "/answers/five_s/value",
            "code": "wrong_type",
            "message": response.json["errors"][0]["message"],
        }
    ]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"version_id": 987654}, 404),
        ({"asset_code": "NOWHERE"}, 404),
        ({"version_id": "1"}, 422),
        ({"client_uuid": "123"}, 422),
        ({"answers": []}, 422),
    ],
)
def test_api_submit_bad_references_and_types(
    client: FlaskClient, db_session: Session, scene: Scene, change: dict[str, object], status: int
) -> None:
    response = client.post(
        "/api/v1/audits",
        json=payload(scene, **change),
        headers=bearer_for(db_session, scene.operator),
    )
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_api_submit_against_unpublished_draft_version_is_impossible(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    # Only published versions have ids; a checklist id is not a version id.
    from forms.services import create_checklist

    draft_only = create_checklist(db_session, actor_id=scene.engineer.id, key="unpublished")
    db_session.commit()
    response = client.post(
        "/api/v1/audits",
        json=payload(scene, version_id=draft_only.id + 100000),
        headers=bearer_for(db_session, scene.operator),
    )
    assert response.status_code == 404


def test_api_draft_evidence_submit_flow(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    headers = bearer_for(db_session, scene.operator)
    start = client.post("/api/v1/audits", json=payload(scene, submit=False), headers=headers)
    assert start.status_code == 201
    assert start.json is not None
    key = start.json["client_uuid"]
    saved = client.put(
        f"/api/v1/audits/{key}/draft",
        json={"answers": {"ppe_worn": {"value": "pass"}}, "revision": 1},
        headers=headers,
    )
    assert saved.json == {"client_uuid": key, "draft_revision": 2}
    stale = client.put(
        f"/api/v1/audits/{key}/draft", json={"answers": {}, "revision": 1}, headers=headers
    )
    assert stale.status_code == 409
    upload = client.post(
        f"/api/v1/audits/{key}/evidence",
        data={"kind": "photo", "file": (io.BytesIO(image_bytes()), "p.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    assert upload.json is not None
    sha = upload.json["sha256"]
    answers = {
        **ALL_YES,
        "ppe_worn": {
            "value": "fail",
            "comment": "No glasses",
            "reaction": {"kind": "corrected"},
            "photos": [sha],
        },
    }
    done = client.post(f"/api/v1/audits/{key}/submit", json={"answers": answers}, headers=headers)
    assert done.status_code == 201
    got = client.get(f"/api/v1/audits/{key}", headers=headers).json
    assert got is not None
    assert got["evidence"][0]["sha256"] == sha
    assert got["answers"]["ppe_worn"]["photos"] == [sha]
    refused = client.put(f"/api/v1/audits/{key}/draft", json={"answers": {}}, headers=headers)
    assert refused.status_code == 409


def test_api_evidence_refuses_non_images(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    headers = bearer_for(db_session, scene.operator)
    key = client.post("/api/v1/audits", json=payload(scene, submit=False), headers=headers).json[
        "client_uuid"
    ]  # type: ignore[index]
    response = client.post(
        f"/api/v1/audits/{key}/evidence",
        data={"kind": "photo", "file": (io.BytesIO(b"%PDF-1.7 not an image"), "x.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "unsupported_file_type"
    missing = client.post(
        f"/api/v1/audits/{key}/evidence",
        data={"kind": "photo"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422


def test_api_oversized_body_is_413(client: FlaskClient, db_session: Session, scene: Scene) -> None:
    headers = bearer_for(db_session, scene.operator)
    key = client.post("/api/v1/audits", json=payload(scene, submit=False), headers=headers).json[
        "client_uuid"
    ]  # type: ignore[index]
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.put(
        f"/api/v1/audits/{key}/draft",
        data=b" " * (limit + 1),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_api_list_and_get_respect_ownership(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    mine = client.post(
        "/api/v1/audits", json=payload(scene), headers=bearer_for(db_session, scene.operator)
    ).json
    assert mine is not None
    narrow = bearer_for(db_session, scene.engineer)
    assert client.get(f"/api/v1/audits/{mine['client_uuid']}", headers=narrow).status_code == 404
    engineer_headers = bearer_for(db_session, scene.engineer, Permission.AUDITS_VIEW_ALL)
    assert (
        client.get(f"/api/v1/audits/{mine['client_uuid']}", headers=engineer_headers).status_code
        == 200
    )
    listed = client.get("/api/v1/audits?result=pass", headers=engineer_headers).json
    assert listed is not None
    assert mine["client_uuid"] in [a["client_uuid"] for a in listed["items"]]
    bad = client.get("/api/v1/audits?since=yesterday", headers=engineer_headers)
    assert bad.status_code == 422


def test_tablet_page_submit_with_session_and_csrf(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    from tests.factories import PASSWORD

    assert PASSWORD
    login(client, scene.operator.email)
    start_page = client.get(f"/audits/start?asset={scene.asset.code}").get_data(as_text=True)
    started = client.post(
        "/audits/start",
        data={
            "version": str(scene.version.id),
            "asset": scene.asset.code,
            "csrf_token": csrf_token_from(start_page),
        },
    )
    assert started.status_code == 302
    fill_url = started.headers["Location"]
    page = client.get(fill_url).get_data(as_text=True)
    assert 'data-key="ppe_worn"' in page
    key = fill_url.split("/")[2]
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    no_csrf = client.post(f"/api/v1/audits/{key}/submit", json={"answers": ALL_YES})
    assert no_csrf.status_code == 400
    done = client.post(
        f"/api/v1/audits/{key}/submit", json={"answers": ALL_YES}, headers={"X-CSRFToken": token}
    )
    assert done.status_code == 201
    detail = client.get(f"/audits/{key}").get_data(as_text=True)
    assert "Pass" in detail
    assert (
        client.get(fill_url).status_code == 302
    )  # submitted: the fill page sends you to the record


def test_api_start_is_idempotent_and_refuses_submitted(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    headers = bearer_for(db_session, scene.operator)
    body = payload(scene, submit=False)
    assert client.post("/api/v1/audits", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/audits", json=body, headers=headers).status_code == 200
    key = body["client_uuid"]
    assert (
        client.post(
            f"/api/v1/audits/{key}/submit", json={"answers": ALL_YES}, headers=headers
        ).status_code
        == 201
    )
    again = client.post("/api/v1/audits", json=body, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_api_resend_with_other_machine_is_a_conflict(
    client: FlaskClient, db_session: Session, scene: Scene
) -> None:
    from tests import factories

    other = factories.machine(db_session)
    headers = bearer_for(db_session, scene.operator)
    body = payload(scene)
    assert client.post("/api/v1/audits", json=body, headers=headers).status_code == 201
    moved = client.post("/api/v1/audits", json={**body, "asset_code": other.code}, headers=headers)
    assert moved.status_code == 409
    assert moved.json is not None
    assert moved.json["errors"][0]["code"] == "other_asset"


def test_audit_list_page_filters(client: FlaskClient, db_session: Session, scene: Scene) -> None:
    client.post(
        "/api/v1/audits", json=payload(scene), headers=bearer_for(db_session, scene.operator)
    )
    login(client, scene.engineer.email)
    page = client.get(
        f"/audits/?checklist={scene.version.checklist_id}&result=pass&since=2000-01-01&until=2999-12-31"
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert scene.asset.name in text
    assert "No audits match." in client.get("/audits/?result=fail").get_data(as_text=True)
    bad = client.get("/audits/?since=yesterday")
    assert bad.status_code == 422
