"""Audit services: start, autosave, evidence, idempotent submit, and reading audits back.

Services flush but never commit; views decide permissions (``may_view_all``) and commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from accounts.models import User
from audits.evidence import EvidenceStore, check_image
from audits.models import Audit, Evidence
from audits.submission import add_draft, parse_uuid
from canonical import canonical_json
from errors import Conflict, FieldError, InvalidInput, NotFound
from forms.models import ChecklistVersion
from forms.services import get_version
from plant.models import Asset
from plant.services import find_asset
from trail import record_event

log = logging.getLogger("gemba.audits")
#: Most audits one list shows (pages and API); filters narrow it down.
LIST_LIMIT = 200

SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Filters of the audit list; None means "any"."""

    checklist_id: int | None = None
    asset_id: int | None = None
    auditor_id: int | None = None
    result: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def start_or_resume_audit(
    session: Session, *, user: User, version_id: int, asset_code: str, client_uuid: str
) -> tuple[Audit, bool]:
    """Start a draft, or return the caller's existing draft with this UUID.

    Returns the audit and whether this call created it (parallel identical starts: one does).

    Raises:
        NotFound: unknown version or asset.
        InvalidInput: malformed UUID.
        Conflict: the UUID belongs to another audit, or the audit is already submitted.
    """
    version = get_version(session, version_id)
    asset = find_asset(session, asset_code)
    key = parse_uuid(client_uuid)
    existing = session.scalar(select(Audit).where(Audit.client_uuid == key))
    if existing is None:
        try:
            with session.begin_nested():
                audit = add_draft(
                    session,
                    key=key,
                    version_id=version.id,
                    version_hash=version.content_hash,
                    checklist_id=version.checklist_id,
                    asset_id=asset.id,
                    auditor_id=user.id,
                )
        except IntegrityError:  # a parallel request inserted the same UUID first
            existing = session.scalar(
                select(Audit).where(Audit.client_uuid == key).with_for_update()
            )
            if existing is None:
                raise
        else:
            record_event(
                session,
                actor_id=user.id,
                action="audit.started",
                entity_type="audit",
                entity_id=audit.client_uuid,
                new={"version_id": version.id, "asset": asset.code},
            )
            return audit, True
    if existing.is_submitted:
        raise Conflict("This audit is already submitted; start a new one.")
    if (existing.auditor_id, existing.version_id, existing.asset_id) != (
        user.id,
        version.id,
        asset.id,
    ):
        raise Conflict("This audit id is already used for another audit.")
    return existing, False


def start_audit(
    session: Session,
    *,
    user: User,
    version_id: int,
    asset_code: str,
    client_uuid: str | None = None,
) -> Audit:
    """Create a draft audit of a version at an asset (idempotent per ``client_uuid``).

    Raises:
        as ``start_or_resume_audit``.
    """
    audit, _created = start_or_resume_audit(
        session,
        user=user,
        version_id=version_id,
        asset_code=asset_code,
        client_uuid=client_uuid or str(uuid.uuid4()),
    )
    return audit


def find_audit(session: Session, client_uuid: str, *, viewer: User, may_view_all: bool) -> Audit:
    """The audit with this UUID, if the viewer may see it.

    Raises:
        NotFound: no such audit, or it is someone else's and the viewer may not see all audits.
    """
    audit = session.scalar(
        select(Audit)
        .options(joinedload(Audit.version), joinedload(Audit.asset))
        .where(Audit.client_uuid == parse_uuid(client_uuid, "/audit"))
    )
    if audit is None or (audit.auditor_id != viewer.id and not may_view_all):
        raise NotFound("There is no such audit.")
    return audit


def _own_draft(session: Session, client_uuid: str, user: User) -> Audit:
    audit = find_audit(session, client_uuid, viewer=user, may_view_all=False)
    if audit.is_submitted:
        raise Conflict(
            "This audit is submitted and can no longer change.",
            [FieldError("/status", "immutable", "Submitted audits are immutable.")],
        )
    return audit


def save_draft(
    session: Session, *, user: User, client_uuid: str, answers: Any, revision: int | None
) -> Audit:
    """Autosave the answers of one's own draft. Invalid answers are kept as typed.

    Raises:
        NotFound: not one's own audit.
        Conflict: already submitted, or saved elsewhere since ``revision``.
        InvalidInput: ``answers`` is not an object or too large.
    """
    audit = _own_draft(session, client_uuid, user)
    if not isinstance(answers, dict):
        raise InvalidInput(
            "answers must be an object.",
            [FieldError("/answers", "wrong_type", "answers must be an object.")],
        )
    if revision is not None and revision != audit.draft_revision:
        raise Conflict(
            "This draft was saved on another device since. Reload to continue from there.",
            [FieldError("/revision", "stale_revision", "This draft was saved elsewhere since.")],
        )
    audit.answers = canonical_json(answers)
    audit.draft_revision += 1
    session.flush()
    return audit


def store_evidence(
    session: Session, *, user: User, client_uuid: str, kind: str, data: bytes, store: EvidenceStore
) -> Evidence:
    """Check and keep a photo or signature for one's own draft (idempotent by sha256).

    Raises:
        NotFound: not one's own audit.
        Conflict: the audit is submitted.
        InvalidInput: unknown kind, or the file is not an acceptable image.
    """
    if kind not in ("photo", "signature"):
        raise InvalidInput(
            "kind must be photo or signature.",
            [FieldError("/kind", "invalid_kind", "kind must be photo or signature.")],
        )
    audit = _own_draft(session, client_uuid, user)
    image = check_image(data)
    existing = session.scalar(
        select(Evidence).where(Evidence.audit_id == audit.id, Evidence.sha256 == image.sha256)
    )
    store.put(image)  # before the row: a row never points at a missing file
    if existing is not None:
        return existing
    evidence = Evidence(
        audit_id=audit.id,
        sha256=image.sha256,
        kind=kind,
        media_type=image.media_type,
        size_bytes=len(image.data),
        width=image.width,
        height=image.height,
        uploaded_by_id=user.id,
    )
    session.add(evidence)
    session.flush()
    return evidence


def _filtered(query: SelectT, filters: AuditFilters) -> SelectT:
    conditions = [
        (filters.checklist_id, Audit.checklist_id),
        (filters.asset_id, Audit.asset_id),
        (filters.auditor_id, Audit.auditor_id),
        (filters.result, Audit.result),
        (filters.status, Audit.status),
    ]
    for value, column in conditions:
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(func.coalesce(Audit.submitted_at, Audit.started_at) >= filters.since)
    if filters.until is not None:
        query = query.where(func.coalesce(Audit.submitted_at, Audit.started_at) < filters.until)
    return query


def list_audits(
    session: Session,
    *,
    viewer: User,
    may_view_all: bool,
    filters: AuditFilters,
    limit: int = LIST_LIMIT,
) -> list[tuple[Audit, ChecklistVersion, Asset, User]]:
    """Audits matching ``filters`` (only one's own without ``may_view_all``), newest first."""
    query = (
        select(Audit, ChecklistVersion, Asset, User)
        .join(ChecklistVersion, Audit.version_id == ChecklistVersion.id)
        .join(Asset, Audit.asset_id == Asset.id)
        .join(User, Audit.auditor_id == User.id)
    )
    if not may_view_all:
        query = query.where(Audit.auditor_id == viewer.id)
    query = _filtered(query, filters).order_by(
        func.coalesce(Audit.submitted_at, Audit.started_at).desc(), Audit.id.desc()
    )
    return [tuple(row) for row in session.execute(query.limit(limit))]  # type: ignore[misc]


def count_audits_for_version(session: Session, version_id: int) -> int:
    """How many audits (drafts included) pin this version."""
    return (
        session.scalar(
            select(func.count()).select_from(Audit).where(Audit.version_id == version_id)
        )
        or 0
    )


def evidence_file(
    session: Session, audit: Audit, sha256: str, store: EvidenceStore
) -> tuple[Evidence, bytes]:
    """One evidence file of an audit the caller may see.

    Raises:
        NotFound: not an evidence file of this audit.
    """
    evidence = session.scalar(
        select(Evidence).where(Evidence.audit_id == audit.id, Evidence.sha256 == sha256)
    )
    if evidence is None:
        raise NotFound("No such file in this audit.")
    try:
        return evidence, store.read(sha256)
    except FileNotFoundError as exc:
        log.error("evidence file %s of audit %s is missing from storage", sha256, audit.client_uuid)
        message = "This file is missing from storage; the administrator has been told."
        raise NotFound(message) from exc
