"""Differences between two definition documents, item by item (pure)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from forms.diff import DefinitionDiff, ItemChange, diff_definitions
from forms.library import templates
from tests.factories import definition, passfail

pytestmark = pytest.mark.unit


def number(key: str, **extra: Any) -> dict[str, Any]:
    """A number item."""
    return {"key": key, "type": "number", "label": key.title(), **extra}


def repeat(key: str, *children: dict[str, Any]) -> dict[str, Any]:
    """A repeat group."""
    return {"key": key, "type": "repeat", "label": key.title(), "items": list(children)}


@pytest.fixture
def press() -> dict[str, Any]:
    """A private copy of the press start-up template."""
    return copy.deepcopy(templates()["press-startup"])


def test_diff_identical_documents_is_empty(press: dict[str, Any]) -> None:
    changes = diff_definitions(press, copy.deepcopy(press))
    assert changes == DefinitionDiff(added=(), removed=(), changed=(), header={})
    assert changes.empty
    assert not changes.breaking


def test_diff_added_item() -> None:
    changes = diff_definitions(definition(passfail("a")), definition(passfail("a"), passfail("b")))
    assert changes.added == ("b",)
    assert not changes.empty
    assert not changes.breaking


def test_diff_added_items_in_new_document_order() -> None:
    old = definition(passfail("m"))
    new = definition(passfail("z"), passfail("m"), passfail("a"))
    assert diff_definitions(old, new).added == ("z", "a")


def test_diff_removed_item_is_breaking() -> None:
    changes = diff_definitions(definition(passfail("a"), passfail("b")), definition(passfail("a")))
    assert changes.removed == ("b",)
    assert changes.breaking


def test_diff_changed_label_not_breaking() -> None:
    new = definition(passfail("a") | {"label": "Is it fine?"})
    changes = diff_definitions(definition(passfail("a")), new)
    assert changes.changed == (ItemChange("a", {"label": ("Is a OK?", "Is it fine?")}),)
    assert not changes.breaking


def test_diff_added_property_shows_none_before() -> None:
    changes = diff_definitions(definition(passfail("a")), definition(passfail("a", required=True)))
    assert changes.changed[0].fields == {"required": (None, True)}


def test_diff_removed_property_shows_none_after() -> None:
    changes = diff_definitions(definition(passfail("a", weight=3)), definition(passfail("a")))
    assert changes.changed[0].fields == {"weight": (3, None)}


def test_diff_changed_fields_sorted_by_name() -> None:
    old = definition(number("n", unit="mm", label="N"))
    new = definition(number("n", unit="cm", label="Length", decimals=1))
    assert list(diff_definitions(old, new).changed[0].fields) == ["decimals", "label", "unit"]


def test_diff_type_change_is_breaking() -> None:
    changes = diff_definitions(definition(passfail("a")), definition(number("a", label="Is a OK?")))
    (change,) = changes.changed
    assert change.fields == {"type": ("passfail", "number")}
    assert change.breaking
    assert changes.breaking


def test_diff_changed_items_in_new_document_order() -> None:
    old = definition(passfail("a"), passfail("b"))
    new = definition(passfail("b", weight=2), passfail("a", weight=2))
    assert [change.key for change in diff_definitions(old, new).changed] == ["b", "a"]


def test_diff_reordered_items_not_changed() -> None:
    old = definition(passfail("a"), passfail("b"))
    assert diff_definitions(old, definition(passfail("b"), passfail("a"))).empty


def test_diff_title_change_in_header() -> None:
    changes = diff_definitions(definition(passfail("a")), definition(passfail("a"), title="New"))
    assert changes.header == {"title": ("Test checklist", "New")}
    assert not changes.empty
    assert not changes.breaking


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("description", "Before", "After"),
        ("scoring", {"passThreshold": 80}, {"passThreshold": 90}),
        ("appliesTo", None, {"machineTypes": ["press"]}),
    ],
)
def test_diff_header_change(name: str, old: Any, new: Any) -> None:
    before = definition(passfail("a"), **({name: old} if old is not None else {}))
    after = definition(passfail("a"), **{name: new})
    assert diff_definitions(before, after).header == {name: (old, new)}


def test_diff_repeat_child_added_with_path(press: dict[str, Any]) -> None:
    new = copy.deepcopy(press)
    new["sections"][2]["items"][0]["items"].append(number("width"))
    changes = diff_definitions(press, new)
    assert changes.added == ("first_parts/width",)
    assert changes.changed == ()


def test_diff_repeat_child_removed_is_breaking(press: dict[str, Any]) -> None:
    new = copy.deepcopy(press)
    del new["sections"][2]["items"][0]["items"][1]
    changes = diff_definitions(press, new)
    assert changes.removed == ("first_parts/burr_free",)
    assert changes.breaking


def test_diff_repeat_child_type_change_is_breaking(press: dict[str, Any]) -> None:
    new = copy.deepcopy(press)
    new["sections"][2]["items"][0]["items"][0]["type"] = "text"
    (change,) = diff_definitions(press, new).changed
    assert change.key == "first_parts/length"
    assert change.breaking


def test_diff_child_change_does_not_change_its_group() -> None:
    old = definition(repeat("g", number("x")))
    new = definition(repeat("g", number("x", unit="mm")))
    assert [change.key for change in diff_definitions(old, new).changed] == ["g/x"]


def test_diff_removed_group_removes_its_children() -> None:
    changes = diff_definitions(
        definition(passfail("a"), repeat("g", number("x"))), definition(passfail("a"))
    )
    assert changes.removed == ("g", "g/x")


def test_diff_item_moved_to_other_section_not_changed() -> None:
    old = definition(passfail("a"), passfail("b"))
    new = definition(passfail("a"))
    new["sections"].append({"key": "more", "title": "More", "items": [passfail("b")]})
    assert diff_definitions(old, new).empty


def test_diff_tolerates_documents_without_sections() -> None:
    changes = diff_definitions({}, definition(passfail("a")))
    assert changes.added == ("a",)
    assert changes.header == {"title": (None, "Test checklist")}


def test_diff_skips_non_object_sections() -> None:
    assert diff_definitions({"sections": ["junk", 3]}, {"sections": []}).empty


def test_diff_between_library_templates() -> None:
    lpa, press = templates()["lpa-layer-1"], templates()["press-startup"]
    changes = diff_definitions(lpa, press)
    assert "work_instruction" in changes.removed
    assert "guards_closed" in changes.added
    assert changes.breaking


def test_diff_section_visible_if_change_reported(press: dict[str, Any]) -> None:
    new = copy.deepcopy(press)
    new["sections"][0]["visibleIf"] = "answers.recipe == 'A12'"
    assert not diff_definitions(press, new).empty


def test_diff_tolerates_non_object_items() -> None:
    invalid_draft = {"sections": [{"key": "s", "items": ["not an item"]}]}
    assert diff_definitions(definition(passfail("a")), invalid_draft).removed == ("a",)
