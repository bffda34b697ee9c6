"""Idempotent demo data: one user per role and a small plant to attach checklists to."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.roles import Role
from accounts.services import create_user, find_user_by_email
from audits.evidence import EvidenceStore
from audits.models import Audit
from audits.services import start_audit, store_evidence
from audits.submission import submit_audit
from errors import NotFound
from forms.library import templates as library_templates
from forms.models import Checklist, ChecklistVersion
from forms.services import create_checklist, latest_version, publish
from plant.models import AssetKind, MachineType
from plant.services import create_asset, find_asset
from plant.tags import assign_machine_type, bind, create_machine_type, create_source

#: (role, email, name, password). Printed by ``make run``; never use these outside a demo.
DEMO_USERS: tuple[tuple[Role, str, str, str], ...] = (
    (Role.OPERATOR, "operator@demo.gemba", "Olga Operator", "operator-demo"),
    (Role.AUDITOR, "auditor@demo.gemba", "Armin Auditor", "auditor-demo"),
    (Role.ENGINEER, "engineer@demo.gemba", "Emma Engineer", "engineer-demo"),
    (Role.MANAGER, "manager@demo.gemba", "Max Manager", "manager-demo"),
    (Role.ADMIN, "admin@demo.gemba", "Ada Admin", "admin-demo-1"),
)

#: (kind, code, name, parent code) in creation order.
DEMO_ASSETS: tuple[tuple[AssetKind, str, str, str | None], ...] = (
    (AssetKind.SITE, "ULM", "Demo plant Ulm", None),
    (AssetKind.AREA, "ULM-ST", "Stamping", "ULM"),
    (AssetKind.LINE, "ULM-ST-PL1", "Press line 1", "ULM-ST"),
    (AssetKind.MACHINE, "ULM-ST-PL1-P4", "Press 4", "ULM-ST-PL1"),
    (AssetKind.MACHINE, "ULM-ST-PL1-P5", "Press 5", "ULM-ST-PL1"),
    (AssetKind.AREA, "ULM-AS", "Assembly", "ULM"),
    (AssetKind.LINE, "ULM-AS-LA", "Assembly line A", "ULM-AS"),
    (AssetKind.CELL, "ULM-AS-LA-C1", "Screwing cell 1", "ULM-AS-LA"),
    (AssetKind.MACHINE, "ULM-AS-LA-C1-R1", "Screwdriver robot R1", "ULM-AS-LA-C1"),
    (AssetKind.MACHINE, "ULM-AS-LA-OV", "Curing oven", "ULM-AS-LA"),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What ``seed_demo`` created this time (zero on a second run)."""

    users_created: int
    assets_created: int
    checklists_created: int = 0
    audits_created: int = 0


def seed_demo(session: Session, store: EvidenceStore | None = None) -> SeedReport:
    """Create missing demo users, assets, checklists and audits; existing ones are kept.

    With an evidence ``store`` the demo also gets a submitted press start-up audit with a
    signature (its PNG is drawn here).
    """
    users_created = 0
    for role, email, name, password in DEMO_USERS:
        if find_user_by_email(session, email) is None:
            create_user(
                session, actor_id=None, email=email, display_name=name, role=role, password=password
            )
            users_created += 1
    assets_created = 0
    for kind, code, name, parent in DEMO_ASSETS:
        try:
            find_asset(session, code)
        except NotFound:
            create_asset(
                session, actor_id=None, kind=kind, code=code, name=name, parent_code=parent
            )
            assets_created += 1
    engineer = find_user_by_email(session, "engineer@demo.gemba")
    assert engineer is not None
    _seed_tags(session, engineer.id)
    checklists_created, versions = _seed_checklists(session, engineer.id)
    audits_created = _seed_audits(session, versions, store)
    return SeedReport(users_created, assets_created, checklists_created, audits_created)


PRESS_ROLES = (
    {"role": "oven_temp", "name": "Oven temperature", "datatype": "float", "unit": "°C"},
    {"role": "oil_pressure", "name": "Hydraulic oil pressure", "datatype": "float", "unit": "bar"},
    {"role": "recipe", "name": "Loaded recipe", "datatype": "string", "unit": ""},
    {"role": "good_count", "name": "Good parts", "datatype": "int", "unit": "pcs"},
    {"role": "alarm_active", "name": "Alarm active", "datatype": "bool", "unit": ""},
)


def _seed_tags(session: Session, actor_id: int) -> None:
    """A hydraulic-press machine type and simulated signals bound to Press 4 and Press 5."""
    if (
        session.scalar(select(MachineType.id).where(MachineType.key == "hydraulic-press"))
        is not None
    ):
        return
    press = create_machine_type(
        session, actor_id=actor_id, key="hydraulic-press", name="Hydraulic press", roles=PRESS_ROLES
    )
    source = create_source(
        session,
        actor_id=actor_id,
        key="simulator",
        name="Simulated plant",
        kind="simulator",
        settings={},
    )
    for code, prefix in (("ULM-ST-PL1-P4", "P4"), ("ULM-ST-PL1-P5", "P5")):
        asset = find_asset(session, code)
        assign_machine_type(session, actor_id=actor_id, asset=asset, machine_type=press)
        for role in PRESS_ROLES:
            bind(
                session,
                actor_id=actor_id,
                asset=asset,
                role=role["role"],
                source=source,
                address=f"{prefix}.{role['role']}",
                max_age_seconds=30,
            )


def _seed_checklists(session: Session, actor_id: int) -> tuple[int, dict[str, ChecklistVersion]]:
    created = 0
    versions: dict[str, ChecklistVersion] = {}
    for key in ("press-startup", "lpa-layer-1"):
        checklist = session.scalar(select(Checklist).where(Checklist.key == key))
        if checklist is None:
            checklist = create_checklist(
                session, actor_id=actor_id, key=key, document=library_templates()[key]
            )
            publish(
                session,
                actor_id=actor_id,
                checklist_id=checklist.id,
                revision=checklist.draft_revision,
                count_audits=lambda _version_id: 0,
            )
            created += 1
        latest = latest_version(session, checklist.id)
        assert latest is not None
        versions[key] = latest
    return created, versions


_LPA_KEYS = (
    "work_instruction",
    "operator_certified",
    "error_proofing",
    "gauges_calibrated",
    "first_piece",
    "reaction_plan",
    "red_bin",
    "ppe_worn",
    "five_s",
    "control_chart",
    "labels_correct",
    "tpm_done",
)
LPA_ALL_YES: dict[str, Any] = {key: {"value": "pass"} for key in _LPA_KEYS}
#: (client UUID, auditor email, checklist key, machine code, answers).
DEMO_AUDITS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    (
        "5f0c2f4e-0000-4000-8000-000000000001",
        "auditor@demo.gemba",
        "lpa-layer-1",
        "ULM-ST-PL1-P4",
        LPA_ALL_YES,
    ),
    (
        "5f0c2f4e-0000-4000-8000-000000000002",
        "auditor@demo.gemba",
        "lpa-layer-1",
        "ULM-ST-PL1-P5",
        {
            **LPA_ALL_YES,
            "red_bin": {
                "value": "fail",
                "comment": "Two rejected brackets lying on the bench, not in the red bin.",
                "reaction": {"kind": "corrected", "note": "Moved to the red bin and labelled."},
            },
        },
    ),
    (
        "5f0c2f4e-0000-4000-8000-000000000003",
        "operator@demo.gemba",
        "lpa-layer-1",
        "ULM-AS-LA-C1-R1",
        LPA_ALL_YES,
    ),
)
PRESS_AUDIT_UUID = "5f0c2f4e-0000-4000-8000-000000000004"
PRESS_ANSWERS: dict[str, Any] = {
    "guards_closed": {"value": "pass"},
    "estop_tested": {"value": "pass"},
    "oven_temp": {"value": 191.4},
    "oil_pressure": {"value": 205},
    "recipe": {"value": "A12"},
    "first_parts": {
        "value": [
            {"length": {"value": 120.04}, "burr_free": {"value": "pass"}},
            {"length": {"value": 119.97}, "burr_free": {"value": "pass"}},
        ]
    },
}


def _seed_audits(
    session: Session, versions: dict[str, ChecklistVersion], store: EvidenceStore | None
) -> int:
    created = 0
    for client_uuid, email, checklist_key, asset_code, answers in DEMO_AUDITS:
        if session.scalar(select(Audit.id).where(Audit.client_uuid == client_uuid)) is not None:
            continue
        user = find_user_by_email(session, email)
        assert user is not None
        submit_audit(
            session,
            user=user,
            client_uuid=client_uuid,
            answers=answers,
            version_id=versions[checklist_key].id,
            asset_code=asset_code,
        )
        created += 1
    exists = session.scalar(select(Audit.id).where(Audit.client_uuid == PRESS_AUDIT_UUID))
    if store is not None and exists is None:
        operator = find_user_by_email(session, "operator@demo.gemba")
        assert operator is not None
        start_audit(
            session,
            user=operator,
            version_id=versions["press-startup"].id,
            asset_code="ULM-ST-PL1-P4",
            client_uuid=PRESS_AUDIT_UUID,
        )
        signature = store_evidence(
            session,
            user=operator,
            client_uuid=PRESS_AUDIT_UUID,
            kind="signature",
            data=_signature_png(),
            store=store,
        )
        answers = {**PRESS_ANSWERS, "operator_signature": {"value": signature.sha256}}
        submit_audit(session, user=operator, client_uuid=PRESS_AUDIT_UUID, answers=answers)
        created += 1
    return created


def _signature_png() -> bytes:
    """A drawn signature (a few strokes) as PNG."""
    image = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(image)
    points = [(40 + x * 3, 120 + int(30 * math.sin(x / 6)) - (x % 17)) for x in range(130)]
    draw.line(points, fill=(20, 33, 61), width=4)
    draw.line([(420, 60), (470, 150), (520, 70), (560, 140)], fill=(20, 33, 61), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
