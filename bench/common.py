"""Shared helpers of the benchmarks: timing, the target check and the summary line."""

from __future__ import annotations

import gc
import socket
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: The repository root (``bench/`` lives directly below it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Secret used by the throw-away apps of the benchmarks (never a real deployment).
BENCH_SECRET = "bench-secret-key-not-for-production-0123456789"  # noqa: S105 - throw-away
#: Password of the benchmark's operator account in its throw-away database.
BENCH_PASSWORD = "bench-operator-password"  # noqa: S105 - throw-away


@dataclass(frozen=True, slots=True)
class Target:
    """A ratio target such as ``>=35x`` (at least) or ``<=2x`` (at most), or a cost target
    ``+<=1000`` (Gemba may add at most that much, in the figure's unit, to the baseline)."""

    op: Literal[">=", "<=", "+<="]
    value: float
    unit: str = ""

    def met(self, ratio: float, added: float = 0.0) -> bool:
        """True when the figure satisfies the target."""
        if self.op == "+<=":
            return added <= self.value
        return ratio >= self.value if self.op == ">=" else ratio <= self.value

    def __str__(self) -> str:
        if self.op == "+<=":
            return f"adds <={self.value:g} {self.unit}".strip()
        return f"{self.op}{self.value:g}x"


@dataclass(frozen=True, slots=True)
class Result:
    """One figure of a benchmark: both measurements, their ratio and the target."""

    name: str
    baseline: float
    gemba: float
    unit: str
    ratio: float
    target: Target

    @property
    def met(self) -> bool:
        """True when the ratio meets the target."""
        return self.target.met(self.ratio, self.gemba - self.baseline)

    def line(self) -> str:
        """The summary line (``MISSED`` appended when the target is not met)."""
        text = (
            f"bench {self.name}: baseline {format_value(self.baseline)} {self.unit}, "
            f"gemba {format_value(self.gemba)} {self.unit}, ratio {format_ratio(self.ratio)}x, "
            f"target {self.target}"
        )
        return text if self.met else text + " MISSED"


def format_value(value: float) -> str:
    """Three significant digits, no exponent (``760``, ``18.2``, ``1.35``)."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_ratio(ratio: float) -> str:
    """One decimal for large ratios, two for small ones (``42.2``, ``0.64``)."""
    return f"{ratio:.1f}" if ratio >= 10 else f"{ratio:.2f}"


def per_call_seconds(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn`` over ``number`` back-to-back calls.

    The garbage collector is paused meanwhile, as ``timeit`` does: its cost depends on the whole
    process's heap (both sides share it here) and makes the figures noisy.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - started) / number
    finally:
        if enabled:
            gc.enable()


def calls_per_round(fn: Callable[[], object], round_seconds: float) -> int:
    """How many calls of ``fn`` fill about ``round_seconds`` (at least one)."""
    once = per_call_seconds(fn, 1)
    return max(1, min(100_000, int(round_seconds / max(once, 1e-7))))


def compare(
    baseline: Callable[[], object],
    gemba: Callable[[], object],
    *,
    rounds: int = 7,
    round_seconds: float = 0.2,
    warmup: int = 3,
) -> tuple[float, float]:
    """Median seconds per call of ``baseline`` and ``gemba``.

    Each round calls a function back to back for about ``round_seconds``; rounds alternate
    between the two so that drift of the machine (frequency scaling, other load) affects both.
    """
    for _ in range(warmup):
        baseline()
        gemba()
    base_number = calls_per_round(baseline, round_seconds)
    gemba_number = calls_per_round(gemba, round_seconds)
    base_times: list[float] = []
    gemba_times: list[float] = []
    for _ in range(rounds):
        base_times.append(per_call_seconds(baseline, base_number))
        gemba_times.append(per_call_seconds(gemba, gemba_number))
    return statistics.median(base_times), statistics.median(gemba_times)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def note(message: str) -> None:
    """Progress and detail go to stderr; stdout carries only the summary lines."""
    print(f"  {message}", file=sys.stderr, flush=True)  # noqa: T201 - command-line output
