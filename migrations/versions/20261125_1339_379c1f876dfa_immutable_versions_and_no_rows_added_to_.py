"""immutable versions and no rows added to submitted audits

Revision ID: 379c1f876dfa
Revises: 4366c4344a1b
Create Date: 2026-11-25 13:39:43.630873+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "379c1f876dfa"
down_revision: str | None = "4366c4344a1b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_UP = [
    """CREATE TRIGGER checklist_versions_immutable BEFORE UPDATE ON checklist_versions
       BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END""",
    """CREATE TRIGGER checklist_versions_never_deleted BEFORE DELETE ON checklist_versions
       BEGIN SELECT RAISE(ABORT, 'published versions are never deleted'); END""",
    """CREATE TRIGGER audit_answers_closed BEFORE INSERT ON audit_answers
       WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted'
       BEGIN SELECT RAISE(ABORT, 'submitted audits are immutable'); END""",
    """CREATE TRIGGER evidence_closed BEFORE INSERT ON evidence
       WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted'
       BEGIN SELECT RAISE(ABORT, 'submitted audits are immutable'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS checklist_versions_immutable",
    "DROP TRIGGER IF EXISTS checklist_versions_never_deleted",
    "DROP TRIGGER IF EXISTS audit_answers_closed",
    "DROP TRIGGER IF EXISTS evidence_closed",
]
POSTGRESQL_UP = [
    """CREATE TRIGGER checklist_versions_immutable BEFORE UPDATE OR DELETE ON checklist_versions
       FOR EACH ROW EXECUTE FUNCTION gemba_refuse_record_change()""",
    """CREATE FUNCTION gemba_refuse_rows_for_submitted_audit() RETURNS trigger AS $$
       BEGIN
         IF (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted' THEN
           RAISE EXCEPTION 'submitted audits are immutable';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_answers_closed BEFORE INSERT ON audit_answers
       FOR EACH ROW EXECUTE FUNCTION gemba_refuse_rows_for_submitted_audit()""",
    """CREATE TRIGGER evidence_closed BEFORE INSERT ON evidence
       FOR EACH ROW EXECUTE FUNCTION gemba_refuse_rows_for_submitted_audit()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS checklist_versions_immutable ON checklist_versions",
    "DROP TRIGGER IF EXISTS audit_answers_closed ON audit_answers",
    "DROP TRIGGER IF EXISTS evidence_closed ON evidence",
    "DROP FUNCTION IF EXISTS gemba_refuse_rows_for_submitted_audit()",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    """Published versions never change; no answers or evidence join a submitted audit."""
    for statement in SQLITE_UP if _sqlite() else POSTGRESQL_UP:
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers."""
    for statement in SQLITE_DOWN if _sqlite() else POSTGRESQL_DOWN:
        op.execute(statement)
