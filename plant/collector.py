"""The collector: a separate asyncio process that reads every source and keeps ``tag_current``.

Connectors only read. Updates are coalesced in memory (the last value per binding wins) and
flushed to the database a few times a second in one transaction; web workers never talk to a
machine. Run it with ``flask --app app plant collect``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from extensions import utcnow
from plant.connectors.mqtt import MqttReader
from plant.models import TagBinding, TagSource
from plant.simulator import simulate
from plant.tags import set_source_state, store_values
from plant.values import TagValue

log = logging.getLogger("gemba.collector")


@dataclass(frozen=True, slots=True)
class Point:
    """What the collector needs of one active binding."""

    binding_id: int
    address: str
    datatype: str
    gain: float
    offset: float


@dataclass(frozen=True, slots=True)
class Source:
    """An enabled source and its active bindings."""

    id: int
    key: str
    kind: str
    settings: dict[str, object]
    points: tuple[Point, ...]


def load_sources(session: Session) -> list[Source]:
    """Enabled sources with their active bindings."""
    sources = session.scalars(
        select(TagSource).where(TagSource.enabled).order_by(TagSource.id)
    ).all()
    bindings = session.scalars(select(TagBinding).where(TagBinding.active)).all()
    result = []
    for source in sources:
        points = tuple(
            Point(b.id, b.address, b.datatype, b.gain, b.offset)
            for b in bindings
            if b.source_id == source.id
        )
        result.append(
            Source(source.id, source.key, source.kind, json.loads(source.settings or "{}"), points)
        )
    return result


def scaled(point: Point, value: float | int | bool | str | None) -> float | int | bool | str | None:
    """Apply gain/offset to numeric values of numeric bindings."""
    if (
        point.datatype in ("float", "int")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        result = value * point.gain + point.offset
        return int(result) if point.datatype == "int" else result
    return value


class Collector:
    """Reads all sources, coalesces, flushes. ``session_factory`` makes sync sessions."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        flush_interval: float = 0.25,
        poll_interval: float = 0.5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.flush_interval = flush_interval
        self.poll_interval = poll_interval
        self.clock = clock
        self.pending: dict[int, TagValue] = {}
        self.states: dict[int, tuple[str, str | None]] = {}
        self.flushed_values = 0

    def offer(self, binding_id: int, value: TagValue) -> None:
        """Keep the newest value of a binding until the next flush."""
        self.pending[binding_id] = value

    def _flush(self, batch: dict[int, TagValue], states: dict[int, tuple[str, str | None]]) -> None:
        with self.session_factory() as session:
            store_values(session, batch)
            for source_id, (state, detail) in states.items():
                set_source_state(session, source_id, state, detail)
            session.commit()

    async def flush_once(self) -> None:
        """Write what arrived since the last flush (in a worker thread: the loop keeps reading)."""
        batch, self.pending = self.pending, {}
        states, self.states = self.states, {}
        if not batch and not states:
            return
        try:
            await asyncio.to_thread(self._flush, batch, states)
            self.flushed_values += len(batch)
        except Exception:
            log.exception(
                "flushing %d tag values failed; keeping them for the next flush", len(batch)
            )
            self.pending = {**batch, **self.pending}
            self.states = {**states, **self.states}

    async def _simulator(self, source: Source, stop: asyncio.Event) -> None:
        self.states[source.id] = ("connected", f"simulating {len(source.points)} signals")
        while not stop.is_set():
            now = self.clock()
            for point in source.points:
                reading = simulate(point.address, now)
                self.offer(
                    point.binding_id,
                    TagValue(
                        scaled(point, reading.value),
                        reading.quality,
                        now,
                        source_time=now,
                        detail=reading.detail,
                    ),
                )
            await _sleep_or_stop(stop, self.poll_interval)

    async def _mqtt(self, source: Source, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()

        def on_value(binding_id: int, value: TagValue) -> None:
            loop.call_soon_threadsafe(self.offer, binding_id, value)

        def on_state(state: str, detail: str | None) -> None:
            loop.call_soon_threadsafe(self.states.__setitem__, source.id, (state, detail))

        points = {point.binding_id: point for point in source.points}

        def scaled_value(binding_id: int, value: TagValue) -> None:
            point = points[binding_id]
            numeric = isinstance(value.value, int | float) and not isinstance(value.value, bool)
            if value.quality == "good" and point.datatype in ("float", "int") and not numeric:
                value = replace(value, value=None, quality="bad", detail="expected a number")
            on_value(binding_id, replace(value, value=scaled(point, value.value)))

        reader = MqttReader(
            source.settings,
            {point.binding_id: point.address for point in source.points},
            scaled_value,
            on_state,
            self.clock,
        )
        reader.start()
        try:
            await stop.wait()
        finally:
            await asyncio.to_thread(reader.stop)

    async def _unsupported(self, source: Source, stop: asyncio.Event) -> None:
        detail = f"this collector cannot read {source.kind} sources"
        self.states[source.id] = ("error", detail)
        for point in source.points:
            self.offer(point.binding_id, TagValue(None, "bad", self.clock(), detail=detail))
        await stop.wait()

    async def _flusher(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _sleep_or_stop(stop, self.flush_interval)
            await self.flush_once()
        await self.flush_once()

    async def run(self, stop: asyncio.Event) -> None:
        """Collect until ``stop`` is set."""
        with self.session_factory() as session:
            sources = load_sources(session)
        log.info("collecting %d source(s)", len(sources))
        tasks = [asyncio.create_task(self._flusher(stop))]
        for source in sources:
            readers = {"simulator": self._simulator, "mqtt": self._mqtt}
            reader = readers.get(source.kind, self._unsupported)
            tasks.append(asyncio.create_task(reader(source, stop)))
        await asyncio.gather(*tasks)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def run_collector(session_factory: Callable[[], Session], *, seconds: float | None = None) -> int:
    """Run until SIGINT/SIGTERM (or for ``seconds``); returns how many values were flushed."""
    collector = Collector(session_factory)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Signal handlers belong to the main thread (the real process); runs embedded in
        # another thread (tests) stop by time.
        if threading.current_thread() is threading.main_thread():
            for name in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(name, stop.set)
        if seconds is not None:
            loop.call_later(seconds, stop.set)
        await collector.run(stop)

    asyncio.run(main())
    return collector.flushed_values
