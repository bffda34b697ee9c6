"""Audit pages: start (pick checklist and machine, or a machine's QR link), fill on the tablet,
the audit list with filters, one audit, and its evidence files."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from accounts.access import can, current_account, require
from accounts.roles import Permission
from accounts.services import list_users
from audits import services
from audits.audit_view import audit_view
from audits.evidence import EvidenceStore
from audits.webforms import SelectChoice, StartAuditWebform
from errors import DomainError, FieldError, InvalidInput
from extensions import db
from forms.rendering import blank_checklist_html, script_json
from forms.services import (
    compiled,
    get_checklist,
    list_checklists,
    published_versions,
)
from plant.services import assets_for_audits, find_asset
from plant.tags import live_values
from web.webforms import attach_errors

bp = Blueprint("audits", __name__, url_prefix="/audits")


def evidence_store() -> EvidenceStore:
    """The evidence folder under the instance path."""
    return EvidenceStore(current_app.config["GEMBA_SETTINGS"].instance_path / "evidence")


@bp.route("/start", methods=["GET", "POST"])
@require(Permission.AUDITS_FILL)
def start() -> str | WerkzeugResponse:
    """Pick a published checklist and a machine; ``?asset=CODE`` comes from a machine's QR code."""
    user = current_account()
    assert user is not None
    versions = published_versions(db.session)
    webform = StartAuditWebform(asset=request.args.get("asset", ""))
    webform.version.choices = [
        SelectChoice(str(v.id), f"{v.title} (v{v.number})") for v in versions
    ]
    webform.asset.choices = [
        SelectChoice(a.code, f"{a.name} · {a.code}") for a in assets_for_audits(db.session)
    ]
    problems: list[str] = []
    if webform.validate_on_submit():
        try:
            audit = services.start_audit(
                db.session,
                user=user,
                version_id=int(webform.version.data or 0),
                asset_code=webform.asset.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            return redirect(url_for("audits.fill", client_uuid=audit.client_uuid))
    preselected = None
    if request.args.get("asset"):
        try:
            preselected = find_asset(db.session, request.args["asset"])
        except DomainError:
            problems.append(f"There is no machine with the code {request.args['asset']}.")
    return render_template(
        "audits/start.html",
        webform=webform,
        problems=problems,
        versions=versions,
        preselected=preselected,
    )


@bp.get("/<client_uuid>/fill")
@require(Permission.AUDITS_FILL)
def fill(client_uuid: str) -> str | WerkzeugResponse:
    """The tablet page: the version's cached blank form plus this draft's answers."""
    user = current_account()
    assert user is not None
    audit = services.find_audit(db.session, client_uuid, viewer=user, may_view_all=False)
    if audit.is_submitted:
        return redirect(url_for("audits.detail", client_uuid=audit.client_uuid))
    version = audit.version
    body = blank_checklist_html(version.content_hash, compiled(version))
    machine = live_values(db.session, audit.asset_id)
    asset = audit.asset
    return render_template(
        "audits/fill.html",
        audit=audit,
        version=version,
        asset=asset,
        body=body,
        definition_json=script_json(version.document),
        draft_json=script_json(audit.answers),
        machine=machine,
        machine_data={
            role: {
                "value": v.value,
                "unit": v.unit,
                "quality": v.quality,
                "stale": v.stale,
                "age": v.age_seconds,
                "usable": v.usable,
                "datatype": v.datatype,
            }
            for role, v in machine.items()
        },
    )


def _parse_day(name: str) -> datetime | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None)
    except ValueError as exc:
        raise InvalidInput(
            f"{name} must be a date like 2026-11-25.",
            [FieldError(f"/{name}", "invalid_date", "Use YYYY-MM-DD.")],
        ) from exc


@bp.get("/")
@require(Permission.AUDITS_VIEW)
def index() -> str:
    """Audits with filters: checklist, machine, person, date range, result."""
    user = current_account()
    assert user is not None
    may_view_all = can(Permission.AUDITS_VIEW_ALL)
    since, until = _parse_day("since"), _parse_day("until")
    filters = services.AuditFilters(
        checklist_id=request.args.get("checklist", type=int),
        asset_id=request.args.get("asset", type=int),
        auditor_id=request.args.get("auditor", type=int) if may_view_all else None,
        result=request.args.get("result") or None,
        status=request.args.get("status") or None,
        since=datetime.combine(since.date(), time.min, tzinfo=UTC) if since else None,
        until=datetime.combine(until.date(), time.min, tzinfo=UTC) + timedelta(days=1)
        if until
        else None,
    )
    rows = services.list_audits(db.session, viewer=user, may_view_all=may_view_all, filters=filters)
    people = list_users(db.session) if may_view_all else []
    return render_template(
        "audits/index.html",
        rows=rows,
        filters=filters,
        checklists=list_checklists(db.session),
        assets=assets_for_audits(db.session),
        people=people,
        args=request.args,
        limit=services.LIST_LIMIT,
    )


@bp.get("/<client_uuid>")
@require(Permission.AUDITS_VIEW)
def detail(client_uuid: str) -> str:
    """One audit: header, every answer with its outcome, evidence."""
    user = current_account()
    assert user is not None
    audit = services.find_audit(
        db.session, client_uuid, viewer=user, may_view_all=can(Permission.AUDITS_VIEW_ALL)
    )
    view = audit_view(db.session, audit)
    return render_template(
        "audits/detail.html", view=view, checklist=get_checklist(db.session, audit.checklist_id)
    )


@bp.get("/<client_uuid>/evidence/<sha256>")
@require(Permission.AUDITS_VIEW)
def evidence(client_uuid: str, sha256: str) -> Response:
    """One photo or signature of an audit the user may see."""
    user = current_account()
    assert user is not None
    audit = services.find_audit(
        db.session, client_uuid, viewer=user, may_view_all=can(Permission.AUDITS_VIEW_ALL)
    )
    record, data = services.evidence_file(db.session, audit, sha256, evidence_store())
    return Response(
        data,
        mimetype=record.media_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": "inline",
        },
    )
