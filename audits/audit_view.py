"""The readable view of an audit (pages now, PDF reports later): plain data, no ORM."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from audits.models import Audit, AuditAnswer
from forms.services import compiled
from plant.models import Asset


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One answered item as people read it (pages and reports)."""

    section: str
    label: str
    summary: str
    outcome: str
    comment: str | None
    reaction_kind: str | None
    reaction_note: str | None
    photos: tuple[str, ...]
    row_index: int | None
    item_type: str
    #: What the machine showed when the answer was prefilled, if it differs from the answer.
    machine_differs: str | None = None


@dataclass(frozen=True, slots=True)
class TagLine:
    """A machine value recorded with the audit."""

    role: str
    value: str
    quality: str
    detail: str | None
    stale: bool
    age_seconds: float | None
    address: str
    binding_version: int


@dataclass(frozen=True, slots=True)
class AuditView:
    """Plain data for the audit page (and later the PDF): never ORM objects in templates."""

    client_uuid: str
    status: str
    checklist_title: str
    version_number: int
    version_hash: str
    asset_name: str
    asset_code: str
    auditor_name: str
    started_at: datetime
    submitted_at: datetime | None
    duration_seconds: int | None
    score: float | None
    result: str | None
    lines: tuple[AnswerLine, ...]
    failed_count: int
    tags: tuple[TagLine, ...] = ()


def audit_view(session: Session, audit: Audit) -> AuditView:
    """Build the readable view of an audit from its version and normalised answers."""
    version = audit.version
    definition = compiled(version).definition
    asset = session.get(Asset, audit.asset_id)
    auditor = session.get(User, audit.auditor_id)
    assert asset is not None
    assert auditor is not None
    sections = {s.key: str(s.title) for s in definition.sections}
    raw = json.loads(audit.answers)
    lines = []
    for row in audit.answer_rows:
        item = definition.by_key.get(row.repeat_key or row.item_key)
        if item is None:
            continue
        if row.repeat_key:
            child = next((c for c in item.children if c.key == row.item_key), None)
            if child is None:
                continue
            envelope = ((raw.get(item.key) or {}).get("value") or [{}])[row.row_index or 0].get(
                child.key
            ) or {}
            label, target = f"{item.label} — {child.label}", child
        else:
            envelope = raw.get(item.key) or {}
            label, target = str(item.label), item
        value = envelope.get("value") if target.type_name != "computed" else _stored_value(row)
        photos = tuple(envelope.get("photos") or ())
        if target.type_name == "photo" and isinstance(value, list):
            photos = tuple(value) + photos
        if target.type_name == "signature" and isinstance(value, str):
            photos = (value, *photos)
        lines.append(
            AnswerLine(
                section=sections.get(item.section_key, ""),
                label=label,
                summary=target.item_type.summary(target, value),
                outcome=row.outcome,
                comment=row.comment,
                reaction_kind=row.reaction_kind,
                reaction_note=row.reaction_note,
                photos=photos,
                row_index=row.row_index,
                item_type=target.type_name,
                machine_differs=_machine_difference(target, envelope, value),
            )
        )
    return AuditView(
        client_uuid=audit.client_uuid,
        status=audit.status,
        checklist_title=version.title,
        version_number=version.number,
        version_hash=audit.version_hash,
        asset_name=asset.name,
        asset_code=asset.code,
        auditor_name=auditor.display_name,
        started_at=audit.started_at,
        submitted_at=audit.submitted_at,
        duration_seconds=audit.duration_seconds,
        score=audit.score,
        result=audit.result,
        lines=tuple(lines),
        failed_count=sum(1 for line in lines if line.outcome == "fail"),
        tags=tuple(
            TagLine(
                role=snapshot.role,
                value=_tag_text(snapshot.value_number, snapshot.value_text, snapshot.unit),
                quality=snapshot.quality,
                detail=snapshot.quality_detail,
                stale=snapshot.stale,
                age_seconds=snapshot.age_seconds,
                address=snapshot.address,
                binding_version=snapshot.binding_version,
            )
            for snapshot in audit.tag_snapshots
        ),
    )


def _machine_difference(item: Any, envelope: dict[str, Any], value: Any) -> str | None:
    shown = envelope.get("machine") if isinstance(envelope, dict) else None
    if not isinstance(shown, dict) or shown.get("value") is None or shown.get("value") == value:
        return None
    return str(item.item_type.summary(item, shown["value"]))


def _tag_text(number: float | None, text: str | None, unit: str) -> str:
    if number is None and text is None:
        return "—"
    shown = text if text is not None else f"{number:g}"
    return f"{shown} {unit}".strip()


def _stored_value(row: AuditAnswer) -> Any:
    if row.value_number is not None:
        return row.value_number
    return row.value_text
