"""Submitting an audit: validate outside the write lock, then write exactly once per UUID.

``prepare_submission`` reads and validates (no writes); ``record_submission`` writes under the
lock and re-checks what may have changed meanwhile; ``submit_audit`` does both in one go.
Services flush but never commit.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from audits.models import Audit, AuditAnswer, AuditTagSnapshot, Evidence
from canonical import canonical_json, content_hash
from errors import Conflict, FieldError, InvalidInput, NotFound
from extensions import utcnow
from forms.engine import Evaluation, ItemResult
from forms.services import compiled, get_version
from forms.validation import validate_submission
from plant.services import find_asset
from plant.tags import live_values, machine_context
from plant.values import split_value
from trail import record_event


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """The submitted audit; ``replayed`` when an identical earlier submit is returned again."""

    audit: Audit
    replayed: bool


def parse_uuid(value: str, pointer: str = "/client_uuid") -> str:
    """The canonical form of a client UUID.

    Raises:
        InvalidInput: not a UUID.
    """
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidInput(
            "Not a UUID.",
            [FieldError(pointer, "invalid_uuid", "Send a UUID, e.g. from crypto.randomUUID().")],
        ) from exc


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
    key = parse_uuid(client_uuid)
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
        raise _submitted_with_other_answers()
    if machine is None and compiled(version).definition.uses_machine:
        machine = machine_context(live_values(session, asset_id))  # as the rules see them
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
    # Someone may have started an audit with this UUID between the two phases.
    owner = (audit.auditor_id, audit.version_id, audit.asset_id)
    if owner != (prepared.auditor_id, prepared.version_id, prepared.asset_id):
        raise Conflict("This audit id is already used for another audit.")
    if audit.is_submitted:
        if audit.submission_hash == prepared.digest:
            return SubmitOutcome(audit, replayed=True)
        raise _submitted_with_other_answers()
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


def add_draft(
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
            return add_draft(
                session,
                key=prepared.client_uuid,
                version_id=prepared.version_id,
                version_hash=prepared.version_hash,
                checklist_id=prepared.checklist_id,
                asset_id=prepared.asset_id,
                auditor_id=prepared.auditor_id,
            )
    except IntegrityError:
        existing = session.scalar(
            select(Audit).where(Audit.client_uuid == prepared.client_uuid).with_for_update()
        )
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
    _snapshot_tags(session, audit, now)
    audit.answers = canonical_json(answers)
    audit.status = "submitted"
    audit.submitted_at = now
    audit.duration_seconds = max(0, int((now - audit.started_at).total_seconds()))
    audit.score = evaluation.score
    audit.result = evaluation.result
    audit.submission_hash = digest
    session.flush()


def _submitted_with_other_answers() -> Conflict:
    return Conflict(
        "This audit was already submitted with different answers.",
        [FieldError("/answers", "already_submitted", "A submitted audit never changes.")],
    )


def _snapshot_tags(session: Session, audit: Audit, now: datetime) -> None:
    """Copy every bound machine value of the audit's asset, as it is now (bad/stale included).

    An OT outage never blocks a submission: missing values are recorded as bad.
    """
    rows = []
    for value in live_values(session, audit.asset_id, now=now).values():
        number, text = split_value(value.value)
        rows.append(
            {
                "audit_id": audit.id,
                "role": value.role,
                "binding_id": value.binding_id,
                "binding_version": value.binding_version,
                "address": value.address,
                "value_number": number,
                "value_text": text,
                "unit": value.unit,
                "quality": value.quality,
                "quality_detail": value.detail,
                "source_time": value.source_time,
                "received_at": value.received_at,
                "age_seconds": value.age_seconds,
                "stale": value.stale,
            }
        )
    if rows:
        session.execute(insert(cast(Table, AuditTagSnapshot.__table__)), rows)


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
