"""Machine types, versioned bindings, live values, the simulator, the collector and snapshots."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.roles import Role
from audits.models import AuditTagSnapshot
from audits.submission import submit_audit
from demo import PRESS_ROLES
from errors import InvalidInput
from extensions import Database, db, utcnow
from plant.collector import Collector
from plant.models import SourceState, TagBinding, TagCurrent
from plant.simulator import simulate
from plant.tags import (
    bind,
    live_values,
    store_values,
)
from plant.values import TagValue
from tests import factories
from tests.conftest import login
from tests.factories import UserFactory
from tests.plant.conftest import in_thread, press, run_collector_briefly

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.unit
def test_simulator_is_deterministic_and_typed() -> None:
    assert simulate("P4.oven_temp", AT) == simulate("P4.oven_temp", AT)
    assert simulate("P4.oven_temp", AT) != simulate("P5.oven_temp", AT)
    assert isinstance(simulate("P4.good_count", AT).value, int)
    assert (
        simulate("P4.good_count", AT + timedelta(seconds=8)).value
        == simulate("P4.good_count", AT).value + 2
    )  # type: ignore[operator]
    assert isinstance(simulate("P4.alarm_active", AT).value, bool)
    assert simulate("P4.recipe", AT).value in ("A12", "B07")
    unknown = simulate("P4.nope", AT)
    assert (unknown.value, unknown.quality) == (None, "bad")


def test_bind_creates_versions_and_retires_the_old_one(db_session: Session) -> None:
    asset, source, bindings = press(db_session)
    newer = bind(
        db_session,
        actor_id=None,
        asset=asset,
        role="oven_temp",
        source=source,
        address="P9.oven_temp2",
    )
    assert newer.version == 2
    old = db_session.get(TagBinding, bindings["oven_temp"].id)
    assert old is not None
    assert old.active is False
    with pytest.raises(InvalidInput):
        bind(db_session, actor_id=None, asset=asset, role="not_a_role", source=source, address="x")


def test_live_values_report_fresh_stale_and_missing(db_session: Session) -> None:
    asset, _source, bindings = press(db_session)
    now = utcnow()
    store_values(
        db_session,
        {
            bindings["oven_temp"].id: TagValue(191.5, "good", now),
            bindings["recipe"].id: TagValue("B07", "good", now - timedelta(seconds=120)),
            bindings["alarm_active"].id: TagValue(True, "good", now),
        },
    )
    values = live_values(db_session, asset.id, now=now)
    assert values["oven_temp"].value == 191.5
    assert values["oven_temp"].usable
    assert values["recipe"].stale
    assert not values["recipe"].usable
    assert values["alarm_active"].value is True
    assert values["good_count"].quality == "bad"
    assert "no value received" in (values["good_count"].detail or "")
    store_values(
        db_session, {bindings["oven_temp"].id: TagValue(180.0, "uncertain", now, detail="seq gap")}
    )
    again = live_values(db_session, asset.id, now=now)["oven_temp"]
    assert (again.value, again.quality, again.detail) == (180.0, "uncertain", "seq gap")


def test_submit_snapshots_every_bound_value_even_when_missing(
    db_session: Session, make_user: UserFactory
) -> None:
    asset, _source, bindings = press(db_session)
    operator = make_user(Role.OPERATOR)
    version = factories.published_version(
        db_session, operator, factories.definition(factories.passfail("ok"))
    )
    store_values(db_session, {bindings["oven_temp"].id: TagValue(191.5, "good", utcnow())})
    audit = submit_audit(
        db_session,
        user=operator,
        client_uuid=str(uuid.uuid4()),
        answers={"ok": {"value": "pass"}},
        version_id=version.id,
        asset_code=asset.code,
    ).audit
    rows = {
        row.role: row
        for row in db_session.scalars(
            select(AuditTagSnapshot).where(AuditTagSnapshot.audit_id == audit.id)
        )
    }
    assert set(rows) == {role["role"] for role in PRESS_ROLES}
    assert (rows["oven_temp"].value_number, rows["oven_temp"].quality, rows["oven_temp"].stale) == (
        191.5,
        "good",
        False,
    )
    assert rows["oven_temp"].binding_version == 1
    assert (
        rows["good_count"].quality == "bad"
    )  # the collector never delivered it: recorded, not blocking


def test_rules_see_live_machine_values_at_submit(
    db_session: Session, make_user: UserFactory
) -> None:
    asset, _source, bindings = press(db_session)
    operator = make_user(Role.OPERATOR)
    document = factories.definition(
        {
            "key": "recipe",
            "type": "choice",
            "label": "Recipe",
            "options": [{"value": "A12", "label": "A"}, {"value": "B07", "label": "B"}],
        },
        {
            "key": "why",
            "type": "text",
            "label": "Why?",
            "requiredIf": "answers.recipe != machine.recipe",
        },
    )
    version = factories.published_version(db_session, operator, document)
    store_values(db_session, {bindings["recipe"].id: TagValue("B07", "good", utcnow())})
    with pytest.raises(InvalidInput) as info:
        submit_audit(
            db_session,
            user=operator,
            client_uuid=str(uuid.uuid4()),
            answers={"recipe": {"value": "A12"}},
            version_id=version.id,
            asset_code=asset.code,
        )
    assert [(e.pointer, e.code) for e in info.value.errors] == [("/answers/why", "required")]


def test_fill_page_shows_live_values_for_prefill(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    from audits.services import start_audit
    from forms.library import templates

    asset, _source, bindings = press(db_session)
    operator = make_user(Role.OPERATOR)
    version = factories.published_version(db_session, operator, dict(templates()["press-startup"]))
    store_values(db_session, {bindings["oven_temp"].id: TagValue(193.25, "good", utcnow())})
    audit = start_audit(db_session, user=operator, version_id=version.id, asset_code=asset.code)
    db_session.commit()
    login(client, operator.email)
    page = client.get(f"/audits/{audit.client_uuid}/fill").get_data(as_text=True)
    import json
    import re

    machine = json.loads(re.search(r'id="machine-data">(.*?)</script>', page, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert machine["oven_temp"]["value"] == 193.25
    assert machine["oven_temp"]["usable"] is True
    assert machine["good_count"]["usable"] is False
    assert 'data-role="oven_temp" data-prefill="1"' in page
    assert "Live values at" in page


def test_collector_reads_sources_and_flushes_last_values(file_app: Flask) -> None:
    with file_app.app_context():
        asset, source, bindings = press(db.session)
        _asset2, broken, _ = press(db.session, kind="opcua")
        collector = Collector(
            Database.state(file_app).session_factory, flush_interval=0.05, poll_interval=0.05
        )

        run_collector_briefly(collector, 0.6)
        db.session.expire_all()
        values = live_values(db.session, asset.id)
        assert collector.flushed_values >= len(bindings)
        assert values["oven_temp"].quality == "good"
        assert isinstance(values["good_count"].value, int)
        assert values["oven_temp"].age_seconds is not None
        assert values["oven_temp"].age_seconds < 5
        states = {row.source_id: row for row in db.session.scalars(select(SourceState))}
        assert states[source.id].state == "connected"
        assert states[broken.id].state == "error"
        assert (
            db.session.scalar(
                select(TagCurrent.quality).join(TagBinding).where(TagBinding.source_id == broken.id)
            )
            == "bad"
        )


def test_plant_collect_command_runs_for_a_while(file_app: Flask) -> None:
    with file_app.app_context():
        press(db.session)
    results = []
    in_thread(
        lambda: results.append(
            file_app.test_cli_runner().invoke(args=["plant", "collect", "--seconds", "0.7"])
        )
    )
    result = results[0]
    assert result.exit_code == 0, result.output
    assert "Collector stopped after writing" in result.output


def test_live_page_shows_values_quality_and_source_state(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    from plant.tags import set_source_state

    asset, source, bindings = press(db_session)
    store_values(db_session, {bindings["oven_temp"].id: TagValue(188.5, "good", utcnow())})
    set_source_state(db_session, source.id, "connected", "simulating 5 signals")
    db_session.commit()
    login(client, make_user().email)
    page = client.get("/plant/live").get_data(as_text=True)
    assert asset.name in page
    assert "188.5 °C" in page
    assert "badge-quality-good" in page
    assert "no value received yet" in page
    assert "simulating 5 signals" in page


def test_operator_correction_is_kept_beside_the_machine_value(
    client: FlaskClient, db_session: Session, make_user: UserFactory
) -> None:
    asset, _source, _bindings = press(db_session)
    operator = make_user(Role.OPERATOR)
    document = factories.definition(
        {
            "key": "temp",
            "type": "tag_reading",
            "label": "Oven",
            "unit": "°C",
            "decimals": 1,
            "tag": {"role": "oven_temp"},
        }
    )
    version = factories.published_version(db_session, operator, document)
    answers = {"temp": {"value": 185.0, "machine": {"value": 191.4, "quality": "good", "age": 2.5}}}
    audit = submit_audit(
        db_session,
        user=operator,
        client_uuid=str(uuid.uuid4()),
        answers=answers,
        version_id=version.id,
        asset_code=asset.code,
    ).audit
    db_session.commit()
    login(client, operator.email)
    page = client.get(f"/audits/{audit.client_uuid}").get_data(as_text=True)
    assert "the machine showed <strong>191.4 °C</strong>" in page
    with pytest.raises(InvalidInput):
        submit_audit(
            db_session,
            user=operator,
            client_uuid=str(uuid.uuid4()),
            answers={"temp": {"value": 1.0, "machine": {"value": 1, "quality": "excellent"}}},
            version_id=version.id,
            asset_code=asset.code,
        )
