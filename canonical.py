"""Canonical JSON and content hashes: the one definition of "the same document"."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no insignificant white space, UTF-8 text kept as is.

    Raises:
        TypeError: ``value`` holds something JSON cannot represent.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def strict_loads(raw: str | bytes) -> Any:
    """``json.loads`` that refuses NaN and Infinity (Python's parser accepts them, JSON does not).

    Raises:
        ValueError: not JSON, or a non-finite number.
    """
    return json.loads(raw, parse_constant=_refuse_constant)


def content_hash(value: Any) -> str:
    """sha256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
