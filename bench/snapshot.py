"""snapshot-50-tags: what copying 50 machine values into an audit adds to a submission.

Both runs write a full submission of a 12-item checklist (answers, normalised rows, trail
event) inside a SAVEPOINT that is rolled back, so the disk's fsync does not drown the figure.
Baseline: a machine with no tag bindings. Gemba: the same with 50 bound tags whose last values
are present. Target from the issue: the snapshot adds less than 1 ms.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user
from app import create_app
from audits.submission import prepare_submission, record_submission
from bench.common import BENCH_SECRET, Result, Target, compare, note
from bench.data import migrate
from demo import LPA_ALL_YES
from extensions import Database, db, utcnow
from forms.library import templates
from forms.services import create_checklist, publish
from plant.models import AssetKind
from plant.services import create_asset
from plant.tags import assign_machine_type, bind, create_machine_type, create_source, store_values
from plant.values import TagValue

NAME = "snapshot-50-tags"
TAGS = 50


def _seed(session: Session) -> tuple[User, int, str, str]:
    user, _ = create_user(
        session,
        actor_id=None,
        email="snap@bench.example",
        display_name="Snap",
        role=Role.OPERATOR,
        password="bench-password-1",  # noqa: S106 - throw-away bench user
    )
    create_asset(session, actor_id=None, kind=AssetKind.SITE, code="B", name="Bench")
    create_asset(
        session, actor_id=None, kind=AssetKind.AREA, code="B-A", name="Area", parent_code="B"
    )
    create_asset(
        session, actor_id=None, kind=AssetKind.LINE, code="B-L", name="Line", parent_code="B-A"
    )
    plain = create_asset(
        session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code="B-PLAIN",
        name="No tags",
        parent_code="B-L",
    )
    tagged = create_asset(
        session,
        actor_id=None,
        kind=AssetKind.MACHINE,
        code="B-TAGGED",
        name="50 tags",
        parent_code="B-L",
    )
    roles = [
        {"role": f"signal_{n:02d}", "name": f"Signal {n}", "datatype": "float", "unit": "bar"}
        for n in range(TAGS)
    ]
    machine_type = create_machine_type(
        session, actor_id=None, key="bench-machine", name="Bench", roles=roles
    )
    assign_machine_type(session, actor_id=None, asset=tagged, machine_type=machine_type)
    source = create_source(
        session, actor_id=None, key="bench-sim", name="Sim", kind="simulator", settings={}
    )
    bindings = [
        bind(
            session,
            actor_id=None,
            asset=tagged,
            role=r["role"],
            source=source,
            address=f"B.{r['role']}",
        )
        for r in roles
    ]
    store_values(
        session, {b.id: TagValue(float(n), "good", utcnow()) for n, b in enumerate(bindings)}
    )
    checklist = create_checklist(
        session, actor_id=user.id, key="bench-lpa", document=dict(templates()["lpa-layer-1"])
    )
    version = publish(
        session, actor_id=user.id, checklist_id=checklist.id, revision=1, count_audits=lambda _v: 0
    )
    session.commit()
    return user, version.id, plain.code, tagged.code


def run() -> list[Result]:
    """Measure a rolled-back submission with and without 50 bound tags."""
    with tempfile.TemporaryDirectory(prefix="gemba-bench-snapshot-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'snapshot.sqlite3'}"
        migrate(url)
        app = create_app(
            {
                "env": "development",
                "database_url": url,
                "secret_key": BENCH_SECRET,
                "instance_path": Path(tmp),
                "log_json": False,
                "log_level": "WARNING",
            }
        )
        try:
            with app.app_context():
                user, version_id, plain, tagged = _seed(db.session)

                def submit_at(asset_code: str) -> None:
                    session = db.session
                    with session.begin_nested() as savepoint:
                        prepared = prepare_submission(
                            session,
                            user=user,
                            client_uuid=str(uuid.uuid4()),
                            answers=LPA_ALL_YES,
                            version_id=version_id,
                            asset_code=asset_code,
                        )
                        record_submission(session, prepared)
                        savepoint.rollback()

                base_s, gemba_s = compare(
                    lambda: submit_at(plain), lambda: submit_at(tagged), rounds=7, round_seconds=0.3
                )
                db.session.rollback()
        finally:
            Database.state(app).engine.dispose()
    note(f"{NAME}: the snapshot adds {(gemba_s - base_s) * 1e6:.0f} us per submission")
    return [
        Result(
            name=NAME,
            baseline=base_s * 1e6,
            gemba=gemba_s * 1e6,
            unit="us",
            ratio=gemba_s / base_s,
            target=Target("+<=", 1000, "us"),
        )
    ]
