"""Fixtures for audit tests: a published press start-up version, a machine, an operator."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.roles import Role
from audits.evidence import EvidenceStore
from demo import LPA_ALL_YES
from forms.library import templates as library_templates
from forms.models import ChecklistVersion
from plant.models import Asset
from tests import factories
from tests.factories import UserFactory


@dataclass
class Scene:
    """A plant with one machine, a published checklist and people."""

    operator: User
    engineer: User
    version: ChecklistVersion
    asset: Asset


@pytest.fixture
def scene(db_session: Session, make_user: UserFactory) -> Scene:
    engineer = make_user(Role.ENGINEER)
    document = {**library_templates()["lpa-layer-1"]}
    version = factories.published_version(db_session, engineer, document)
    return Scene(make_user(Role.OPERATOR), engineer, version, factories.machine(db_session))


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def image_bytes(
    kind: str = "JPEG", size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (10, 20, 30)
) -> bytes:
    """A small real image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


ALL_YES = LPA_ALL_YES
