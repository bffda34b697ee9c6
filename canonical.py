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


#: ``\u0000`` after an even number of backslashes: an escaped NUL character.
_ENCODED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _has_lone_surrogate(value: Any) -> bool:
    # Iterative: the parser accepts nesting deeper than a recursive walk could follow.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def strict_loads(raw: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity, NUL characters and unpaired surrogates.

    Python's parser accepts NaN and Infinity, JSON does not; NUL is valid JSON but no real text
    holds it, PostgreSQL cannot store it and SQLite truncates at it.

    Raises:
        ValueError: not JSON (or not UTF-8), a non-finite number, a NUL character, an unpaired
            surrogate, or nesting deeper than the parser's recursion limit.
    """
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if _ENCODED_NUL.search(text):
        raise ValueError("text must not contain NUL characters")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValueError("the JSON is nested too deeply") from exc
    # Only escapes can produce a lone surrogate, so the walk runs only when one is present.
    if ("\\ud" in text or "\\uD" in text) and _has_lone_surrogate(value):
        raise ValueError("text must not contain unpaired surrogates")
    return value


def content_hash(value: Any) -> str:
    """sha256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
