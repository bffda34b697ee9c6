"""JSON API of checklists: list, versions, one version, the definition schema and item types."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from accounts.access import require
from accounts.roles import Permission
from extensions import db
from forms import services
from forms.definition import definition_schema
from forms.itemtypes import catalogue
from forms.models import ChecklistVersion

bp = Blueprint("checklists_api", __name__, url_prefix="/api/v1")


def version_json(version: ChecklistVersion, *, with_definition: bool = False) -> dict[str, Any]:
    """A version as JSON."""
    body: dict[str, Any] = {
        "id": version.id,
        "checklist_id": version.checklist_id,
        "number": version.number,
        "title": version.title,
        "content_hash": version.content_hash,
        "item_count": version.item_count,
        "published_at": version.published_at.isoformat(),
    }
    if with_definition:
        body["definition"] = services.version_document(version)
    return body


@bp.get("/checklists")
@require(Permission.CHECKLISTS_VIEW)
def list_checklists() -> dict[str, Any]:
    """Every checklist with its latest published version (null before the first)."""
    items = []
    newest = services.latest_versions(db.session)
    for checklist in services.list_checklists(db.session):
        latest = newest.get(checklist.id)
        items.append(
            {
                "id": checklist.id,
                "key": checklist.key,
                "title": checklist.title,
                "draft_revision": checklist.draft_revision,
                "latest_version": version_json(latest) if latest else None,
            }
        )
    return {"items": items}


@bp.get("/checklists/<int:checklist_id>/versions")
@require(Permission.CHECKLISTS_VIEW)
def list_versions(checklist_id: int) -> dict[str, Any]:
    """All versions of a checklist, oldest first."""
    checklist = services.get_checklist(db.session, checklist_id)
    return {"items": [version_json(v) for v in checklist.versions]}


@bp.get("/versions/<int:version_id>")
@require(Permission.CHECKLISTS_VIEW)
def get_version(version_id: int) -> dict[str, Any]:
    """One version with its definition."""
    return version_json(services.get_version(db.session, version_id), with_definition=True)


@bp.get("/schema/definition")
@require(Permission.CHECKLISTS_VIEW)
def schema() -> dict[str, Any]:
    """The JSON Schema of checklist definitions (composed from the item-type registry)."""
    return definition_schema()


@bp.get("/item-types")
@require(Permission.CHECKLISTS_VIEW)
def item_types() -> dict[str, Any]:
    """Every item type with its config schema (for the builder)."""
    return {"items": catalogue()}
