"""Factories that build test data through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user
from forms.models import ChecklistVersion
from forms.services import create_checklist, publish
from plant.models import Asset, AssetKind
from plant.services import create_asset

__all__ = [
    "PASSWORD",
    "Role",
    "UserFactory",
    "definition",
    "machine",
    "passfail",
    "published_version",
]

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class UserFactory:
    """Creates users with ``PASSWORD`` unless told otherwise."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(
        self,
        role: Role = Role.OPERATOR,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str | None = PASSWORD,
    ) -> User:
        n = next(_counter)
        user, _ = create_user(
            self.session,
            actor_id=None,
            email=email or f"{role.value}{n}@example.com",
            display_name=name or f"{role.label} {n}",
            role=role,
            password=password,
        )
        self.session.commit()
        return user


def definition(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A definition with one section holding ``items``."""
    return {
        "schemaVersion": 1,
        "title": extra.pop("title", "Test checklist"),
        "sections": [{"key": "main", "title": "Main", "items": list(items)}],
        **extra,
    }


def passfail(key: str, **extra: Any) -> dict[str, Any]:
    """A pass/fail item."""
    return {"key": key, "type": "passfail", "label": f"Is {key} OK?", **extra}


def published_version(
    session: Session, actor: User, document: dict[str, Any], key: str | None = None
) -> ChecklistVersion:
    """Create a checklist from ``document`` and publish it."""
    checklist = create_checklist(
        session, actor_id=actor.id, key=key or f"checklist-{next(_counter)}", document=document
    )
    version = publish(
        session,
        actor_id=actor.id,
        checklist_id=checklist.id,
        revision=checklist.draft_revision,
        count_audits=lambda _v: 0,
    )
    session.commit()
    return version


def machine(session: Session) -> Asset:
    """A site → area → line → machine chain; returns the machine."""
    n = next(_counter)
    create_asset(session, actor_id=None, kind=AssetKind.SITE, code=f"S{n}", name=f"Site {n}")
    create_asset(
        session,
        actor_id=None,
        kind=AssetKind.AREA,
        code=f"S{n}-A",
        name="Area",
        parent_code=f"S{n}",
    )
    create_asset(
        session,
        actor_id=None,
        kind=AssetKind.LINE,
        code=f"S{n}-A-L",
        name="Line",
        parent_code=f"S{n}-A",
    )
    asset = create_asset(
        session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code=f"S{n}-M",
        name=f"Machine {n}",
        parent_code=f"S{n}-A-L",
    )
    session.commit()
    return asset
