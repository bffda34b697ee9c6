"""MQTT JSON / Unified Namespace connector (paho-mqtt 2.x). Read-only: it never publishes.

A binding's address is ``<topic>`` (the payload is the value) or ``<topic>#<JSON pointer>``
(e.g. ``ulm/stamping/press4/oven#/value``). A JSON object payload may carry ``timestamp``
(ISO 8601 or epoch milliseconds) as the source time. Retained values arrive on subscribe;
subscriptions are renewed on every (re)connect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from plant.values import TagValue


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed binding address."""

    topic: str
    pointer: str


def parse_address(address: str) -> Address:
    """``topic`` or ``topic#/json/pointer``.

    Raises:
        ValueError: empty topic, wildcards, or a pointer that does not start with ``/``.
    """
    topic, hash_sign, pointer = address.partition("#")
    if hash_sign and not pointer:
        raise ValueError(
            f"{address!r}: give a JSON pointer after # (wildcard topics are not bindings)"
        )
    topic = topic.strip()
    if not topic or "+" in topic or topic.endswith("/#"):
        raise ValueError(f"{address!r}: give one topic without wildcards")
    if pointer and not pointer.startswith("/"):
        raise ValueError(f"{address!r}: the JSON pointer after # must start with /")
    return Address(topic, pointer)


def _resolve(document: Any, pointer: str) -> Any:
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and part in document:
            document = document[part]
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            raise KeyError(pointer)
    return document


def _source_time(document: Any) -> datetime | None:
    stamp = document.get("timestamp") if isinstance(document, dict) else None
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp / 1000, UTC)
    if isinstance(stamp, str):
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def decode(payload: bytes | bytearray, pointer: str, received_at: datetime) -> TagValue:
    """Turn one message into a value; anything unreadable becomes a bad value with the reason."""
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        return TagValue(None, "bad", received_at, detail="payload is not UTF-8")
    try:
        document: Any = json.loads(text)
    except ValueError:
        document = text  # a plain-text payload is the value itself
    try:
        value = _resolve(document, pointer) if pointer else document
    except KeyError:
        return TagValue(None, "bad", received_at, detail=f"no {pointer} in the payload")
    if isinstance(value, dict | list):
        return TagValue(None, "bad", received_at, detail="the value is not a scalar")
    if isinstance(value, float) and value != value:  # NaN
        return TagValue(None, "bad", received_at, detail="the value is not a number")
    return TagValue(value, "good", received_at, source_time=_source_time(document))


class MqttReader:
    """Subscribes to the bound topics and reports values through ``on_value``.

    paho runs its network loop in its own thread; ``on_value(binding_id, value)`` and
    ``on_state(state, detail)`` are called from that thread, so pass thread-safe callbacks.
    """

    def __init__(
        self,
        settings: dict[str, Any],
        addresses: dict[int, str],
        on_value: Callable[[int, TagValue], None],
        on_state: Callable[[str, str | None], None],
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.on_value = on_value
        self.on_state = on_state
        self.clock = clock
        self.by_topic: dict[str, list[tuple[int, str]]] = {}
        for binding_id, address in addresses.items():
            try:
                parsed = parse_address(address)
            except ValueError as exc:
                on_value(binding_id, TagValue(None, "bad", clock(), detail=str(exc)))
                continue
            self.by_topic.setdefault(parsed.topic, []).append((binding_id, parsed.pointer))
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=str(settings.get("client_id", "")),
            clean_session=True,
        )
        if settings.get("username"):
            self.client.username_pw_set(
                str(settings["username"]), str(settings.get("password", ""))
            )
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def start(self) -> None:
        """Connect in the background (reconnects on its own)."""
        self.on_state("connecting", None)
        host = str(self.settings.get("host", "127.0.0.1"))
        port = int(self.settings.get("port", 1883))
        self.client.connect_async(host, port, keepalive=int(self.settings.get("keepalive", 30)))
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            self.on_state("error", f"broker refused the connection: {reason}")
            return
        for topic in self.by_topic:
            client.subscribe(topic, qos=1)
        self.on_state("connected", f"{len(self.by_topic)} topic(s)")

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self.on_state("disconnected", f"reconnecting ({reason})")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        now = self.clock()
        for binding_id, pointer in self.by_topic.get(message.topic, ()):
            self.on_value(binding_id, decode(message.payload, pointer, now))
