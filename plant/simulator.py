"""A deterministic simulated plant: the same address and time always give the same value.

Addresses are ``<machine>.<signal>`` (e.g. ``P4.oven_temp``); the machine part shifts the phase
so machines differ. Signals: ``oven_temp`` (°C, drifting around 190 with an occasional dip
below spec), ``oil_pressure`` (bar), ``spindle_speed`` (rpm), ``good_count`` (rising),
``alarm_active`` (a 30 s alarm every 10 minutes) and ``recipe`` (switches every hour).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

SIGNALS = ("oven_temp", "oil_pressure", "spindle_speed", "good_count", "alarm_active", "recipe")


@dataclass(frozen=True, slots=True)
class SimulatedValue:
    """One simulated reading."""

    value: float | int | bool | str | None
    quality: str
    detail: str | None = None


def _phase(machine: str) -> float:
    digest = hashlib.sha256(machine.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def simulate(address: str, at: datetime) -> SimulatedValue:
    """The value of ``address`` at time ``at`` (unknown signals read as bad)."""
    machine, _, signal = address.rpartition(".")
    seconds = at.timestamp() + _phase(machine) * 3600
    if signal == "oven_temp":
        dip = -22.0 if (seconds % 1800) < 90 else 0.0  # 90 s below spec every half hour
        value = (
            190.0 + 6.0 * math.sin(2 * math.pi * seconds / 600) + 1.5 * math.sin(seconds / 7) + dip
        )
        return SimulatedValue(round(value, 2), "good")
    if signal == "oil_pressure":
        return SimulatedValue(round(200.0 + 8.0 * math.sin(2 * math.pi * seconds / 900), 1), "good")
    if signal == "spindle_speed":
        return SimulatedValue(round(1450.0 + 30.0 * math.sin(seconds / 13), 0), "good")
    if signal == "good_count":
        return SimulatedValue(int(seconds // 4) % 1_000_000, "good")
    if signal == "alarm_active":
        return SimulatedValue((seconds % 600) < 30, "good")
    if signal == "recipe":
        return SimulatedValue("A12" if int(seconds // 3600) % 2 == 0 else "B07", "good")
    return SimulatedValue(None, "bad", f"the simulator has no signal {signal!r}")
