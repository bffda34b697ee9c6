"""Plant tables: the asset tree."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Base, utcnow


class AssetKind(StrEnum):
    """ISA-95 equipment levels Gemba uses."""

    SITE = "site"
    AREA = "area"
    LINE = "line"
    CELL = "cell"
    MACHINE = "machine"


#: Which kinds may sit directly below which (a machine may stand in a line or in a cell).
ALLOWED_PARENTS: dict[AssetKind, frozenset[AssetKind]] = {
    AssetKind.SITE: frozenset(),
    AssetKind.AREA: frozenset({AssetKind.SITE}),
    AssetKind.LINE: frozenset({AssetKind.AREA}),
    AssetKind.CELL: frozenset({AssetKind.LINE}),
    AssetKind.MACHINE: frozenset({AssetKind.LINE, AssetKind.CELL}),
}

_KIND_VALUES = ", ".join(f"'{k.value}'" for k in AssetKind)


class Asset(Base):
    """One node of the asset tree. ``code`` is unique plant-wide and used in links and QR codes."""

    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KIND_VALUES})", name="kind_known"),
        CheckConstraint("(kind = 'site') = (parent_id IS NULL)", name="only_sites_are_roots"),
        CheckConstraint("length(code) > 0 AND length(name) > 0", name="code_and_name_present"),
        UniqueConstraint("parent_id", "name", name="uq_assets_parent_name"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Enclosing asset; null only for sites.
    # Deferred so a whole subtree can be removed in one statement (and DROP TABLE on SQLite).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", deferrable=True, initially="DEFERRED"), index=True
    )
    #: One of ``AssetKind``.
    kind: Mapped[str] = mapped_column(String(10), index=True)
    #: Short stable identifier, e.g. ``ULM-ST-PL1-P4``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Display name, unique among siblings.
    name: Mapped[str] = mapped_column(String(120))
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Asset | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Asset]] = relationship(back_populates="parent", order_by="Asset.name")

    @property
    def kind_enum(self) -> AssetKind:
        """The kind as an enum member."""
        return AssetKind(self.kind)


DATATYPES = ("float", "int", "bool", "string")
_DATATYPE_VALUES = ", ".join(f"'{d}'" for d in DATATYPES)
SOURCE_KINDS = ("simulator", "opcua", "mqtt", "sparkplug", "modbus")
_SOURCE_KIND_VALUES = ", ".join(f"'{k}'" for k in SOURCE_KINDS)
QUALITIES = ("good", "uncertain", "bad")
_QUALITY_VALUES = ", ".join(f"'{q}'" for q in QUALITIES)


class MachineType(Base):
    """A kind of machine (e.g. hydraulic press) whose roles checklists refer to."""

    __tablename__ = "machine_types"
    __table_args__ = (
        CheckConstraint("length(key) > 0 AND length(name) > 0", name="key_and_name_present"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable identifier, e.g. ``hydraulic-press``.
    key: Mapped[str] = mapped_column(String(63), unique=True)
    #: Display name.
    name: Mapped[str] = mapped_column(String(120))


class MachineRole(Base):
    """A named data point every machine of a type has (``oven_temp``, ``good_count``)."""

    __tablename__ = "machine_roles"
    __table_args__ = (
        UniqueConstraint("machine_type_id", "role", name="uq_machine_roles_type_role"),
        CheckConstraint(f"datatype IN ({_DATATYPE_VALUES})", name="datatype_known"),
        CheckConstraint("length(role) > 0", name="role_present"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The machine type.
    machine_type_id: Mapped[int] = mapped_column(
        ForeignKey("machine_types.id", ondelete="RESTRICT"), index=True
    )
    #: Role key used in checklists (``tag.role``) and expressions (``machine.<role>``).
    role: Mapped[str] = mapped_column(String(63))
    #: Display name.
    name: Mapped[str] = mapped_column(String(120))
    #: float | int | bool | string.
    datatype: Mapped[str] = mapped_column(String(10))
    #: Engineering unit, e.g. ``°C``.
    unit: Mapped[str] = mapped_column(String(20), default="")


class AssetMachineType(Base):
    """Which machine type an asset is (only machines and cells have one)."""

    __tablename__ = "asset_machine_types"

    #: The asset.
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    #: Its machine type.
    machine_type_id: Mapped[int] = mapped_column(
        ForeignKey("machine_types.id", ondelete="RESTRICT"), index=True
    )


class TagSource(Base):
    """Where tag values come from: a simulator, an OPC UA server, an MQTT broker, a PLC."""

    __tablename__ = "tag_sources"
    __table_args__ = (CheckConstraint(f"kind IN ({_SOURCE_KIND_VALUES})", name="kind_known"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable identifier, e.g. ``press-line-plc``.
    key: Mapped[str] = mapped_column(String(63), unique=True)
    #: Display name.
    name: Mapped[str] = mapped_column(String(120))
    #: simulator | opcua | mqtt | sparkplug | modbus.
    kind: Mapped[str] = mapped_column(String(12))
    #: Connection settings as JSON (endpoint, topics, poll interval; never passwords in clear).
    settings: Mapped[str] = mapped_column(Text, default="{}")
    #: Disabled sources are not collected.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class TagBinding(Base):
    """Version ``version`` of the mapping of an asset's role to a source address.

    Bindings are never edited: a change adds a new version and deactivates the old one, so an
    audit's snapshot can name exactly which mapping produced its values.
    """

    __tablename__ = "tag_bindings"
    __table_args__ = (
        UniqueConstraint("asset_id", "role", "version", name="uq_tag_bindings_asset_role_version"),
        CheckConstraint(f"datatype IN ({_DATATYPE_VALUES})", name="datatype_known"),
        CheckConstraint("word_order IN ('big', 'little')", name="word_order_known"),
        CheckConstraint("max_age_seconds > 0", name="max_age_positive"),
        CheckConstraint("version > 0", name="version_positive"),
        Index("ix_tag_bindings_active", "asset_id", "active"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The machine.
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    #: The role this binding provides.
    role: Mapped[str] = mapped_column(String(63))
    #: 1, 2, ... per asset and role.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The source.
    source_id: Mapped[int] = mapped_column(
        ForeignKey("tag_sources.id", ondelete="RESTRICT"), index=True
    )
    #: Address in the source: node id, topic + JSON pointer, register, simulator signal.
    address: Mapped[str] = mapped_column(String(500))
    #: float | int | bool | string.
    datatype: Mapped[str] = mapped_column(String(10))
    #: Engineering unit after scaling.
    unit: Mapped[str] = mapped_column(String(20), default="")
    #: Scaling: value = raw * gain + offset (numbers only).
    gain: Mapped[float] = mapped_column(Float, default=1.0)
    #: Scaling offset.
    offset: Mapped[float] = mapped_column(Float, default=0.0)
    #: Modbus 32-bit word order.
    word_order: Mapped[str] = mapped_column(String(6), default="big")
    #: Older values count as stale.
    max_age_seconds: Mapped[int] = mapped_column(Integer, default=60)
    #: Only the newest version of a role is active.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[TagSource] = relationship()


class TagCurrent(Base):
    """The last value of a binding, written by the collector process a few times a second."""

    __tablename__ = "tag_current"
    __table_args__ = (CheckConstraint(f"quality IN ({_QUALITY_VALUES})", name="quality_known"),)

    #: The binding this value belongs to.
    binding_id: Mapped[int] = mapped_column(
        ForeignKey("tag_bindings.id", ondelete="CASCADE"), primary_key=True
    )
    #: Numeric (and boolean as 0/1) values.
    value_number: Mapped[float | None] = mapped_column(Float)
    #: Text values.
    value_text: Mapped[str | None] = mapped_column(Text)
    #: good | uncertain | bad.
    quality: Mapped[str] = mapped_column(String(10))
    #: Why the quality is not good (status code, timeout, parse error).
    quality_detail: Mapped[str | None] = mapped_column(String(200))
    #: When the machine measured the value (if the source says).
    source_time: Mapped[datetime | None]
    #: When the server/broker stamped it (if the source says).
    server_time: Mapped[datetime | None]
    #: When the collector received it.
    received_at: Mapped[datetime]


class SourceState(Base):
    """The collector's connection state per source, shown to integrators."""

    __tablename__ = "tag_source_states"
    __table_args__ = (
        CheckConstraint(
            "state IN ('connecting', 'connected', 'disconnected', 'error')", name="state_known"
        ),
    )

    #: The source.
    source_id: Mapped[int] = mapped_column(
        ForeignKey("tag_sources.id", ondelete="CASCADE"), primary_key=True
    )
    #: connecting | connected | disconnected | error.
    state: Mapped[str] = mapped_column(String(12))
    #: The last error or note.
    detail: Mapped[str | None] = mapped_column(String(500))
    #: When the state last changed or was confirmed.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
