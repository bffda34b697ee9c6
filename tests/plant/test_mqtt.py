"""The MQTT JSON / UNS connector against the real Mosquitto broker on 127.0.0.1:1883."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from flask import Flask
from paho.mqtt.enums import CallbackAPIVersion

from extensions import Database, db
from plant.collector import Collector
from plant.connectors.mqtt import decode, parse_address
from plant.tags import bind, create_source, live_values
from tests.plant.conftest import press, run_collector_briefly

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("payload", "pointer", "value", "quality"),
    [
        (b"191.5", "", 191.5, "good"),
        (b"A12", "", "A12", "good"),
        (b'{"value": 7, "unit": "bar"}', "/value", 7, "good"),
        (b'{"data": [{"v": true}]}', "/data/0/v", True, "good"),
        (b'{"value": 7}', "/missing", None, "bad"),
        (b'{"value": {"nested": 1}}', "/value", None, "bad"),
        (b"\xff\xfe", "", None, "bad"),
    ],
)
def test_decode_payloads(payload: bytes, pointer: str, value: object, quality: str) -> None:
    decoded = decode(payload, pointer, NOW)
    assert (decoded.value, decoded.quality) == (value, quality)


@pytest.mark.unit
def test_decode_reads_the_source_timestamp() -> None:
    assert decode(
        b'{"value": 1, "timestamp": 1764072000000}', "/value", NOW
    ).source_time == datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    assert decode(
        b'{"value": 1, "timestamp": "2026-11-25T11:59:58Z"}', "/value", NOW
    ).source_time == datetime(2026, 11, 25, 11, 59, 58, tzinfo=UTC)


@pytest.mark.unit
@pytest.mark.parametrize("address", ["", "plant/+/temp", "plant/#", "plant/temp#value"])
def test_parse_address_refuses_wildcards_and_bad_pointers(address: str) -> None:
    with pytest.raises(ValueError, match=r"topic|pointer"):
        parse_address(address)


def publish_retained(messages: dict[str, bytes]) -> None:
    """Publish retained test messages (the test plays the machine; connectors never publish)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        for topic, payload in messages.items():
            client.publish(topic, payload, qos=1, retain=True).wait_for_publish(timeout=5)
    finally:
        client.disconnect()
        client.loop_stop()


def test_collector_reads_retained_uns_values_from_mosquitto(file_app: Flask) -> None:
    prefix = f"gemba-test/{uuid.uuid4().hex[:8]}"
    messages = {
        f"{prefix}/press/oven": json.dumps(
            {"value": 192.25, "timestamp": "2026-11-25T11:59:58Z"}
        ).encode(),
        f"{prefix}/press/recipe": b"B07",
        f"{prefix}/press/count": b"not a number",
    }
    publish_retained(messages)
    try:
        with file_app.app_context():
            asset, _simulator, _bindings = press(db.session)
            source = create_source(
                db.session,
                actor_id=None,
                key="broker",
                name="Mosquitto",
                kind="mqtt",
                settings={"host": "127.0.0.1", "port": 1883},
            )
            bind(
                db.session,
                actor_id=None,
                asset=asset,
                role="oven_temp",
                source=source,
                address=f"{prefix}/press/oven#/value",
            )
            bind(
                db.session,
                actor_id=None,
                asset=asset,
                role="recipe",
                source=source,
                address=f"{prefix}/press/recipe",
            )
            bind(
                db.session,
                actor_id=None,
                asset=asset,
                role="good_count",
                source=source,
                address=f"{prefix}/press/count",
            )
            bind(
                db.session,
                actor_id=None,
                asset=asset,
                role="alarm_active",
                source=source,
                address="bad/+/address",
            )
            db.session.commit()
            collector = Collector(
                Database.state(file_app).session_factory, flush_interval=0.05, poll_interval=0.05
            )

            run_collector_briefly(collector, 1.5)
            db.session.expire_all()
            values = live_values(db.session, asset.id)
            assert (values["oven_temp"].value, values["oven_temp"].quality) == (192.25, "good")
            assert values["oven_temp"].source_time == datetime(2026, 11, 25, 11, 59, 58, tzinfo=UTC)
            assert (values["recipe"].value, values["recipe"].quality) == ("B07", "good")
            assert (values["good_count"].quality, values["good_count"].detail) == (
                "bad",
                "expected a number",
            )
            assert values["alarm_active"].quality == "bad"
            assert "wildcards" in (values["alarm_active"].detail or "")
    finally:
        publish_retained(dict.fromkeys(messages, b""))  # an empty retained message clears it


def test_unreachable_broker_marks_the_source_and_keeps_running(
    file_app: Flask, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from plant.models import SourceState

    with file_app.app_context():
        asset, _simulator, _bindings = press(db.session)
        source = create_source(
            db.session,
            actor_id=None,
            key="nobody",
            name="Nobody",
            kind="mqtt",
            settings={"host": "127.0.0.1", "port": 1},
        )
        bind(
            db.session, actor_id=None, asset=asset, role="recipe", source=source, address="x/recipe"
        )
        db.session.commit()
        collector = Collector(
            Database.state(file_app).session_factory, flush_interval=0.05, poll_interval=0.05
        )

        run_collector_briefly(collector, 1.0)
        db.session.expire_all()
        state = db.session.scalar(select(SourceState).where(SourceState.source_id == source.id))
        assert state is not None
        assert state.state in ("connecting", "disconnected", "error")
        assert (
            live_values(db.session, asset.id)["oven_temp"].quality == "good"
        )  # the simulator kept going
