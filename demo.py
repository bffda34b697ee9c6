"""Idempotent demo data: one user per role and a small plant to attach checklists to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from accounts.roles import Role
from accounts.services import create_user, find_user_by_email
from errors import NotFound
from plant.models import AssetKind
from plant.services import create_asset, find_asset

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


def seed_demo(session: Session) -> SeedReport:
    """Create missing demo users and assets; existing ones are left as they are."""
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
    return SeedReport(users_created, assets_created)
