"""The asset tree follows ISA-95 levels."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from errors import Conflict, InvalidInput, NotFound
from plant.models import Asset, AssetKind
from plant.services import asset_tree, create_asset, find_asset
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def _site_with_line(session: Session) -> None:
    create_asset(session, actor_id=None, kind=AssetKind.SITE, code="S", name="Site")
    create_asset(
        session, actor_id=None, kind=AssetKind.AREA, code="S-A", name="Area", parent_code="S"
    )
    create_asset(
        session, actor_id=None, kind=AssetKind.LINE, code="S-A-L", name="Line", parent_code="S-A"
    )


def test_create_asset_builds_a_tree(db_session: Session) -> None:
    _site_with_line(db_session)
    create_asset(
        db_session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code="M2",
        name="Press B",
        parent_code="S-A-L",
    )
    create_asset(
        db_session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code="M1",
        name="Press A",
        parent_code="S-A-L",
    )
    roots = [n for n in asset_tree(db_session) if n.asset.code == "S"]
    line = roots[0].children[0].children[0]
    assert [c.asset.name for c in line.children] == ["Press A", "Press B"]


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (AssetKind.MACHINE, "S"),
        (AssetKind.AREA, None),
        (AssetKind.SITE, "S"),
        (AssetKind.CELL, "S-A"),
    ],
)
def test_create_asset_refuses_wrong_level(
    db_session: Session, kind: AssetKind, parent: str | None
) -> None:
    _site_with_line(db_session)
    with pytest.raises(InvalidInput) as info:
        create_asset(db_session, actor_id=None, kind=kind, code="X", name="X", parent_code=parent)
    assert info.value.errors[0].code == "wrong_parent_kind"


def test_create_asset_refuses_duplicate_code_and_sibling_name(db_session: Session) -> None:
    _site_with_line(db_session)
    with pytest.raises(Conflict, match="code S-A-L"):
        create_asset(
            db_session,
            actor_id=None,
            kind=AssetKind.LINE,
            code="S-A-L",
            name="Other",
            parent_code="S-A",
        )
    with pytest.raises(Conflict, match="named Line"):
        create_asset(
            db_session,
            actor_id=None,
            kind=AssetKind.LINE,
            code="S-A-L2",
            name="Line",
            parent_code="S-A",
        )


def test_create_asset_requires_code_and_name(db_session: Session) -> None:
    with pytest.raises(InvalidInput) as info:
        create_asset(db_session, actor_id=None, kind=AssetKind.SITE, code=" ", name="")
    assert [e.pointer for e in info.value.errors] == ["/code", "/name"]


def test_find_asset_unknown_code(db_session: Session) -> None:
    with pytest.raises(NotFound):
        find_asset(db_session, "NOPE")


def test_database_refuses_a_rootless_area(db_session: Session) -> None:
    db_session.add(Asset(kind="area", code="ORPHAN", name="Orphan", parent_id=None))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_machine_qr_code_links_to_start_audit(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    _site_with_line(db_session)
    create_asset(
        db_session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code="S-M1",
        name="Press A",
        parent_code="S-A-L",
    )
    db_session.commit()
    login(client, make_user().email)
    response = client.get("/plant/assets/S-M1/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")
    assert "Start audit at Press A" in response.get_data(as_text=True)
    page = client.get("/plant/assets").get_data(as_text=True)
    assert "/audits/start?asset=S-M1" in page
    assert client.get("/plant/assets/NOPE/qr.svg").status_code == 404
