"""Shipped checklist templates (JSON definitions) to start from."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LIBRARY = Path(__file__).resolve().parent


@cache
def templates() -> dict[str, dict[str, Any]]:
    """Template key → definition document, for every ``*.json`` file here."""
    found = {}
    for path in sorted(LIBRARY.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        found[path.stem] = document
    return found
