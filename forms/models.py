"""Checklist tables: the editable checklist with its draft, and immutable published versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Base, utcnow


class Checklist(Base):
    """A named, editable template. Its draft changes; its versions never do."""

    __tablename__ = "checklists"
    __table_args__ = (
        CheckConstraint("length(key) > 0 AND length(title) > 0", name="key_and_title_present"),
        CheckConstraint("draft_revision > 0", name="draft_revision_positive"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable identifier, e.g. ``press-startup``; unique.
    key: Mapped[str] = mapped_column(String(63), unique=True)
    #: Display title (default language) of the draft.
    title: Mapped[str] = mapped_column(String(500))
    #: The draft definition as JSON text (may be invalid while being edited).
    draft_document: Mapped[str] = mapped_column(Text)
    #: Bumped on every draft save; a save naming an older revision is a conflict.
    draft_revision: Mapped[int] = mapped_column(Integer, default=1)
    #: Who created the checklist.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last draft save.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )


class ChecklistVersion(Base):
    """A published definition: immutable, identified by number and sha256 content hash."""

    __tablename__ = "checklist_versions"
    __table_args__ = (
        UniqueConstraint("checklist_id", "number", name="uq_checklist_versions_number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("length(content_hash) = 64", name="content_hash_is_sha256"),
        CheckConstraint("item_count >= 0", name="item_count_not_negative"),
    )

    #: Surrogate key; audits pin it together with ``content_hash``.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The checklist this version belongs to.
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("checklists.id", ondelete="RESTRICT"), index=True
    )
    #: 1, 2, 3, ... per checklist.
    number: Mapped[int] = mapped_column(Integer)
    #: sha256 of the canonical JSON in ``document``.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: Canonical JSON of the definition.
    document: Mapped[str] = mapped_column(Text)
    #: Title at publication (default language).
    title: Mapped[str] = mapped_column(String(500))
    #: Number of items (repeat rows' children included) — shown in lists.
    item_count: Mapped[int] = mapped_column(Integer)
    #: Publication time.
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who published it.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    checklist: Mapped[Checklist] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        """e.g. ``Press start-up check v3``."""
        return f"{self.title} v{self.number}"


class ChecklistImage(Base):
    """A picture an engineer uploaded for a checklist's instructions, stored by sha256."""

    __tablename__ = "checklist_images"
    __table_args__ = (
        UniqueConstraint("checklist_id", "sha256", name="uq_checklist_images_sha256"),
        CheckConstraint(
            "media_type IN ('image/jpeg', 'image/png', 'image/webp')", name="media_type_allowed"
        ),
        CheckConstraint("size_bytes > 0 AND width > 0 AND height > 0", name="dimensions_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_is_hex"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The checklist whose definition may refer to it.
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("checklists.id", ondelete="RESTRICT"), index=True
    )
    #: sha256 of the bytes; instruction items refer to the image by it.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: Detected type.
    media_type: Mapped[str] = mapped_column(String(20))
    #: File size.
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: Pixel width.
    width: Mapped[int] = mapped_column(Integer)
    #: Pixel height.
    height: Mapped[int] = mapped_column(Integer)
    #: Upload time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who uploaded it.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
