"""Checklist services: create, import/export, edit the draft, validate, publish, compare.

Services flush but never commit and raise domain errors.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from canonical import canonical_json, content_hash, strict_loads
from errors import Conflict, FieldError, InvalidInput, NotFound
from extensions import utcnow
from forms.definition import Definition, DefinitionInvalid, Text, parse_definition
from forms.diff import DefinitionDiff, diff_definitions
from forms.images import missing_images
from forms.models import Checklist, ChecklistVersion
from forms.validation import CompiledVersion, compile_version
from trail import record_event

log = logging.getLogger("gemba.checklists")

BLANK_DEFINITION: dict[str, Any] = {
    "schemaVersion": 1,
    "title": "New checklist",
    "sections": [{"key": "main", "title": "Checks", "items": []}],
}


@dataclass(frozen=True, slots=True)
class PublishPreview:
    """What publishing the draft now would do."""

    checklist: Checklist
    latest: ChecklistVersion | None
    diff: DefinitionDiff | None
    audits_on_latest: int


def _title_of(document: dict[str, Any]) -> str:
    raw = document.get("title")
    title = ""
    if isinstance(raw, str | dict) and raw:
        try:
            title = str(Text.parse(raw).get())
        except (AttributeError, IndexError, TypeError):
            title = ""
    # Drafts may hold anything; the list shows a clean one-line title.
    title = _CONTROL_CHARACTERS.sub("", title).strip()[:500]
    return title or "Untitled checklist"


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _key_problem(key: str) -> FieldError | None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", key):
        return FieldError("/key", "invalid_key", "Use 1–63 lower-case letters, digits, - or _.")
    return None


def create_checklist(
    session: Session, *, actor_id: int, key: str, document: dict[str, Any] | None = None
) -> Checklist:
    """Create a checklist whose draft is ``document`` (a blank checklist when None).

    The draft may still be incomplete; it is validated when published.

    Raises:
        InvalidInput: bad key or a document that is not a JSON object.
        Conflict: the key is taken.
    """
    key = key.strip()
    problem = _key_problem(key)
    if problem:
        raise InvalidInput(problem.message, [problem])
    draft = dict(document if document is not None else BLANK_DEFINITION)
    if session.scalar(select(Checklist.id).where(Checklist.key == key)) is not None:
        message = f"A checklist with the key {key} already exists."
        raise Conflict(message, [FieldError("/key", "taken", message)])
    draft["key"] = key
    checklist = Checklist(
        key=key,
        title=_title_of(draft),
        draft_document=canonical_json(draft),
        draft_revision=1,
        created_by_id=actor_id,
    )
    session.add(checklist)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="checklist.created",
        entity_type="checklist",
        entity_id=checklist.id,
        new={"key": key, "title": checklist.title},
    )
    return checklist


def import_checklist(session: Session, *, actor_id: int, raw: bytes | str) -> Checklist:
    """Create a checklist from an exported JSON file (its ``key`` names the new checklist).

    Raises:
        InvalidInput: not JSON, not an object, or no usable key.
        Conflict: a checklist with that key exists.
    """
    try:
        document = strict_loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        message = f"The file is not valid JSON: {exc}"
        raise InvalidInput(message, [FieldError("", "malformed_json", message)]) from exc
    if not isinstance(document, dict):
        raise InvalidInput(
            "A checklist file holds one JSON object.",
            [FieldError("", "not_an_object", "A checklist file holds one JSON object.")],
        )
    key = document.get("key")
    if not isinstance(key, str):
        raise InvalidInput(
            "The file has no key.", [FieldError("/key", "required", 'The file has no "key".')]
        )
    return create_checklist(session, actor_id=actor_id, key=key, document=document)


def export_document(checklist: Checklist) -> str:
    """The draft as a pretty JSON file; importing it gives an identical draft."""
    return (
        json.dumps(
            json.loads(checklist.draft_document), indent=2, ensure_ascii=False, sort_keys=True
        )
        + "\n"
    )


def get_checklist(session: Session, checklist_id: int) -> Checklist:
    """Load a checklist.

    Raises:
        NotFound: no such checklist.
    """
    checklist = session.get(Checklist, checklist_id)
    if checklist is None:
        raise NotFound(f"Checklist {checklist_id} does not exist.")
    return checklist


def list_checklists(session: Session) -> list[Checklist]:
    """All checklists by title."""
    return list(session.scalars(select(Checklist).order_by(Checklist.title)))


def draft_document(checklist: Checklist) -> dict[str, Any]:
    """The draft as a dict."""
    document: dict[str, Any] = json.loads(checklist.draft_document)
    return document


def save_draft(
    session: Session, *, actor_id: int, checklist_id: int, document: Any, revision: int
) -> Checklist:
    """Replace the draft, if nobody saved since ``revision``.

    Raises:
        NotFound: no such checklist.
        InvalidInput: the document is not a JSON object.
        Conflict: someone saved a newer revision (reload and merge instead of overwriting).
    """
    checklist = get_checklist(session, checklist_id)
    if not isinstance(document, dict):
        raise InvalidInput(
            "The draft must be a JSON object.",
            [FieldError("/document", "not_an_object", "The draft must be a JSON object.")],
        )
    if revision != checklist.draft_revision:
        message = (
            "Someone saved this checklist since you opened it "
            f"(revision {checklist.draft_revision}, yours {revision}). Reload to see their changes."
        )
        raise Conflict(message, [FieldError("/revision", "stale_revision", message)])
    document = {**document, "key": checklist.key}
    checklist.draft_document = canonical_json(document)
    checklist.title = _title_of(document)
    checklist.draft_revision += 1
    checklist.updated_at = utcnow()
    session.flush()
    return checklist


def validate_draft(checklist: Checklist) -> Definition:
    """Parse the draft.

    Raises:
        forms.definition.DefinitionInvalid: every problem, with pointers.
    """
    return parse_definition(draft_document(checklist))


def latest_version(session: Session, checklist_id: int) -> ChecklistVersion | None:
    """The newest published version, if any."""
    return session.scalar(
        select(ChecklistVersion)
        .where(ChecklistVersion.checklist_id == checklist_id)
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    )


def preview_publish(
    session: Session, *, checklist_id: int, count_audits: Callable[[int], int]
) -> PublishPreview:
    """Diff of the draft against the latest version and how many audits use that version."""
    checklist = get_checklist(session, checklist_id)
    latest = latest_version(session, checklist_id)
    diff = (
        diff_definitions(json.loads(latest.document), draft_document(checklist)) if latest else None
    )
    return PublishPreview(checklist, latest, diff, count_audits(latest.id) if latest else 0)


def publish(
    session: Session,
    *,
    actor_id: int,
    checklist_id: int,
    revision: int,
    count_audits: Callable[[int], int],
    confirm_breaking: bool = False,
) -> ChecklistVersion:
    """Freeze the draft as the next immutable version.

    ``count_audits(version_id)`` tells how many audits use a version (from the audits package).

    Raises:
        NotFound: no such checklist.
        Conflict: the draft changed since ``revision``, nothing changed since the latest version,
            or the change is breaking, audits use the latest version and it was not confirmed.
        forms.definition.DefinitionInvalid: the draft is not a valid definition.
    """
    checklist = get_checklist(session, checklist_id)
    if revision != checklist.draft_revision:
        raise Conflict(
            "The draft changed since you reviewed it. Review it again before publishing."
        )
    document = draft_document(checklist)
    definition = parse_definition(document)
    missing = missing_images(session, checklist.id, document)
    if missing:
        raise DefinitionInvalid(f"{len(missing)} image(s) are missing.", missing)
    digest = content_hash(document)
    latest = latest_version(session, checklist_id)
    if latest is not None:
        if latest.content_hash == digest:
            raise Conflict(f"Nothing changed since version {latest.number}.")
        diff = diff_definitions(json.loads(latest.document), document)
        in_use = count_audits(latest.id)
        if diff.breaking and in_use and not confirm_breaking:
            message = (
                f"{in_use} audit(s) use version {latest.number}. This change removes items or "
                "changes their type; confirm to publish anyway (old audits keep their version)."
            )
            raise Conflict(message, [FieldError("/confirm_breaking", "breaking_change", message)])
    number = (latest.number + 1) if latest else 1
    version = ChecklistVersion(
        checklist_id=checklist.id,
        number=number,
        content_hash=digest,
        document=canonical_json(document),
        title=definition.title.get(),
        item_count=sum(1 for _ in definition.walk()),
        published_by_id=actor_id,
    )
    session.add(version)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="checklist.published",
        entity_type="checklist_version",
        entity_id=version.id,
        new={"checklist": checklist.key, "number": number, "content_hash": digest},
    )
    return version


def get_version(session: Session, version_id: int) -> ChecklistVersion:
    """Load a version.

    Raises:
        NotFound: no such version.
    """
    version = session.get(ChecklistVersion, version_id)
    if version is None:
        raise NotFound(f"Version {version_id} does not exist.")
    return version


def published_versions(session: Session) -> list[ChecklistVersion]:
    """The latest version of every checklist that has one (what can be filled)."""
    newest = (
        select(ChecklistVersion.checklist_id, func.max(ChecklistVersion.number).label("number"))
        .group_by(ChecklistVersion.checklist_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(ChecklistVersion)
            .join(
                newest,
                (ChecklistVersion.checklist_id == newest.c.checklist_id)
                & (ChecklistVersion.number == newest.c.number),
            )
            .order_by(ChecklistVersion.title)
        )
    )


def latest_versions(session: Session) -> dict[int, ChecklistVersion]:
    """Checklist id → its newest version, for every checklist with one (one query)."""
    return {version.checklist_id: version for version in published_versions(session)}


class VersionTampered(Conflict):
    """A stored version no longer matches its content hash."""

    code = "version_tampered"
    title = "This checklist version was altered after publication"


def compiled(version: ChecklistVersion) -> CompiledVersion:
    """The parsed definition and compiled validator of a version (cached by content hash).

    The stored document is checked against its hash when first loaded, so an altered record is
    never used to score audits.

    Raises:
        VersionTampered: the document does not match ``content_hash``.
    """
    text, expected, number = version.document, version.content_hash, version.number

    def load() -> Definition:
        document = json.loads(text)
        if content_hash(document) != expected:
            log.error(
                "checklist version %s (id %s) does not match its content hash", number, version.id
            )
            raise VersionTampered(
                f"Version {number} does not match its content hash; ask an admin."
            )
        return parse_definition(document)

    return compile_version(expected, load)


def version_document(version: ChecklistVersion) -> dict[str, Any]:
    """A version's definition as a dict."""
    document: dict[str, Any] = json.loads(version.document)
    return document
