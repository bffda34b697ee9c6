"""Pictures for checklist instructions: uploaded once, stored by sha256, checked at publish."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from errors import FieldError, NotFound
from forms.models import Checklist, ChecklistImage
from media import ContentStore, check_image
from trail import record_event


def add_image(
    session: Session, *, actor_id: int, checklist_id: int, data: bytes, store: ContentStore
) -> ChecklistImage:
    """Keep a picture for the checklist's instructions (idempotent by sha256).

    Raises:
        NotFound: no such checklist.
        InvalidInput / PayloadTooLarge: not an acceptable JPEG, PNG or WebP image.
    """
    checklist = session.get(Checklist, checklist_id)
    if checklist is None:
        raise NotFound(f"Checklist {checklist_id} does not exist.")
    image = check_image(data)
    existing = session.scalar(
        select(ChecklistImage).where(
            ChecklistImage.checklist_id == checklist.id, ChecklistImage.sha256 == image.sha256
        )
    )
    store.put(image)
    if existing is not None:
        return existing
    record = ChecklistImage(
        checklist_id=checklist.id,
        sha256=image.sha256,
        media_type=image.media_type,
        size_bytes=len(image.data),
        width=image.width,
        height=image.height,
        uploaded_by_id=actor_id,
    )
    try:
        with session.begin_nested():  # the same picture uploaded twice at once: keep one
            session.add(record)
            session.flush()
    except IntegrityError:
        same = session.scalar(
            select(ChecklistImage).where(
                ChecklistImage.checklist_id == checklist.id, ChecklistImage.sha256 == image.sha256
            )
        )
        if same is None:
            raise
        return same
    record_event(
        session,
        actor_id=actor_id,
        action="checklist.image_added",
        entity_type="checklist",
        entity_id=checklist.id,
        new={"sha256": image.sha256},
    )
    return record


def list_images(session: Session, checklist_id: int) -> list[ChecklistImage]:
    """The checklist's pictures, newest first."""
    return list(
        session.scalars(
            select(ChecklistImage)
            .where(ChecklistImage.checklist_id == checklist_id)
            .order_by(ChecklistImage.id.desc())
        )
    )


def find_image(session: Session, sha256: str) -> ChecklistImage:
    """A checklist picture by hash.

    Raises:
        NotFound: no checklist has such a picture.
    """
    image = session.scalar(select(ChecklistImage).where(ChecklistImage.sha256 == sha256).limit(1))
    if image is None:
        raise NotFound("No such image.")
    return image


def missing_images(
    session: Session, checklist_id: int, document: dict[str, Any]
) -> list[FieldError]:
    """Pointers to instruction pictures the definition uses that were not uploaded to it."""
    wanted: dict[str, str] = {}

    def visit(items: list[dict[str, Any]], pointer: str) -> None:
        for index, item in enumerate(items):
            if item.get("type") == "instruction" and item.get("image"):
                wanted.setdefault(item["image"], f"{pointer}/{index}/image")
            visit(item.get("items") or [], f"{pointer}/{index}/items")  # repeat rows

    for s_index, section in enumerate(document.get("sections", [])):
        visit(section.get("items", []), f"/sections/{s_index}/items")
    if not wanted:
        return []
    present = set(
        session.scalars(
            select(ChecklistImage.sha256).where(
                ChecklistImage.checklist_id == checklist_id, ChecklistImage.sha256.in_(wanted)
            )
        )
    )
    return [
        FieldError(pointer, "image_missing", "Upload this image to the checklist first.")
        for digest, pointer in wanted.items()
        if digest not in present
    ]
