"""Plant tables: the asset tree."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
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
