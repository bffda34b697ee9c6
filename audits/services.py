"""Audit services: start, autosave, evidence, idempotent submit, and reading audits back.

Services flush but never commit; views decide permissions (``may_view_all``) and commit.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from accounts.models import User
from audits.evidence import EvidenceStore, check_image
from audits.models import Audit, AuditAnswer, Evidence
from canonical import canonical_json, content_hash
from errors import Conflict, FieldError, InvalidInput, NotFound
from extensions import utcnow
from forms.engine import Evaluation, ItemResult
from forms.models import ChecklistVersion
from forms.services import compiled, get_version
from forms.validation import validate_submission
from plant.models import Asset
from plant.services import find_asset
from trail import record_event

log = logging.getLogger("gemba.audits")
#: Most audits one list shows (pages and API); filters narrow it down.
LIST_LIMIT = 200

SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """The submitted audit; ``replayed`` when an identical earlier submit is returned again."""

    audit: Audit
    replayed: bool


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


def _uuid(value: str, pointer: str = "/client_uuid") -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidInput(
            "Not a UUID.",
            [FieldError(pointer, "invalid_uuid", "Send a UUID, e.g. from crypto.randomUUID().")],
        ) from exc


def start_or_resume_audit(
    session: Session, *, user: User, version_id: int, asset_code: str, client_uuid: str
) -> tuple[Audit, bool]:
    """Start a draft, or return the caller's existing draft with this UUID.

    Returns the audit and whether it was created now.

    Raises:
        as ``start_audit``.
    """
    key = _uuid(client_uuid)
    existed = session.scalar(select(Audit.id).where(Audit.client_uuid == key)) is not None
    audit = start_audit(
        session, user=user, version_id=version_id, asset_code=asset_code, client_uuid=key
    )
    return audit, not existed


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
        NotFound: unknown version or asset.
        InvalidInput: malformed UUID.
        Conflict: the UUID belongs to another user's or another version's audit.
    """
    version = get_version(session, version_id)
    asset = find_asset(session, asset_code)
    key = _uuid(client_uuid) if client_uuid else str(uuid.uuid4())
    existing = session.scalar(select(Audit).where(Audit.client_uuid == key))
    if existing is not None and existing.is_submitted:
        raise Conflict("This audit is already submitted; start a new one.")
    if existing is not None:
        if (
            existing.auditor_id != user.id
            or existing.version_id != version.id
            or existing.asset_id != asset.id
        ):
            raise Conflict("This audit id is already used for another audit.")
        return existing
    audit = _add_draft(
        session,
        key=key,
        version_id=version.id,
        version_hash=version.content_hash,
        checklist_id=version.checklist_id,
        asset_id=asset.id,
        auditor_id=user.id,
    )
    record_event(
        session,
        actor_id=user.id,
        action="audit.started",
        entity_type="audit",
        entity_id=audit.client_uuid,
        new={"version_id": version.id, "asset": asset.code},
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
        .where(Audit.client_uuid == _uuid(client_uuid, "/audit"))
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


def referenced_evidence(answers: Mapping[str, Any], evaluation: Evaluation) -> dict[str, str]:
    """sha256 → JSON pointer of every file the answers refer to (photos, signatures)."""
    found: dict[str, str] = {}
    for result in evaluation.results:
        pointer = (
            "/answers/" + result.path.replace("/", "/value/", 1)
            if result.repeat_key
            else f"/answers/{result.path}"
        )
        if result.item.type_name == "photo" and isinstance(result.value, list):
            for digest in result.value:
                found.setdefault(digest, f"{pointer}/value")
        if result.item.type_name == "signature" and isinstance(result.value, str):
            found.setdefault(result.value, f"{pointer}/value")
        for digest in result.photos:
            found.setdefault(digest, f"{pointer}/photos")
    return found


@dataclass(frozen=True, slots=True)
class PreparedSubmission:
    """A submission checked against its version, ready to be written (plain data, no ORM)."""

    client_uuid: str
    auditor_id: int
    version_id: int
    version_hash: str
    checklist_id: int
    asset_id: int
    answers: Any
    digest: str
    evaluation: Evaluation
    #: Already submitted with identical content: nothing to write.
    replay: bool


def prepare_submission(
    session: Session,
    *,
    user: User,
    client_uuid: str,
    answers: Any,
    version_id: int | None = None,
    asset_code: str | None = None,
    machine: Mapping[str, Any] | None = None,
) -> PreparedSubmission:
    """Read what a submission needs and validate it, writing nothing.

    Split from ``record_submission`` so the expensive checks run before the write lock is
    taken (SQLite serialises writers).

    Raises:
        InvalidInput: per-item errors (wrong types, required answers, missing comment/photo/
            reaction on failed items, files not uploaded) or a malformed UUID.
        Conflict: already submitted with other content, or started on another version.
        NotFound: unknown audit, version or asset; someone else's audit.
    """
    key = _uuid(client_uuid)
    audit = session.scalar(select(Audit).where(Audit.client_uuid == key))
    if audit is None:
        if version_id is None or asset_code is None:
            raise NotFound(
                "There is no draft with this id; send version_id and asset_code to submit directly."
            )
        version = get_version(session, version_id)
        asset_id = find_asset(session, asset_code).id
    else:
        if audit.auditor_id != user.id:
            raise NotFound("There is no such audit.")
        if version_id is not None and version_id != audit.version_id:
            raise Conflict("This audit was started on another checklist version.")
        if asset_code is not None and asset_code != audit.asset.code:
            raise Conflict(
                f"This audit was started at {audit.asset.code}, not {asset_code}.",
                [FieldError("/asset_code", "other_asset", "The audit belongs to another machine.")],
            )
        version = audit.version
        asset_id = audit.asset_id
    digest = content_hash({"version_id": version.id, "asset_id": asset_id, "answers": answers})
    if audit is not None and audit.is_submitted and audit.submission_hash != digest:
        raise Conflict(
            "This audit was already submitted with different answers.",
            [FieldError("/answers", "already_submitted", "A submitted audit never changes.")],
        )
    problems, evaluation = validate_submission(compiled(version), answers, machine)
    if evaluation is not None and not problems and audit is not None:
        problems = _missing_files(session, audit, answers, evaluation)
    elif evaluation is not None and not problems:
        problems = _missing_files_for_new_audit(answers, evaluation)
    if problems or evaluation is None:
        raise InvalidInput(f"{len(problems)} answer(s) need attention.", problems)
    return PreparedSubmission(
        client_uuid=key,
        auditor_id=user.id,
        version_id=version.id,
        version_hash=version.content_hash,
        checklist_id=version.checklist_id,
        asset_id=asset_id,
        answers=answers,
        digest=digest,
        evaluation=evaluation,
        replay=audit is not None and audit.is_submitted,
    )


def record_submission(session: Session, prepared: PreparedSubmission) -> SubmitOutcome:
    """Write a prepared submission exactly once per UUID (re-checks what changed meanwhile).

    Raises:
        Conflict: a parallel request submitted other content for the same UUID first.
    """
    # FOR UPDATE: a parallel submit of the same draft waits here and then sees it submitted
    # (PostgreSQL); SQLite already serialises writers.
    locked = (
        select(Audit)
        .where(Audit.client_uuid == prepared.client_uuid)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    audit = session.scalar(locked)
    if audit is None:
        audit = _insert_draft(session, prepared)
    if audit.is_submitted:
        if audit.submission_hash == prepared.digest:
            return SubmitOutcome(audit, replayed=True)
        raise Conflict(
            "This audit was already submitted with different answers.",
            [FieldError("/answers", "already_submitted", "A submitted audit never changes.")],
        )
    _record_submission(session, audit, prepared.answers, prepared.evaluation, prepared.digest)
    record_event(
        session,
        actor_id=prepared.auditor_id,
        action="audit.submitted",
        entity_type="audit",
        entity_id=audit.client_uuid,
        new={"result": audit.result, "score": audit.score, "submission_hash": prepared.digest},
    )
    return SubmitOutcome(audit, replayed=False)


def submit_audit(
    session: Session,
    *,
    user: User,
    client_uuid: str,
    answers: Any,
    version_id: int | None = None,
    asset_code: str | None = None,
    machine: Mapping[str, Any] | None = None,
) -> SubmitOutcome:
    """Validate and submit an audit in one transaction, exactly once per ``client_uuid``.

    Without a draft for ``client_uuid``, ``version_id`` and ``asset_code`` create one. An
    identical resend returns the already submitted audit (``replayed``); a different one is a
    conflict. Answers are stored as canonical JSON and as one ``audit_answers`` row per item.

    Raises:
        InvalidInput, Conflict, NotFound: as ``prepare_submission`` and ``record_submission``.
    """
    prepared = prepare_submission(
        session,
        user=user,
        client_uuid=client_uuid,
        answers=answers,
        version_id=version_id,
        asset_code=asset_code,
        machine=machine,
    )
    return record_submission(session, prepared)


def _add_draft(
    session: Session,
    *,
    key: str,
    version_id: int,
    version_hash: str,
    checklist_id: int,
    asset_id: int,
    auditor_id: int,
) -> Audit:
    """Insert an empty draft audit pinned to a version."""
    audit = Audit(
        client_uuid=key,
        version_id=version_id,
        version_hash=version_hash,
        checklist_id=checklist_id,
        asset_id=asset_id,
        auditor_id=auditor_id,
        status="draft",
        started_at=utcnow(),
        answers="{}",
        draft_revision=1,
    )
    session.add(audit)
    session.flush()
    return audit


def _insert_draft(session: Session, prepared: PreparedSubmission) -> Audit:
    """Create the audit row; if a parallel request created it first, use theirs."""
    try:
        with session.begin_nested():
            return _add_draft(
                session,
                key=prepared.client_uuid,
                version_id=prepared.version_id,
                version_hash=prepared.version_hash,
                checklist_id=prepared.checklist_id,
                asset_id=prepared.asset_id,
                auditor_id=prepared.auditor_id,
            )
    except IntegrityError:
        existing = session.scalar(select(Audit).where(Audit.client_uuid == prepared.client_uuid))
        if existing is None:
            raise
        return existing


def _missing_files_for_new_audit(answers: Any, evaluation: Evaluation) -> list[FieldError]:
    """A direct submit has no draft to have uploaded files to: every referenced file is missing."""
    return [
        FieldError(pointer, "file_missing", "Start a draft, upload this file, then submit.")
        for _digest, pointer in sorted(
            referenced_evidence(answers, evaluation).items(), key=lambda kv: kv[1]
        )
    ]


def _missing_files(
    session: Session, audit: Audit, answers: Any, evaluation: Evaluation
) -> list[FieldError]:
    wanted = referenced_evidence(answers, evaluation)
    if not wanted:
        return []
    present = set(
        session.scalars(
            select(Evidence.sha256).where(
                Evidence.audit_id == audit.id, Evidence.sha256.in_(wanted)
            )
        )
    )
    return [
        FieldError(
            pointer,
            "file_missing",
            "This file has not been uploaded yet; upload it and submit again.",
        )
        for digest, pointer in sorted(wanted.items(), key=lambda kv: kv[1])
        if digest not in present
    ]


def _record_submission(
    session: Session, audit: Audit, answers: Any, evaluation: Evaluation, digest: str
) -> None:
    # Answers first: the database refuses new answer rows once the audit is submitted.
    rows = [
        _answer_row(audit.id, position, result)
        for position, result in enumerate(evaluation.results)
    ]
    if rows:
        # Core executemany: the rows are never read back in this request.
        session.execute(insert(cast(Table, AuditAnswer.__table__)), rows)
    now = utcnow()
    audit.answers = canonical_json(answers)
    audit.status = "submitted"
    audit.submitted_at = now
    audit.duration_seconds = max(0, int((now - audit.started_at).total_seconds()))
    audit.score = evaluation.score
    audit.result = evaluation.result
    audit.submission_hash = digest
    session.flush()


def _answer_row(audit_id: int, position: int, result: ItemResult) -> dict[str, Any]:
    value = result.value
    number = (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    )
    if value is None or number is not None:
        text = None
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    reaction = result.reaction or {}
    return {
        "audit_id": audit_id,
        "position": position,
        "path": result.path,
        "item_key": result.item.key,
        "repeat_key": result.repeat_key,
        "row_index": result.row_index,
        "item_type": result.item.type_name,
        "outcome": result.outcome.value,
        "value_number": number,
        "value_text": text,
        "points": result.points,
        "max_points": result.max_points,
        "comment": result.comment,
        "reaction_kind": reaction.get("kind"),
        "reaction_note": reaction.get("note"),
    }


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
    )


def _stored_value(row: AuditAnswer) -> Any:
    if row.value_number is not None:
        return row.value_number
    return row.value_text
