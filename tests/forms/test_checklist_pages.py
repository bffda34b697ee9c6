"""Checklist pages as an engineer uses them: create, edit JSON, see problems, publish, export."""

from __future__ import annotations

import json
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from accounts.roles import Role
from audits.submission import submit_audit
from forms import images, services
from tests import factories
from tests.conftest import csrf_token_from, login
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def form_token(client: FlaskClient, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_engineer_creates_from_template_edits_and_publishes(
    client: FlaskClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.ENGINEER).email)
    created = client.post(
        "/checklists/new",
        data={
            "create-key": "lpa-l1",
            "create-start_from": "template:lpa-layer-1",
            "create-csrf_token": form_token(client, "/checklists/new"),
        },
    )
    assert created.status_code == 302
    edit_url = created.headers["Location"]
    page = client.get(edit_url).get_data(as_text=True)
    assert "Definition (JSON)" in page

    broken = client.post(
        edit_url, data={"document": "{nope", "revision": "1", "csrf_token": csrf_token_from(page)}
    )
    assert "Not valid JSON" in broken.get_data(as_text=True)

    document = json.loads(client.get(edit_url.replace("/edit", "/export")).get_data(as_text=True))
    document["sections"][0]["items"][0]["visibleIf"] = "answers.missing == 'x'"
    saved = client.post(
        edit_url,
        data={
            "document": json.dumps(document),
            "revision": "1",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert saved.status_code == 302
    problems = client.get(edit_url).get_data(as_text=True)
    assert "/sections/0/items/0/visibleIf" in problems
    assert "expression_unknown_item" in problems

    del document["sections"][0]["items"][0]["visibleIf"]
    fixed = client.post(
        edit_url,
        data={
            "document": json.dumps(document),
            "revision": "2",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert fixed.status_code == 302
    publish_url = edit_url.replace("/edit", "/publish")
    publish_page = client.get(publish_url).get_data(as_text=True)
    assert "This will be version 1." in publish_page
    published = client.post(
        publish_url, data={"revision": "3", "csrf_token": csrf_token_from(publish_page)}
    )
    assert published.status_code == 302
    detail = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "v1" in detail
    assert "The draft is a valid checklist." in detail


def test_publish_page_warns_before_breaking_change(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(Role.ENGINEER)
    operator = make_user(Role.OPERATOR)
    version = factories.published_version(
        db_session, engineer, factories.definition(factories.passfail("a"), factories.passfail("b"))
    )
    asset = factories.machine(db_session)
    submit_audit(
        db_session,
        user=operator,
        client_uuid=str(uuid.uuid4()),
        answers={"a": {"value": "pass"}},
        version_id=version.id,
        asset_code=asset.code,
    )
    checklist = services.get_checklist(db_session, version.checklist_id)
    services.save_draft(
        db_session,
        actor_id=engineer.id,
        checklist_id=checklist.id,
        document=factories.definition(factories.passfail("a")),
        revision=1,
    )
    db_session.commit()
    login(client, engineer.email)
    url = f"/checklists/{checklist.id}/publish"
    page = client.get(url).get_data(as_text=True)
    assert "1 audit use version 1." in page
    assert "Removed <code>b</code>" in page
    refused = client.post(url, data={"revision": "2", "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 200
    assert "confirm to publish anyway" in refused.get_data(as_text=True)
    confirmed = client.post(
        url, data={"revision": "2", "confirm_breaking": "y", "csrf_token": csrf_token_from(page)}
    )
    assert confirmed.status_code == 302
    diff = client.get(f"/checklists/{checklist.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "Removed <code>b</code>" in diff


def test_import_page_and_export_download(client: FlaskClient, make_user: UserFactory) -> None:
    import io

    login(client, make_user(Role.ENGINEER).email)
    document = factories.definition(factories.passfail("ok"), key="imported-one")
    response = client.post(
        "/checklists/new",
        data={
            "import-file": (io.BytesIO(json.dumps(document).encode()), "x.json"),
            "import-csrf_token": form_token(client, "/checklists/new"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    detail_url = response.headers["Location"]
    download = client.get(f"{detail_url}/export")
    assert download.headers["Content-Disposition"] == 'attachment; filename="imported-one.json"'
    assert json.loads(download.get_data(as_text=True)) == document
    bad = client.post(
        "/checklists/new",
        data={
            "import-file": (io.BytesIO(b"\x00\x01"), "x.json"),
            "import-csrf_token": form_token(client, "/checklists/new"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 200
    assert "not valid JSON" in bad.get_data(as_text=True)


def test_labels_are_escaped_on_the_tablet_page(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(Role.ENGINEER)
    operator = make_user(Role.OPERATOR)
    evil = '<img src="http://evil.example/x.png" onerror="alert(1)">'
    version = factories.published_version(
        db_session,
        engineer,
        factories.definition(factories.passfail("a", label=evil, help="<script>alert(2)</script>")),
    )
    asset = factories.machine(db_session)
    from audits.services import start_audit

    audit = start_audit(db_session, user=operator, version_id=version.id, asset_code=asset.code)
    db_session.commit()
    login(client, operator.email)
    page = client.get(f"/audits/{audit.client_uuid}/fill").get_data(as_text=True)
    assert evil not in page
    assert "<script>alert(2)</script>" not in page
    assert "&lt;img src=" in page


def test_checklist_api_lists_versions_schema_and_item_types(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(Role.ENGINEER)
    version = factories.published_version(
        db_session, engineer, factories.definition(factories.passfail("a"))
    )
    login(client, engineer.email)
    listed = client.get("/api/v1/checklists").json
    assert listed is not None
    assert any(
        c["latest_version"] and c["latest_version"]["id"] == version.id for c in listed["items"]
    )
    one = client.get(f"/api/v1/versions/{version.id}").json
    assert one is not None
    assert one["definition"]["sections"][0]["items"][0]["key"] == "a"
    assert one["content_hash"] == version.content_hash
    versions = client.get(f"/api/v1/checklists/{version.checklist_id}/versions").json
    assert versions is not None
    assert [v["number"] for v in versions["items"]] == [1]
    schema = client.get("/api/v1/schema/definition").json
    assert schema is not None
    assert "passfail" in schema["$defs"]["item"]["properties"]["type"]["enum"]
    types = client.get("/api/v1/item-types").json
    assert types is not None
    assert {t["name"] for t in types["items"]} >= {"passfail", "number", "repeat", "computed"}


def test_instruction_picture_upload_publish_and_show(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    import io

    from PIL import Image

    engineer = make_user(Role.ENGINEER)
    operator = make_user(Role.OPERATOR)
    checklist = services.create_checklist(db_session, actor_id=engineer.id, key="with-picture")
    db_session.commit()
    login(client, engineer.email)
    edit_url = f"/checklists/{checklist.id}/edit"
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (0, 90, 200)).save(buffer, "PNG")
    uploaded = client.post(
        f"/checklists/{checklist.id}/images",
        data={
            "file": (io.BytesIO(buffer.getvalue()), "torque.png"),
            "csrf_token": form_token(client, edit_url),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    sha = images.list_images(db_session, checklist.id)[0].sha256
    missing = "e" * 64
    for image, expect_published in ((missing, False), (sha, True)):
        document = factories.definition(
            {
                "key": "how",
                "type": "instruction",
                "label": "Torque pattern",
                "image": image,
                "imageAlt": "Star pattern",
            },
            factories.passfail("done"),
        )
        services.save_draft(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            document=document,
            revision=services.get_checklist(db_session, checklist.id).draft_revision,
        )
        db_session.commit()
        page = client.get(f"/checklists/{checklist.id}/publish").get_data(as_text=True)
        revision = services.get_checklist(db_session, checklist.id).draft_revision
        response = client.post(
            f"/checklists/{checklist.id}/publish",
            data={"revision": str(revision), "csrf_token": csrf_token_from(page)},
        )
        assert (response.status_code == 302) is expect_published
        if not expect_published:
            assert "image_missing" in response.get_data(
                as_text=True
            ) or "Upload this image" in response.get_data(as_text=True)
    picture = client.get(f"/checklists/images/{sha}")
    assert picture.status_code == 200
    assert picture.mimetype == "image/png"
    assert client.get(f"/checklists/images/{'0' * 64}").status_code == 404
    version = services.latest_version(db_session, checklist.id)
    assert version is not None
    from audits.services import start_audit

    audit = start_audit(
        db_session,
        user=operator,
        version_id=version.id,
        asset_code=factories.machine(db_session).code,
    )
    db_session.commit()
    login(client, operator.email)
    fill = client.get(f"/audits/{audit.client_uuid}/fill").get_data(as_text=True)
    assert f'src="/checklists/images/{sha}"' in fill
    assert 'alt="Star pattern"' in fill
    bad = client.post(
        f"/checklists/{checklist.id}/images",
        data={
            "file": (io.BytesIO(b"not an image"), "x.png"),
            "csrf_token": form_token(client, "/"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code in (403, 422)
