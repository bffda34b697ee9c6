"""Canonical JSON and content hashes: the one definition of "the same document"."""

from __future__ import annotations

import hashlib
import json
import re
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


#: ``\u0000`` preceded by an even number of backslashes: an encoded NUL character.
_ENCODED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def strict_loads(raw: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and NUL characters.

    Python's parser accepts NaN and Infinity, JSON does not; NUL is valid JSON but no real text
    holds it, PostgreSQL cannot store it and SQLite truncates at it.

    Raises:
        ValueError: not JSON, a non-finite number or a NUL character.
    """
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if _ENCODED_NUL.search(text):
        raise ValueError("text must not contain NUL characters")
    return json.loads(text, parse_constant=_refuse_constant)


def content_hash(value: Any) -> str:
    """sha256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
