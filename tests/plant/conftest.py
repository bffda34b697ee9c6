"""Plant test helpers: a bound press, a file-backed app for the collector, a thread runner."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app import create_app
from demo import PRESS_ROLES
from extensions import Database
from plant.collector import Collector
from plant.tags import assign_machine_type, bind, create_machine_type, create_source
from tests import factories
from tests.conftest import migrate, settings_for


def press(session: Session, kind: str = "simulator"):  # type: ignore[no-untyped-def]
    """A machine of type hydraulic-press with every role bound to a source of ``kind``."""
    asset = factories.machine(session)
    machine_type = create_machine_type(
        session, actor_id=None, key=f"press-{uuid.uuid4().hex[:6]}", name="Press", roles=PRESS_ROLES
    )
    assign_machine_type(session, actor_id=None, asset=asset, machine_type=machine_type)
    source = create_source(
        session, actor_id=None, key=f"src-{uuid.uuid4().hex[:6]}", name="S", kind=kind, settings={}
    )
    bindings = {
        role["role"]: bind(
            session,
            actor_id=None,
            asset=asset,
            role=role["role"],
            source=source,
            address=f"P9.{role['role']}",
            max_age_seconds=30,
        )
        for role in PRESS_ROLES
    }
    session.commit()
    return asset, source, bindings


def in_thread(work: Callable[[], object]) -> None:
    """Run ``work`` in its own thread: Playwright's sync API keeps an event loop running in the
    main thread for the whole test session, and asyncio.run() refuses to nest in it."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if failures:
        raise failures[0]


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite file: the collector commits from worker threads."""
    url = f"sqlite:///{tmp_path / 'collector.sqlite3'}"
    migrate(url)
    application = create_app(settings_for(url, tmp_path))
    yield application
    Database.state(application).engine.dispose()


def run_collector_briefly(collector: Collector, seconds: float) -> None:
    """Let ``collector`` run for ``seconds`` in its own thread and event loop."""

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        await collector.run(stop)

    in_thread(lambda: asyncio.run(run()))
