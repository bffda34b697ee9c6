"""A submitted audit never changes: the ORM refuses it, and so does the database itself."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from audits import services, submission
from audits.models import Audit, AuditAnswer, ImmutableRecord
from tests.audits.conftest import ALL_YES, Scene

pytestmark = pytest.mark.integration


def submitted(db_session: Session, scene: Scene) -> Audit:
    return submission.submit_audit(
        db_session,
        user=scene.operator,
        client_uuid=str(uuid.uuid4()),
        answers=ALL_YES,
        version_id=scene.version.id,
        asset_code=scene.asset.code,
    ).audit


def test_orm_refuses_to_change_a_submitted_audit(db_session: Session, scene: Scene) -> None:
    audit = submitted(db_session, scene)
    audit.score = 0
    with pytest.raises(ImmutableRecord):
        db_session.flush()
    db_session.rollback()


def test_orm_refuses_to_delete_answers(db_session: Session, scene: Scene) -> None:
    audit = submitted(db_session, scene)
    db_session.delete(audit.answer_rows[0])
    with pytest.raises(ImmutableRecord):
        db_session.flush()
    db_session.rollback()


def test_database_refuses_sql_update_of_submitted_audit(db_session: Session, scene: Scene) -> None:
    audit = submitted(db_session, scene)
    db_session.flush()
    with pytest.raises(DatabaseError, match="immutable"), db_session.begin_nested():
        db_session.execute(
            update(Audit).where(Audit.id == audit.id).values(result="pass", score=100)
        )


def test_database_refuses_sql_update_and_delete_of_answers(
    db_session: Session, scene: Scene
) -> None:
    audit = submitted(db_session, scene)
    with pytest.raises(DatabaseError, match="immutable"), db_session.begin_nested():
        db_session.execute(
            update(AuditAnswer).where(AuditAnswer.audit_id == audit.id).values(outcome="pass")
        )
    with pytest.raises(DatabaseError, match=r"deleted|immutable"), db_session.begin_nested():
        db_session.execute(text("DELETE FROM audit_answers WHERE audit_id = :id"), {"id": audit.id})


def test_database_allows_draft_updates(db_session: Session, scene: Scene) -> None:
    draft = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    db_session.flush()
    db_session.execute(update(Audit).where(Audit.id == draft.id).values(answers='{"x": 1}'))
    db_session.expire_all()
    assert db_session.get(Audit, draft.id).answers == '{"x": 1}'  # type: ignore[union-attr]


def test_orm_refuses_to_change_a_published_version(db_session: Session, scene: Scene) -> None:
    scene.version.title = "Rewritten history"
    with pytest.raises(ImmutableRecord) as info:
        db_session.flush()
    assert info.value.status == 409
    db_session.rollback()


def test_database_refuses_sql_update_of_a_published_version(
    db_session: Session, scene: Scene
) -> None:
    from forms.models import ChecklistVersion

    with pytest.raises(DatabaseError, match="immutable"), db_session.begin_nested():
        db_session.execute(
            update(ChecklistVersion)
            .where(ChecklistVersion.id == scene.version.id)
            .values(document="{}")
        )


def test_database_refuses_new_evidence_or_answers_for_a_submitted_audit(
    db_session: Session, scene: Scene
) -> None:
    from sqlalchemy import insert

    from audits.models import Evidence

    audit = submitted(db_session, scene)
    with pytest.raises(DatabaseError, match="immutable"), db_session.begin_nested():
        db_session.execute(
            insert(Evidence).values(
                audit_id=audit.id,
                sha256="a" * 64,
                kind="photo",
                media_type="image/png",
                size_bytes=1,
                width=1,
                height=1,
                uploaded_by_id=scene.operator.id,
            )
        )
    with pytest.raises(DatabaseError, match="immutable"), db_session.begin_nested():
        db_session.execute(
            insert(AuditAnswer).values(
                audit_id=audit.id,
                position=99,
                path="late",
                item_key="late",
                item_type="passfail",
                outcome="pass",
                points=0,
                max_points=0,
            )
        )


def test_altered_version_is_never_used(db_session: Session, scene: Scene) -> None:
    from forms.services import VersionTampered, compiled

    # Simulate tampering that bypassed the triggers (e.g. a restored, edited backup).
    scene.version.document = scene.version.document.replace("Is the current work", "Is any")
    db_session.expunge(scene.version)
    with pytest.raises(VersionTampered):
        compiled(scene.version)
