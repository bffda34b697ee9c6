"""The audit trail: one tamper-evident event per mutating action.

Every event stores who, what, when, the old and new values and why, plus the sha256 of its own
content chained to the previous event's hash. Changing or deleting any stored event breaks the
chain, which ``verify_chain`` detects. Writers serialise on the single ``trail_head`` row, so
concurrent requests still form one linear chain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from canonical import canonical_json
from extensions import Base, utcnow

GENESIS_HASH = "0" * 64


class TrailHead(Base):
    """The single row that points at the newest event; updating it serialises writers."""

    __tablename__ = "trail_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    #: Always 1.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Sequence number of the newest event (0 when empty).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Hash of the newest event (the genesis hash when empty).
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class TrailEvent(Base):
    """One recorded action."""

    __tablename__ = "trail_events"
    __table_args__ = (CheckConstraint("seq > 0", name="seq_positive"),)

    #: Position in the chain, 1-based and gap-free.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: When the action happened (UTC).
    occurred_at: Mapped[datetime]
    #: The user who acted; null for system jobs and CLI commands.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: Dotted verb, e.g. ``user.invited``.
    action: Mapped[str] = mapped_column(String(80), index=True)
    #: Kind of object acted on, e.g. ``user``.
    entity_type: Mapped[str] = mapped_column(String(40))
    #: Identifier of that object.
    entity_id: Mapped[str] = mapped_column(String(64))
    #: Canonical JSON of the changed values before the action (null when created).
    old_values: Mapped[str | None] = mapped_column(Text)
    #: Canonical JSON of the changed values after the action (null when deleted).
    new_values: Mapped[str | None] = mapped_column(Text)
    #: Free-text reason given by the actor.
    reason: Mapped[str | None] = mapped_column(Text)
    #: Hash of the previous event.
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: sha256 over this event's content and ``prev_hash``.
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _event_hash(event: TrailEvent) -> str:
    content = canonical_json(
        [
            event.seq,
            event.occurred_at.isoformat(),
            event.actor_id,
            event.action,
            event.entity_type,
            event.entity_id,
            event.old_values,
            event.new_values,
            event.reason,
            event.prev_hash,
        ]
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: object,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
) -> TrailEvent:
    """Append one event to the chain and flush it (the caller's transaction commits it)."""
    # The UPDATE takes the write lock first (row lock on PostgreSQL, database lock on SQLite),
    # so no other transaction can read the same head and fork the chain.
    result = session.execute(
        update(TrailHead)
        .where(TrailHead.id == 1)
        .values(last_seq=TrailHead.last_seq + 1)
        .returning(TrailHead.last_seq, TrailHead.last_hash)
    ).one_or_none()
    if result is None:
        raise RuntimeError("trail_head row missing: run the database migrations")
    seq, prev_hash = result
    event = TrailEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        old_values=None if old is None else canonical_json(old),
        new_values=None if new is None else canonical_json(new),
        reason=reason,
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(event)
    # Core statements: cheaper than the unit of work, and the event is never changed afterwards.
    session.execute(
        insert(cast(Table, TrailEvent.__table__)).values(
            {column.key: getattr(event, column.key) for column in TrailEvent.__table__.columns}
        )
    )
    session.execute(update(TrailHead).where(TrailHead.id == 1).values(last_hash=event.hash))
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of ``verify_chain``: ``broken_at`` is the first bad sequence number, if any."""

    events: int
    broken_at: int | None

    @property
    def intact(self) -> bool:
        """True when every event matches its hash and links to its predecessor."""
        return self.broken_at is None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order and report the first event that does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in session.scalars(select(TrailEvent).order_by(TrailEvent.seq)):
        count += 1
        if (
            event.seq != expected_seq
            or event.prev_hash != prev_hash
            or _event_hash(event) != event.hash
        ):
            return ChainReport(count, event.seq)
        prev_hash = event.hash
        expected_seq += 1
    head = session.get(TrailHead, 1)
    if head is not None and (head.last_seq != count or head.last_hash != prev_hash):
        return ChainReport(count, count + 1)
    return ChainReport(count, None)
