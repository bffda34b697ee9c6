"""Tag services: machine types and roles, sources, versioned bindings, and reading live values.

Web workers only read ``tag_current``; the collector process (``plant.collector``) writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from errors import Conflict, FieldError, InvalidInput, NotFound
from extensions import utcnow
from plant.models import (
    DATATYPES,
    SOURCE_KINDS,
    Asset,
    AssetMachineType,
    MachineRole,
    MachineType,
    SourceState,
    TagBinding,
    TagCurrent,
    TagSource,
)
from plant.values import LiveValue, TagValue, typed_value
from trail import record_event


def create_machine_type(
    session: Session,
    *,
    actor_id: int | None,
    key: str,
    name: str,
    roles: Iterable[Mapping[str, str]],
) -> MachineType:
    """A machine type with its roles (``{"role", "name", "datatype", "unit"}``).

    Raises:
        InvalidInput: an unknown datatype or a role listed twice.
        Conflict: the key is taken.
    """
    if session.scalar(select(MachineType.id).where(MachineType.key == key)) is not None:
        raise Conflict(
            f"The machine type {key} already exists.", [FieldError("/key", "taken", "Key taken.")]
        )
    machine_type = MachineType(key=key, name=name)
    session.add(machine_type)
    session.flush()
    seen: set[str] = set()
    for index, role in enumerate(roles):
        if role["datatype"] not in DATATYPES or role["role"] in seen:
            message = (
                f"Role {role['role']!r}: roles are unique and datatypes one of "
                f"{', '.join(DATATYPES)}."
            )
            raise InvalidInput(message, [FieldError(f"/roles/{index}", "invalid_role", message)])
        seen.add(role["role"])
        session.add(
            MachineRole(
                machine_type_id=machine_type.id,
                role=role["role"],
                name=role.get("name", role["role"]),
                datatype=role["datatype"],
                unit=role.get("unit", ""),
            )
        )
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="machine_type.created",
        entity_type="machine_type",
        entity_id=machine_type.id,
        new={"key": key, "roles": sorted(seen)},
    )
    return machine_type


def assign_machine_type(
    session: Session, *, actor_id: int | None, asset: Asset, machine_type: MachineType
) -> None:
    """Declare what kind of machine ``asset`` is."""
    row = session.get(AssetMachineType, asset.id)
    if row is None:
        session.add(AssetMachineType(asset_id=asset.id, machine_type_id=machine_type.id))
    else:
        row.machine_type_id = machine_type.id
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="asset.machine_type_set",
        entity_type="asset",
        entity_id=asset.id,
        new={"machine_type": machine_type.key},
    )


def create_source(
    session: Session,
    *,
    actor_id: int | None,
    key: str,
    name: str,
    kind: str,
    settings: Mapping[str, Any],
) -> TagSource:
    """Register a tag source.

    Raises:
        InvalidInput: unknown kind.
        Conflict: the key is taken.
    """
    if kind not in SOURCE_KINDS:
        message = f"kind must be one of {', '.join(SOURCE_KINDS)}."
        raise InvalidInput(message, [FieldError("/kind", "unknown_kind", message)])
    if session.scalar(select(TagSource.id).where(TagSource.key == key)) is not None:
        raise Conflict(
            f"The source {key} already exists.", [FieldError("/key", "taken", "Key taken.")]
        )
    source = TagSource(
        key=key, name=name, kind=kind, settings=json.dumps(dict(settings)), enabled=True
    )
    session.add(source)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="tag_source.created",
        entity_type="tag_source",
        entity_id=source.id,
        new={"key": key, "kind": kind},
    )
    return source


def bind(
    session: Session,
    *,
    actor_id: int | None,
    asset: Asset,
    role: str,
    source: TagSource,
    address: str,
    max_age_seconds: int = 60,
    gain: float = 1.0,
    offset: float = 0.0,
    word_order: str = "big",
) -> TagBinding:
    """Bind an asset's role to a source address: a new version; the previous one is retired.

    Raises:
        InvalidInput: the asset has no machine type with this role, or a bad address/age.
    """
    machine_role = session.scalar(
        select(MachineRole)
        .join(AssetMachineType, AssetMachineType.machine_type_id == MachineRole.machine_type_id)
        .where(AssetMachineType.asset_id == asset.id, MachineRole.role == role)
    )
    if machine_role is None:
        message = f"{asset.code} has no role {role!r} (set its machine type first)."
        raise InvalidInput(message, [FieldError("/role", "unknown_role", message)])
    if not address.strip() or max_age_seconds <= 0:
        message = "Give an address and a positive maximum age."
        raise InvalidInput(message, [FieldError("/address", "invalid_binding", message)])
    previous = session.scalar(
        select(TagBinding)
        .where(TagBinding.asset_id == asset.id, TagBinding.role == role)
        .order_by(TagBinding.version.desc())
        .limit(1)
    )
    session.execute(
        update(TagBinding)
        .where(TagBinding.asset_id == asset.id, TagBinding.role == role)
        .values(active=False)
    )
    binding = TagBinding(
        asset_id=asset.id,
        role=role,
        version=(previous.version + 1) if previous else 1,
        source_id=source.id,
        address=address.strip(),
        datatype=machine_role.datatype,
        unit=machine_role.unit,
        gain=gain,
        offset=offset,
        word_order=word_order,
        max_age_seconds=max_age_seconds,
        active=True,
    )
    session.add(binding)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="tag_binding.created",
        entity_type="tag_binding",
        entity_id=binding.id,
        new={
            "asset": asset.code,
            "role": role,
            "version": binding.version,
            "address": binding.address,
        },
    )
    return binding


def live_values(
    session: Session, asset_id: int, *, now: datetime | None = None
) -> dict[str, LiveValue]:
    """Every active binding of an asset with its last value (bad when none arrived yet)."""
    moment = now or utcnow()
    # Plain columns, not ORM entities: this runs on every submission (the snapshot).
    rows = session.execute(
        select(
            TagBinding.role,
            TagBinding.id,
            TagBinding.version,
            TagBinding.address,
            TagBinding.datatype,
            TagBinding.unit,
            TagBinding.max_age_seconds,
            TagCurrent.value_number,
            TagCurrent.value_text,
            TagCurrent.quality,
            TagCurrent.quality_detail,
            TagCurrent.source_time,
            TagCurrent.received_at,
        )
        .outerjoin(TagCurrent, TagCurrent.binding_id == TagBinding.id)
        .where(TagBinding.asset_id == asset_id, TagBinding.active)
        .order_by(TagBinding.role)
    ).all()
    values: dict[str, LiveValue] = {}
    for (role, binding_id, version, address, datatype, unit, max_age,
         number, text, quality, detail, source_time, received_at) in rows:  # fmt: skip
        if quality is None:
            values[role] = LiveValue(
                role, binding_id, version, address, datatype, None, unit, "bad",
                "no value received yet (is the collector running?)", None, None, None, True,
            )  # fmt: skip
            continue
        age = max(0.0, (moment - received_at).total_seconds())
        values[role] = LiveValue(
            role=role,
            binding_id=binding_id,
            binding_version=version,
            address=address,
            datatype=datatype,
            value=typed_value(datatype, number, text),
            unit=unit,
            quality=quality,
            detail=detail,
            source_time=source_time,
            received_at=received_at,
            age_seconds=round(age, 3),
            stale=age > max_age,
        )
    return values


def machine_context(values: Mapping[str, LiveValue]) -> dict[str, Any]:
    """``machine.<role>`` for the logic engine: usable values only, the rest are absent."""
    return {role: value.value for role, value in values.items() if value.usable}


def store_values(session: Session, values: Mapping[int, TagValue]) -> None:
    """Upsert the last value of each binding id (the collector's flush)."""
    if not values:
        return
    rows = [{"binding_id": binding_id, **value.columns()} for binding_id, value in values.items()]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TagCurrent)
    columns = {name: statement.excluded[name] for name in rows[0] if name != "binding_id"}
    session.execute(
        statement.on_conflict_do_update(index_elements=["binding_id"], set_=columns), rows
    )


def set_source_state(
    session: Session, source_id: int, state: str, detail: str | None = None
) -> None:
    """Record the collector's connection state for a source."""
    row = session.get(SourceState, source_id)
    if row is None:
        session.add(
            SourceState(source_id=source_id, state=state, detail=detail, updated_at=utcnow())
        )
    else:
        row.state, row.detail, row.updated_at = state, detail, utcnow()
    session.flush()


def plant_overview(
    session: Session, *, now: datetime | None = None
) -> tuple[list[tuple[Asset, list[LiveValue]]], list[tuple[TagSource, SourceState | None]]]:
    """Every asset with bindings and its live values, and every source with its state."""
    asset_ids = session.scalars(
        select(TagBinding.asset_id).where(TagBinding.active).distinct()
    ).all()
    assets = session.scalars(
        select(Asset).where(Asset.id.in_(asset_ids)).order_by(Asset.code)
    ).all()
    machines = [(asset, list(live_values(session, asset.id, now=now).values())) for asset in assets]
    sources = session.execute(
        select(TagSource, SourceState)
        .outerjoin(SourceState, SourceState.source_id == TagSource.id)
        .order_by(TagSource.key)
    ).all()
    return machines, [(source, state) for source, state in sources]


def find_source(session: Session, key: str) -> TagSource:
    """A source by key.

    Raises:
        NotFound: no such source.
    """
    source = session.scalar(select(TagSource).where(TagSource.key == key))
    if source is None:
        raise NotFound(f"There is no tag source {key}.")
    return source
