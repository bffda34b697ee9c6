"""The Python engine against the shared logic conformance cases (the JS runtime runs them too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forms.definition import parse_definition
from forms.engine import logic_state

pytestmark = pytest.mark.unit

CASES = json.loads(
    (Path(__file__).parents[1] / "conformance" / "logic.json").read_text(encoding="utf-8")
)["cases"]


def case_definition(case: dict[str, Any]) -> dict[str, Any]:
    """The full definition a case describes (one section unless it gives sections)."""
    sections = case.get("sections") or [{"key": "s", "title": "S", "items": case["items"]}]
    return {"schemaVersion": 1, "title": case["name"], "sections": sections}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_logic_state_matches_conformance_case(case: dict[str, Any]) -> None:
    definition = parse_definition(case_definition(case))
    state = logic_state(definition, case["answers"], case.get("machine"))
    expect = case["expect"]
    assert sorted(state.visible) == sorted(expect["visible"])
    assert sorted(state.required) == sorted(expect["required"])
    assert sorted(state.fail_if) == sorted(expect["failIf"])
    computed = {k: v for k, v in state.computed.items() if k in expect["computed"]}
    assert computed == expect["computed"]
    assert set(expect["computed"]) <= set(state.computed)
