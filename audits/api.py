"""JSON API of audits: start or submit, autosave a draft, upload evidence, read audits.

Submissions are idempotent by ``client_uuid``: an identical resend answers 200 with the same
audit, a different one 409.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, request, url_for

from accounts.access import can, current_account, require
from accounts.roles import Permission
from audits import services, submission
from audits.models import Audit, Evidence
from audits.views import evidence_store
from errors import FieldError, InvalidInput
from extensions import db
from plant.models import Asset
from web.jsonapi import json_object, require_type

bp = Blueprint("audits_api", __name__, url_prefix="/api/v1/audits")


def audit_json(audit: Audit, asset: Asset | None = None) -> dict[str, Any]:
    """An audit as JSON."""
    asset = asset or db.session.get(Asset, audit.asset_id)
    return {
        "client_uuid": audit.client_uuid,
        "status": audit.status,
        "checklist_id": audit.checklist_id,
        "version": {"id": audit.version_id, "content_hash": audit.version_hash},
        "asset_code": asset.code if asset else None,
        "auditor_id": audit.auditor_id,
        "started_at": audit.started_at.isoformat(),
        "submitted_at": audit.submitted_at.isoformat() if audit.submitted_at else None,
        "duration_seconds": audit.duration_seconds,
        "score": audit.score,
        "result": audit.result,
        "draft_revision": audit.draft_revision,
        "answers": json.loads(audit.answers),
        "links": {
            "page": url_for("audits.detail", client_uuid=audit.client_uuid),
            "fill": url_for("audits.fill", client_uuid=audit.client_uuid),
        },
    }


def _evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        "sha256": evidence.sha256,
        "kind": evidence.kind,
        "media_type": evidence.media_type,
        "size_bytes": evidence.size_bytes,
        "width": evidence.width,
        "height": evidence.height,
    }


@bp.post("")
@require(Permission.AUDITS_FILL)
def create() -> tuple[dict[str, Any], int]:
    """Start a draft (``"submit": false``) or submit an audit in one call (default)."""
    user = current_account()
    assert user is not None
    body = json_object()
    client_uuid = require_type(body, "client_uuid", str)
    version_id = require_type(body, "version_id", int)
    asset_code = require_type(body, "asset_code", str)
    submit = require_type(body, "submit", bool, required=False)
    if submit is False:
        audit, created = services.start_or_resume_audit(
            db.session,
            user=user,
            version_id=version_id,
            asset_code=asset_code,
            client_uuid=client_uuid,
        )
        reply = audit_json(audit)
        db.session.commit()
        return reply, 201 if created else 200
    answers = require_type(body, "answers", dict)
    with db.read_phase():  # validation does not hold the write lock
        prepared = submission.prepare_submission(
            db.session,
            user=user,
            client_uuid=client_uuid,
            answers=answers,
            version_id=version_id,
            asset_code=asset_code,
        )
    outcome = submission.record_submission(db.session, prepared)
    body = audit_json(outcome.audit)  # before the commit: no second transaction afterwards
    db.session.commit()
    return body, 200 if outcome.replayed else 201


@bp.put("/<client_uuid>/draft")
@require(Permission.AUDITS_FILL)
def save_draft(client_uuid: str) -> dict[str, Any]:
    """Autosave answers of one's own draft: ``{"answers": {...}, "revision": n}``."""
    user = current_account()
    assert user is not None
    body = json_object()
    audit = services.save_draft(
        db.session,
        user=user,
        client_uuid=client_uuid,
        answers=require_type(body, "answers", dict),
        revision=require_type(body, "revision", int, required=False),
    )
    db.session.commit()
    return {"client_uuid": audit.client_uuid, "draft_revision": audit.draft_revision}


@bp.post("/<client_uuid>/evidence")
@require(Permission.AUDITS_FILL)
def upload_evidence(client_uuid: str) -> tuple[dict[str, Any], int]:
    """Upload one photo or signature (multipart ``file`` and ``kind``); idempotent by sha256."""
    user = current_account()
    assert user is not None
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(
            "Send the image as the multipart field file.",
            [FieldError("/file", "required", "No file.")],
        )
    evidence = services.store_evidence(
        db.session,
        user=user,
        client_uuid=client_uuid,
        kind=request.form.get("kind", "photo"),
        data=upload.read(),
        store=evidence_store(),
    )
    db.session.commit()
    return _evidence_json(evidence), 201


@bp.post("/<client_uuid>/submit")
@require(Permission.AUDITS_FILL)
def submit(client_uuid: str) -> tuple[dict[str, Any], int]:
    """Submit one's own draft: ``{"answers": {...}}``; 422 lists every item that needs attention."""
    user = current_account()
    assert user is not None
    body = json_object()
    with db.read_phase():  # validation does not hold the write lock
        prepared = submission.prepare_submission(
            db.session,
            user=user,
            client_uuid=client_uuid,
            answers=require_type(body, "answers", dict),
        )
    outcome = submission.record_submission(db.session, prepared)
    reply = audit_json(outcome.audit)  # before the commit: no second transaction afterwards
    db.session.commit()
    return reply, 200 if outcome.replayed else 201


def _day(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            f"{name} is not an ISO date.", [FieldError(f"/{name}", "invalid_date", "Use ISO 8601.")]
        ) from exc
    if value.tzinfo is None:
        raise InvalidInput(
            f"{name} needs a time zone.",
            [FieldError(f"/{name}", "naive_datetime", "Add a zone, e.g. Z.")],
        )
    return value


@bp.get("")
@require(Permission.AUDITS_VIEW)
def list_audits() -> dict[str, Any]:
    """Audits (one's own unless allowed to see all), filtered like the audit list page."""
    user = current_account()
    assert user is not None
    may_view_all = can(Permission.AUDITS_VIEW_ALL)
    filters = services.AuditFilters(
        checklist_id=request.args.get("checklist", type=int),
        asset_id=request.args.get("asset", type=int),
        auditor_id=request.args.get("auditor", type=int),
        result=request.args.get("result"),
        status=request.args.get("status"),
        since=_day("since"),
        until=_day("until"),
    )
    rows = services.list_audits(db.session, viewer=user, may_view_all=may_view_all, filters=filters)
    return {"items": [audit_json(audit, asset) for audit, _version, asset, _user in rows]}


@bp.get("/<client_uuid>")
@require(Permission.AUDITS_VIEW)
def get_audit(client_uuid: str) -> dict[str, Any]:
    """One audit with its answers and evidence list."""
    user = current_account()
    assert user is not None
    audit = services.find_audit(
        db.session, client_uuid, viewer=user, may_view_all=can(Permission.AUDITS_VIEW_ALL)
    )
    return {**audit_json(audit), "evidence": [_evidence_json(e) for e in audit.evidence]}
