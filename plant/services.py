"""Plant services: build and read the asset tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import Conflict, FieldError, InvalidInput, NotFound
from plant.models import ALLOWED_PARENTS, Asset, AssetKind
from trail import record_event


@dataclass(slots=True)
class AssetNode:
    """An asset with its children, for rendering the tree without lazy loads."""

    asset: Asset
    children: list[AssetNode] = field(default_factory=list)


def create_asset(
    session: Session,
    *,
    actor_id: int | None,
    kind: AssetKind,
    code: str,
    name: str,
    parent_code: str | None = None,
) -> Asset:
    """Add an asset below ``parent_code`` (none for a site).

    Raises:
        InvalidInput: empty code/name or a parent of the wrong kind.
        NotFound: the parent does not exist.
        Conflict: the code is taken or a sibling has the same name.
    """
    code, name = code.strip(), name.strip()
    problems = [
        FieldError(f"/{key}", "required", f"Enter a {key}.")
        for key, value in (("code", code), ("name", name))
        if not value
    ]
    if problems:
        raise InvalidInput(problems[0].message, problems)
    parent = None
    if parent_code is not None:
        parent = find_asset(session, parent_code)
    parent_kind = parent.kind_enum if parent else None
    allowed = ALLOWED_PARENTS[kind]
    if (parent_kind is None and allowed) or (
        parent_kind is not None and parent_kind not in allowed
    ):
        expected = " or ".join(sorted(allowed)) or "nothing (a site is a root)"
        message = f"A {kind.value} must stand below {expected}."
        raise InvalidInput(message, [FieldError("/parent_code", "wrong_parent_kind", message)])
    if session.scalar(select(Asset.id).where(Asset.code == code)) is not None:
        message = f"The code {code} is already used."
        raise Conflict(message, [FieldError("/code", "taken", message)])
    sibling = select(Asset.id).where(
        Asset.name == name,
        Asset.parent_id.is_(None) if parent is None else Asset.parent_id == parent.id,
    )
    if session.scalar(sibling) is not None:
        message = f"There is already an asset named {name} here."
        raise Conflict(message, [FieldError("/name", "taken", message)])
    asset = Asset(kind=kind.value, code=code, name=name, parent=parent)
    session.add(asset)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="asset.created",
        entity_type="asset",
        entity_id=asset.id,
        new={"kind": kind.value, "code": code, "name": name, "parent": parent_code},
    )
    return asset


def find_asset(session: Session, code: str) -> Asset:
    """The asset with ``code``.

    Raises:
        NotFound: no such asset.
    """
    asset = session.scalar(select(Asset).where(Asset.code == code))
    if asset is None:
        raise NotFound(f"There is no asset with the code {code}.")
    return asset


def assets_for_audits(session: Session) -> list[Asset]:
    """Lines, cells and machines (where audits take place), by code."""
    kinds = (AssetKind.MACHINE.value, AssetKind.CELL.value, AssetKind.LINE.value)
    return list(session.scalars(select(Asset).where(Asset.kind.in_(kinds)).order_by(Asset.code)))


def asset_tree(session: Session) -> list[AssetNode]:
    """Every site with its descendants, siblings ordered by name, from one query."""
    assets = list(session.scalars(select(Asset).order_by(Asset.name)))
    nodes = {a.id: AssetNode(a) for a in assets}
    roots: list[AssetNode] = []
    for asset in assets:
        node = nodes[asset.id]
        if asset.parent_id is None:
            roots.append(node)
        else:
            nodes[asset.parent_id].children.append(node)
    return roots
