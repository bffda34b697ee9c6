"""The audit trail forms a hash chain that detects tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from trail import TrailEvent, record_event, verify_chain

pytestmark = pytest.mark.integration


def test_record_event_links_each_event_to_the_previous(db_session: Session) -> None:
    first = record_event(
        db_session, actor_id=None, action="test.one", entity_type="thing", entity_id=1
    )
    second = record_event(
        db_session,
        actor_id=None,
        action="test.two",
        entity_type="thing",
        entity_id=1,
        old={"a": 1},
        new={"a": 2},
    )
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert verify_chain(db_session).intact


def test_verify_chain_detects_an_edited_event(db_session: Session) -> None:
    record_event(
        db_session, actor_id=None, action="test.one", entity_type="thing", entity_id=1, new={"v": 1}
    )
    event = record_event(
        db_session, actor_id=None, action="test.two", entity_type="thing", entity_id=1, new={"v": 2}
    )
    record_event(db_session, actor_id=None, action="test.three", entity_type="thing", entity_id=1)
    db_session.execute(
        update(TrailEvent).where(TrailEvent.seq == event.seq).values(new_values='{"v":99}')
    )
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.intact
    assert report.broken_at == event.seq


def test_verify_chain_detects_a_deleted_last_event(db_session: Session) -> None:
    record_event(db_session, actor_id=None, action="test.one", entity_type="thing", entity_id=1)
    last = record_event(
        db_session, actor_id=None, action="test.two", entity_type="thing", entity_id=1
    )
    db_session.execute(delete(TrailEvent).where(TrailEvent.seq == last.seq))
    assert not verify_chain(db_session).intact
