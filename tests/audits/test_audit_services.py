"""Audit services: drafts, idempotent submit, normalised answers, evidence, visibility."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.roles import Role
from audits import services, submission
from audits.evidence import EvidenceStore
from audits.models import Audit, AuditAnswer, Evidence
from errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from tests import factories
from tests.audits.conftest import ALL_YES, Scene, image_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def submit(
    db_session: Session, scene: Scene, answers: dict, key: str | None = None
) -> submission.SubmitOutcome:  # type: ignore[type-arg]
    return submission.submit_audit(
        db_session,
        user=scene.operator,
        client_uuid=key or str(uuid.uuid4()),
        answers=answers,
        version_id=scene.version.id,
        asset_code=scene.asset.code,
    )


def test_submit_audit_scores_and_writes_one_row_per_item(db_session: Session, scene: Scene) -> None:
    answers = {
        **ALL_YES,
        "red_bin": {
            "value": "fail",
            "comment": "Rejects on the bench.",
            "reaction": {"kind": "corrected"},
        },
    }
    outcome = submit(db_session, scene, answers)
    audit = outcome.audit
    assert not outcome.replayed
    assert audit.status == "submitted"
    assert audit.version_hash == scene.version.content_hash
    assert audit.score == pytest.approx(100 * 11 / 12, abs=0.01)
    assert audit.result == "pass"  # threshold 85 %
    rows = db_session.scalars(
        select(AuditAnswer).where(AuditAnswer.audit_id == audit.id).order_by(AuditAnswer.position)
    ).all()
    assert len(rows) == 12
    red_bin = next(r for r in rows if r.item_key == "red_bin")
    assert (red_bin.outcome, red_bin.value_text, red_bin.comment, red_bin.reaction_kind) == (
        "fail",
        "fail",
        "Rejects on the bench.",
        "corrected",
    )
    assert (red_bin.points, red_bin.max_points) == (0, 1)


def test_submit_audit_critical_failure_fails_the_audit(db_session: Session, scene: Scene) -> None:
    answers = {
        **ALL_YES,
        "error_proofing": {
            "value": "fail",
            "comment": "Sensor bypassed.",
            "reaction": {"kind": "escalated"},
        },
    }
    assert submit(db_session, scene, answers).audit.result == "fail"


def test_submit_audit_identical_resend_returns_same_audit(
    db_session: Session, scene: Scene
) -> None:
    key = str(uuid.uuid4())
    first = submit(db_session, scene, ALL_YES, key)
    second = submit(db_session, scene, dict(ALL_YES), key)
    assert second.replayed
    assert second.audit.id == first.audit.id
    assert (
        db_session.scalar(select(func.count()).select_from(Audit).where(Audit.client_uuid == key))
        == 1
    )


def test_submit_audit_different_resend_is_a_conflict(db_session: Session, scene: Scene) -> None:
    key = str(uuid.uuid4())
    submit(db_session, scene, ALL_YES, key)
    changed = {**ALL_YES, "ppe_worn": {"value": "na"}}
    with pytest.raises(Conflict, match="different answers"):
        submit(db_session, scene, changed, key)


def test_submit_audit_reports_every_problem_per_item(db_session: Session, scene: Scene) -> None:
    answers = {
        **ALL_YES,
        "ppe_worn": {"value": "fail"},
        "five_s": {"value": 3},
        "nope": {"value": "pass"},
    }
    del answers["tpm_done"]
    with pytest.raises(InvalidInput) as info:
        submit(db_session, scene, answers)
    pointers = {(e.pointer, e.code) for e in info.value.errors}
    assert ("/answers/nope", "unknown_item") in pointers
    assert ("/answers/five_s/value", "wrong_type") in pointers
    with pytest.raises(InvalidInput) as semantic:
        submit(
            db_session,
            scene,
            {
                **{k: v for k, v in ALL_YES.items() if k != "tpm_done"},
                "ppe_worn": {"value": "fail"},
            },
        )
    codes = {(e.pointer, e.code) for e in semantic.value.errors}
    assert codes == {
        ("/answers/tpm_done", "required"),
        ("/answers/ppe_worn/comment", "comment_required"),
        ("/answers/ppe_worn/reaction", "reaction_required"),
    }


def test_submit_audit_against_unknown_version_or_asset(db_session: Session, scene: Scene) -> None:
    with pytest.raises(NotFound):
        submission.submit_audit(
            db_session,
            user=scene.operator,
            client_uuid=str(uuid.uuid4()),
            answers=ALL_YES,
            version_id=999999,
            asset_code=scene.asset.code,
        )
    with pytest.raises(NotFound):
        submission.submit_audit(
            db_session,
            user=scene.operator,
            client_uuid=str(uuid.uuid4()),
            answers=ALL_YES,
            version_id=scene.version.id,
            asset_code="NOPE",
        )
    with pytest.raises(NotFound, match="no draft"):
        submission.submit_audit(
            db_session, user=scene.operator, client_uuid=str(uuid.uuid4()), answers=ALL_YES
        )


def test_submit_audit_refuses_malformed_uuid(db_session: Session, scene: Scene) -> None:
    with pytest.raises(InvalidInput) as info:
        submit(db_session, scene, ALL_YES, key="not-a-uuid")
    assert info.value.errors[0].code == "invalid_uuid"


def test_save_draft_keeps_answers_and_detects_other_device(
    db_session: Session, scene: Scene
) -> None:
    audit = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    services.save_draft(
        db_session,
        user=scene.operator,
        client_uuid=audit.client_uuid,
        answers={"ppe_worn": {"value": 7}},
        revision=1,
    )
    assert audit.draft_revision == 2
    assert audit.answers == '{"ppe_worn":{"value":7}}'  # kept as typed, checked at submit
    with pytest.raises(Conflict):
        services.save_draft(
            db_session, user=scene.operator, client_uuid=audit.client_uuid, answers={}, revision=1
        )


def test_save_draft_refused_after_submit(db_session: Session, scene: Scene) -> None:
    audit = submit(db_session, scene, ALL_YES).audit
    with pytest.raises(Conflict, match="submitted"):
        services.save_draft(
            db_session,
            user=scene.operator,
            client_uuid=audit.client_uuid,
            answers={},
            revision=None,
        )


def test_other_people_cannot_see_or_fill_an_audit(
    db_session: Session, scene: Scene, make_user: UserFactory
) -> None:
    audit = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    intruder = make_user(Role.OPERATOR)
    with pytest.raises(NotFound):
        services.find_audit(db_session, audit.client_uuid, viewer=intruder, may_view_all=False)
    with pytest.raises(NotFound):
        services.save_draft(
            db_session, user=intruder, client_uuid=audit.client_uuid, answers={}, revision=None
        )
    assert (
        services.find_audit(db_session, audit.client_uuid, viewer=intruder, may_view_all=True).id
        == audit.id
    )


def test_store_evidence_checks_and_deduplicates(
    db_session: Session, scene: Scene, store: EvidenceStore
) -> None:
    audit = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    data = image_bytes("PNG")
    first = services.store_evidence(
        db_session,
        user=scene.operator,
        client_uuid=audit.client_uuid,
        kind="photo",
        data=data,
        store=store,
    )
    again = services.store_evidence(
        db_session,
        user=scene.operator,
        client_uuid=audit.client_uuid,
        kind="photo",
        data=data,
        store=store,
    )
    assert first.id == again.id
    assert (first.media_type, first.width, first.height) == ("image/png", 64, 48)
    assert store.read(first.sha256) == data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"GIF89a" + b"\x00" * 100, "unsupported_file_type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "unsupported_file_type"),
        (image_bytes("PNG")[:60], "corrupt_image"),
        (image_bytes("PNG", size=(6000, 5000)), "too_many_pixels"),
    ],
    ids=["empty", "gif", "svg", "truncated", "pixel-bomb"],
)
def test_store_evidence_refuses_bad_files(
    db_session: Session, scene: Scene, store: EvidenceStore, data: bytes, code: str
) -> None:
    audit = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    with pytest.raises(InvalidInput) as info:
        services.store_evidence(
            db_session,
            user=scene.operator,
            client_uuid=audit.client_uuid,
            kind="photo",
            data=data,
            store=store,
        )
    assert info.value.errors[0].code == code
    assert (
        db_session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.audit_id == audit.id)
        )
        == 0
    )


def test_submit_requires_referenced_files_to_be_uploaded(
    db_session: Session, make_user: UserFactory, store: EvidenceStore
) -> None:
    engineer = make_user(Role.ENGINEER)
    operator = make_user(Role.OPERATOR)
    version = factories.published_version(
        db_session,
        engineer,
        factories.definition({"key": "pic", "type": "photo", "label": "Photo", "required": True}),
    )
    asset = factories.machine(db_session)
    audit = services.start_audit(
        db_session, user=operator, version_id=version.id, asset_code=asset.code
    )
    uploaded = services.store_evidence(
        db_session,
        user=operator,
        client_uuid=audit.client_uuid,
        kind="photo",
        data=image_bytes(),
        store=store,
    )
    missing = "f" * 64
    with pytest.raises(InvalidInput) as info:
        submission.submit_audit(
            db_session,
            user=operator,
            client_uuid=audit.client_uuid,
            answers={"pic": {"value": [uploaded.sha256, missing]}},
        )
    assert [(e.pointer, e.code) for e in info.value.errors] == [
        ("/answers/pic/value", "file_missing")
    ]
    done = submission.submit_audit(
        db_session,
        user=operator,
        client_uuid=audit.client_uuid,
        answers={"pic": {"value": [uploaded.sha256]}},
    )
    assert done.audit.is_submitted


def test_list_audits_filters_and_limits_to_own(
    db_session: Session, scene: Scene, make_user: UserFactory
) -> None:
    passed = submit(db_session, scene, ALL_YES).audit
    failed = submit(
        db_session,
        scene,
        {
            **ALL_YES,
            "error_proofing": {"value": "fail", "comment": "x", "reaction": {"kind": "escalated"}},
        },
    ).audit
    everyone = services.list_audits(
        db_session,
        viewer=scene.engineer,
        may_view_all=True,
        filters=services.AuditFilters(result="fail"),
    )
    assert [row[0].id for row in everyone] == [failed.id]
    own = services.list_audits(
        db_session, viewer=scene.engineer, may_view_all=False, filters=services.AuditFilters()
    )
    assert own == []
    mine = services.list_audits(
        db_session,
        viewer=scene.operator,
        may_view_all=False,
        filters=services.AuditFilters(checklist_id=scene.version.checklist_id),
    )
    assert {row[0].id for row in mine} == {passed.id, failed.id}


def test_count_audits_for_version(db_session: Session, scene: Scene) -> None:
    submit(db_session, scene, ALL_YES)
    services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    assert services.count_audits_for_version(db_session, scene.version.id) == 2


def test_store_evidence_refuses_oversized_file_with_413(
    db_session: Session, scene: Scene, store: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import media as evidence

    monkeypatch.setattr(evidence, "MAX_BYTES", 1000)
    audit = services.start_audit(
        db_session, user=scene.operator, version_id=scene.version.id, asset_code=scene.asset.code
    )
    with pytest.raises(PayloadTooLarge) as info:
        services.store_evidence(
            db_session,
            user=scene.operator,
            client_uuid=audit.client_uuid,
            kind="photo",
            data=image_bytes("PNG", size=(300, 300), color=(1, 2, 3)) + b"\x00" * 1000,
            store=store,
        )
    assert info.value.status == 413
    assert info.value.errors[0].code == "file_too_large"


def test_list_audits_filters_by_machine_person_and_dates(
    db_session: Session, scene: Scene, make_user: UserFactory
) -> None:
    from datetime import timedelta

    from extensions import utcnow

    other_machine = factories.machine(db_session)
    colleague = make_user(Role.AUDITOR)
    here = submit(db_session, scene, ALL_YES).audit
    there = submission.submit_audit(
        db_session,
        user=colleague,
        client_uuid=str(uuid.uuid4()),
        answers=ALL_YES,
        version_id=scene.version.id,
        asset_code=other_machine.code,
    ).audit

    def ids(**filters: object) -> set[int]:
        rows = services.list_audits(
            db_session,
            viewer=scene.engineer,
            may_view_all=True,
            filters=services.AuditFilters(**filters),
        )  # type: ignore[arg-type]
        return {row[0].id for row in rows}

    assert ids(asset_id=other_machine.id) == {there.id}
    assert ids(auditor_id=scene.operator.id) == {here.id}
    now = utcnow()
    assert {here.id, there.id} <= ids(
        since=now - timedelta(hours=1), until=now + timedelta(hours=1)
    )
    assert ids(since=now + timedelta(hours=1)) == set()
    assert ids(status="draft") == set()


def test_record_refuses_a_uuid_someone_else_started_between_the_phases(
    db_session: Session, scene: Scene, make_user: UserFactory
) -> None:
    intruder = make_user(Role.OPERATOR)
    key = str(uuid.uuid4())
    prepared = submission.prepare_submission(
        db_session,
        user=scene.operator,
        client_uuid=key,
        answers=ALL_YES,
        version_id=scene.version.id,
        asset_code=scene.asset.code,
    )
    services.start_audit(
        db_session,
        user=intruder,
        version_id=scene.version.id,
        asset_code=scene.asset.code,
        client_uuid=key,
    )
    with pytest.raises(Conflict, match="another audit"):
        submission.record_submission(db_session, prepared)
