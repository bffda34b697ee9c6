"""Parsing checklist definitions: the composed JSON Schema, errors with pointers and stable
codes, typed dataclasses, multilingual texts and the item-type registry (pure, no database)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from forms.definition import (
    DEFAULT_LANGUAGE,
    NOT_IN_REPEAT,
    DefinitionInvalid,
    Text,
    definition_schema,
    parse_definition,
)
from forms.itemtypes import REGISTRY, build_registry, catalogue
from forms.itemtypes.basic import ChoiceType, NumberType
from forms.library import templates
from tests.factories import definition, passfail

pytestmark = pytest.mark.unit


def problems(document: Any) -> list[tuple[str, str]]:
    """(pointer, code) of every problem ``parse_definition`` reports for ``document``."""
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(document)
    return [(error.pointer, error.code) for error in caught.value.errors]


def number(key: str, **extra: Any) -> dict[str, Any]:
    """A number item."""
    return {"key": key, "type": "number", "label": key.title(), **extra}


def repeat(key: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A repeat group of ``children``."""
    return {"key": key, "type": "repeat", "label": key.title(), "items": list(children), **extra}


def text(key: str, **extra: Any) -> dict[str, Any]:
    """A text item."""
    return {"key": key, "type": "text", "label": key.title(), **extra}


# --- the schema ----------------------------------------------------------------------------


def test_definition_schema_passes_check_schema() -> None:
    Draft202012Validator.check_schema(definition_schema())


def test_definition_schema_item_enum_lists_every_registered_type() -> None:
    item = definition_schema()["$defs"]["item"]
    assert item["properties"]["type"]["enum"] == list(REGISTRY)


def test_definition_schema_child_item_leaves_out_repeat_and_computed() -> None:
    child = definition_schema()["$defs"]["childItem"]
    assert set(child["properties"]["type"]["enum"]) == set(REGISTRY) - NOT_IN_REPEAT


def test_definition_schema_child_item_has_no_logic_properties() -> None:
    child = definition_schema()["$defs"]["childItem"]
    assert not {"visibleIf", "requiredIf", "failIf"} & set(child["properties"])


def test_definition_schema_has_no_unresolved_building_blocks() -> None:
    defs = definition_schema()["$defs"]
    assert "commonItemProperties" not in defs
    assert "logicItemProperties" not in defs


def test_definition_schema_accepts_library_templates() -> None:
    validator = Draft202012Validator(definition_schema())
    for document in templates().values():
        validator.validate(document)


# --- malformed documents -------------------------------------------------------------------


@pytest.mark.parametrize("document", [[], "definition", None, 42, 1.5, True])
def test_parse_definition_not_an_object(document: Any) -> None:
    assert problems(document) == [("", "not_an_object")]


def test_parse_definition_missing_title_is_required() -> None:
    document = definition(passfail("ok"))
    del document["title"]
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(document)
    (error,) = caught.value.errors
    assert (error.pointer, error.code) == ("", "required")
    assert "title" in error.message


def test_parse_definition_missing_sections_is_required() -> None:
    document = definition(passfail("ok"))
    del document["sections"]
    assert problems(document) == [("", "required")]


def test_parse_definition_empty_sections_refused() -> None:
    assert problems(definition(passfail("ok")) | {"sections": []}) == [
        ("/sections", "schema_minItems")
    ]


def test_parse_definition_wrong_schema_version_refused() -> None:
    assert problems(definition(passfail("ok"), schemaVersion=2)) == [
        ("/schemaVersion", "schema_const")
    ]


def test_parse_definition_missing_item_label_is_required() -> None:
    assert problems(definition({"key": "a", "type": "passfail"})) == [
        ("/sections/0/items/0", "required")
    ]


def test_parse_definition_unknown_item_type() -> None:
    assert problems(definition({"key": "a", "type": "slider", "label": "A"})) == [
        ("/sections/0/items/0/type", "unknown_item_type")
    ]


def test_parse_definition_unknown_item_type_message_lists_known_types() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition({"key": "a", "type": "slider", "label": "A"}))
    message = caught.value.errors[0].message
    assert "'slider'" in message
    assert "passfail" in message


def test_parse_definition_unknown_item_property() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition(passfail("ok", colour="red")))
    (error,) = caught.value.errors
    assert error.code == "unknown_property"
    assert error.pointer.startswith("/sections/0/items/0")
    assert "colour" in error.message


def test_parse_definition_property_of_another_type_is_unknown() -> None:
    # "unit" belongs to number items, not to pass/fail ones.
    assert [code for _, code in problems(definition(passfail("ok", unit="mm")))] == [
        "unknown_property"
    ]


def test_parse_definition_unknown_top_level_property() -> None:
    assert problems(definition(passfail("ok"), owner="me")) == [("/owner", "unknown_property")]


def test_parse_definition_unknown_section_property() -> None:
    document = definition(passfail("ok"))
    document["sections"][0]["colour"] = "red"
    assert problems(document) == [("/sections/0/colour", "unknown_property")]


@pytest.mark.parametrize("key", ["Upper", "1abc", "with-dash", "", "a b", "x" * 64])
def test_parse_definition_bad_item_key_pattern(key: str) -> None:
    assert problems(definition(passfail(key))) == [("/sections/0/items/0/key", "schema_pattern")]


def test_parse_definition_longest_item_key_accepted() -> None:
    parsed = parse_definition(definition(passfail("x" * 63)))
    assert parsed.items[0].key == "x" * 63


def test_parse_definition_bad_section_key_pattern() -> None:
    document = definition(passfail("ok"))
    document["sections"][0]["key"] = "Main"
    assert problems(document) == [("/sections/0/key", "schema_pattern")]


def test_parse_definition_duplicate_item_keys() -> None:
    assert problems(definition(passfail("ok"), passfail("ok"))) == [
        ("/sections/0/items/1/key", "duplicate_key")
    ]


def test_parse_definition_duplicate_key_message_names_first_use() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition(passfail("ok"), passfail("ok")))
    assert "/sections/0/items/0" in caught.value.errors[0].message


def test_parse_definition_duplicate_item_keys_across_sections() -> None:
    document = definition(passfail("ok"))
    document["sections"].append({"key": "more", "title": "More", "items": [passfail("ok")]})
    assert problems(document) == [("/sections/1/items/0/key", "duplicate_key")]


def test_parse_definition_duplicate_section_keys() -> None:
    document = definition(passfail("a"))
    document["sections"].append({"key": "main", "title": "Again", "items": [passfail("b")]})
    assert problems(document) == [("/sections/1/key", "duplicate_key")]


def test_parse_definition_duplicate_keys_inside_repeat() -> None:
    document = definition(repeat("rows", number("x"), text("x")))
    assert problems(document) == [("/sections/0/items/0/items/1/key", "duplicate_key")]


def test_parse_definition_repeat_child_may_reuse_a_top_level_key() -> None:
    parsed = parse_definition(definition(number("x"), repeat("rows", number("x"))))
    assert [child.key for child in parsed.by_key["rows"].children] == ["x"]


def test_parse_definition_same_child_key_in_two_repeats_accepted() -> None:
    parsed = parse_definition(definition(repeat("a", number("x")), repeat("b", number("x"))))
    assert [item.key for item in parsed.walk()] == ["a", "x", "b", "x"]


@pytest.mark.parametrize("nested", ["repeat", "computed"])
def test_parse_definition_repeat_child_type_refused(nested: str) -> None:
    child: dict[str, Any] = {"key": "inner", "type": nested, "label": "Inner"}
    child |= {"items": [number("x")]} if nested == "repeat" else {"expression": "1.0"}
    found = problems(definition(repeat("rows", child)))
    assert ("/sections/0/items/0/items/0/type", "unknown_item_type") in found


@pytest.mark.parametrize("rule", ["visibleIf", "requiredIf", "failIf"])
def test_parse_definition_repeat_child_logic_refused(rule: str) -> None:
    found = problems(definition(repeat("rows", number("x", **{rule: "true"}))))
    assert (f"/sections/0/items/0/items/0/{rule}", "unknown_property") in found


def test_parse_definition_repeat_without_children_refused() -> None:
    found = problems(definition(repeat("rows")))
    assert ("/sections/0/items/0/items", "schema_minItems") in found


def test_parse_definition_invalid_type_property_is_not_also_unknown() -> None:
    assert problems(definition(number("n", unit=5))) == [
        ("/sections/0/items/0/unit", "schema_type")
    ]


def test_parse_definition_choice_without_options_is_required() -> None:
    assert problems(definition({"key": "c", "type": "choice", "label": "C"})) == [
        ("/sections/0/items/0", "required")
    ]


def test_parse_definition_tag_reading_without_tag_is_required() -> None:
    assert problems(definition({"key": "t", "type": "tag_reading", "label": "T"})) == [
        ("/sections/0/items/0", "required")
    ]


def test_parse_definition_weight_above_maximum_refused() -> None:
    assert problems(definition(passfail("ok", weight=101))) == [
        ("/sections/0/items/0/weight", "schema_maximum")
    ]


def test_parse_definition_pass_threshold_above_100_refused() -> None:
    found = problems(definition(passfail("ok"), scoring={"passThreshold": 101}))
    assert found == [("/scoring/passThreshold", "schema_maximum")]


def test_parse_definition_unknown_on_fail_requirement_refused() -> None:
    found = problems(definition(passfail("ok", onFail={"require": ["signature"]})))
    assert found == [("/sections/0/items/0/onFail/require/0", "schema_enum")]


def test_parse_definition_schema_problems_sorted_by_pointer() -> None:
    document = definition(passfail("ok", weight=-1), passfail("Bad"))
    document["schemaVersion"] = 3
    pointers = [pointer for pointer, _ in problems(document)]
    assert pointers == sorted(pointers)
    assert len(pointers) == 3


def test_parse_definition_collects_every_rule_problem() -> None:
    document = definition(
        text("a", visibleIf="answers.a =="),
        number("a", limits={"lower": 3, "upper": 1}),
    )
    assert problems(document) == [
        ("/sections/0/items/0/visibleIf", "expression_syntax"),
        ("/sections/0/items/1/key", "duplicate_key"),
        ("/sections/0/items/1/limits", "limits_inverted"),
    ]


def test_parse_definition_invalid_is_a_422_domain_error() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition(passfail("ok"), passfail("ok")))
    assert caught.value.status == 422
    assert caught.value.code == "definition_invalid"
    assert "1 problem" in caught.value.detail


# --- expressions ---------------------------------------------------------------------------


def test_parse_definition_expression_syntax_error() -> None:
    assert problems(definition(text("a", visibleIf="answers.a == ("))) == [
        ("/sections/0/items/0/visibleIf", "expression_syntax")
    ]


def test_parse_definition_expression_unknown_root_variable() -> None:
    assert problems(definition(text("a", visibleIf="shift == 'night'"))) == [
        ("/sections/0/items/0/visibleIf", "expression_unknown_variable")
    ]


def test_parse_definition_expression_unknown_item() -> None:
    assert problems(definition(text("a", visibleIf="answers.nope == 'x'"))) == [
        ("/sections/0/items/0/visibleIf", "expression_unknown_item")
    ]


def test_parse_definition_expression_unknown_item_message_names_it() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition(text("a", visibleIf="answers.nope == 'x'")))
    assert "answers.nope" in caught.value.errors[0].message


def test_parse_definition_expression_dynamic_reference() -> None:
    assert problems(definition(text("a", visibleIf="answers['a'] == 'x'"))) == [
        ("/sections/0/items/0/visibleIf", "expression_dynamic_reference")
    ]


def test_parse_definition_expression_repeat_child_is_not_an_item() -> None:
    document = definition(
        repeat("rows", number("length")), text("a", visibleIf="answers.length > 1.0")
    )
    assert problems(document) == [("/sections/0/items/1/visibleIf", "expression_unknown_item")]


@pytest.mark.parametrize("rule", ["visibleIf", "requiredIf", "failIf"])
def test_parse_definition_expression_error_points_at_its_rule(rule: str) -> None:
    assert problems(definition(text("a", **{rule: "answers.nope"}))) == [
        (f"/sections/0/items/0/{rule}", "expression_unknown_item")
    ]


def test_parse_definition_section_visible_if_checked() -> None:
    document = definition(passfail("ok"))
    document["sections"][0]["visibleIf"] = "answers.nope == 'x'"
    assert problems(document) == [("/sections/0/visibleIf", "expression_unknown_item")]


def test_parse_definition_computed_expression_checked() -> None:
    computed = {"key": "c", "type": "computed", "label": "C", "expression": "answers.nope + 1.0"}
    assert problems(definition(computed)) == [
        ("/sections/0/items/0/expression", "expression_unknown_item")
    ]


def test_parse_definition_expression_may_read_a_later_item() -> None:
    parsed = parse_definition(definition(text("a", visibleIf="answers.b == 'x'"), text("b")))
    assert parsed.items[0].visible_if is not None
    assert parsed.items[0].visible_if.answer_keys == frozenset({"b"})


def test_parse_definition_expression_machine_variable_accepted() -> None:
    parsed = parse_definition(definition(number("t", failIf="machine.oven_temp > 200.0")))
    assert parsed.items[0].fail_if is not None


def test_parse_definition_expression_comprehension_variable_accepted() -> None:
    rule = "answers.rows.all(r, r.x != null)"
    parsed = parse_definition(definition(repeat("rows", number("x")), text("a", visibleIf=rule)))
    assert parsed.items[1].visible_if is not None


def test_parse_definition_expression_string_literal_is_not_a_reference() -> None:
    parsed = parse_definition(definition(text("a", visibleIf="answers.a != 'answers.nope'")))
    assert parsed.items[0].visible_if is not None
    assert parsed.items[0].visible_if.answer_keys == frozenset({"a"})


def test_parse_definition_blank_expression_refused_by_schema() -> None:
    assert problems(definition(text("a", visibleIf=""))) == [
        ("/sections/0/items/0/visibleIf", "schema_minLength")
    ]


def test_parse_definition_whitespace_expression_is_empty() -> None:
    assert problems(definition(text("a", visibleIf="   "))) == [
        ("/sections/0/items/0/visibleIf", "expression_empty")
    ]


# --- ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize("item_type", ["number", "tag_reading"])
def test_parse_definition_limits_inverted(item_type: str) -> None:
    item = number("n", limits={"lower": 200, "upper": 180}) | {"type": item_type}
    if item_type == "tag_reading":
        item["tag"] = {"role": "oven_temp"}
    assert problems(definition(item)) == [("/sections/0/items/0/limits", "limits_inverted")]


def test_parse_definition_computed_limits_inverted() -> None:
    computed = {
        "key": "c",
        "type": "computed",
        "label": "C",
        "expression": "1.0",
        "limits": {"lower": 2, "upper": 1},
    }
    assert problems(definition(computed)) == [("/sections/0/items/0/limits", "limits_inverted")]


def test_parse_definition_equal_limits_accepted() -> None:
    parsed = parse_definition(definition(number("n", limits={"lower": 5, "upper": 5})))
    assert parsed.items[0].config.limits.lower == 5


def test_parse_definition_one_sided_limits_accepted() -> None:
    parsed = parse_definition(definition(number("n", limits={"lower": 5})))
    assert parsed.items[0].config.limits.upper is None


def test_parse_definition_photo_range_inverted() -> None:
    photo = {"key": "p", "type": "photo", "label": "P", "minPhotos": 4, "maxPhotos": 2}
    assert problems(definition(photo)) == [("/sections/0/items/0/minPhotos", "range_inverted")]


def test_parse_definition_repeat_row_range_inverted() -> None:
    document = definition(repeat("rows", number("x"), minRows=5, maxRows=2))
    assert problems(document) == [("/sections/0/items/0/minRows", "range_inverted")]


def test_parse_definition_min_photos_above_default_max_is_range_inverted() -> None:
    photo = {"key": "p", "type": "photo", "label": "P", "minPhotos": 6}
    assert problems(definition(photo)) == [("/sections/0/items/0/minPhotos", "range_inverted")]


def test_parse_definition_min_rows_above_default_max_is_range_inverted() -> None:
    document = definition(repeat("rows", number("x"), minRows=20))
    assert problems(document) == [("/sections/0/items/0/minRows", "range_inverted")]


def test_parse_definition_non_finite_number_refused() -> None:
    with pytest.raises(DefinitionInvalid):
        parse_definition(definition(passfail("ok", weight=float("nan"))))


def test_parse_definition_deeply_nested_document_is_invalid() -> None:
    nested: Any = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(DefinitionInvalid):
        parse_definition(definition(passfail("ok")) | {"title": nested})


# --- typed result ---------------------------------------------------------------------------


def test_parse_definition_defaults() -> None:
    parsed = parse_definition(definition(passfail("ok")))
    item = parsed.items[0]
    assert parsed.pass_threshold == 100.0
    assert parsed.description == ""
    assert parsed.key is None
    assert (item.required, item.weight, item.critical) == (False, 1.0, False)
    assert item.on_fail_require == frozenset()
    assert (item.visible_if, item.required_if, item.fail_if) == (None, None, None)
    assert item.help == ""


def test_parse_definition_pass_threshold_from_scoring() -> None:
    parsed = parse_definition(definition(passfail("ok"), scoring={"passThreshold": 85}))
    assert parsed.pass_threshold == 85.0


def test_parse_definition_item_properties() -> None:
    item = passfail(
        "ok", required=True, weight=3, critical=True, help="Look", onFail={"require": ["photo"]}
    )
    parsed = parse_definition(definition(item)).items[0]
    assert (parsed.required, parsed.weight, parsed.critical) == (True, 3.0, True)
    assert parsed.help == "Look"
    assert parsed.on_fail_require == frozenset({"photo"})


def test_parse_definition_items_by_key_and_section() -> None:
    document = definition(passfail("a"))
    document["sections"].append({"key": "more", "title": "More", "items": [passfail("b")]})
    parsed = parse_definition(document)
    assert [item.key for item in parsed.items] == ["a", "b"]
    assert parsed.by_key["b"].section_key == "more"
    assert [section.key for section in parsed.sections] == ["main", "more"]


def test_parse_definition_walk_yields_children_after_their_group() -> None:
    parsed = parse_definition(definition(repeat("rows", number("x"), text("y")), passfail("z")))
    assert [item.key for item in parsed.walk()] == ["rows", "x", "y", "z"]


def test_parse_definition_by_key_leaves_out_repeat_children() -> None:
    parsed = parse_definition(definition(repeat("rows", number("x"))))
    assert set(parsed.by_key) == {"rows"}


def test_parse_definition_repeat_children_know_their_section() -> None:
    parsed = parse_definition(definition(repeat("rows", number("x"))))
    assert parsed.by_key["rows"].children[0].section_key == "main"


def test_parse_definition_keeps_the_document() -> None:
    document = definition(passfail("ok"))
    assert parse_definition(document).document == document


def test_parse_definition_does_not_change_the_document() -> None:
    document = templates()["press-startup"]
    before = copy.deepcopy(document)
    parse_definition(document)
    assert document == before


def test_parse_definition_item_type_is_the_registered_one() -> None:
    assert parse_definition(definition(passfail("ok"))).items[0].item_type is REGISTRY["passfail"]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (passfail("p"), {"allow_na": True, "allow_not_reviewed": False}),
        (number("n"), {"unit": "", "decimals": 2, "limits": None}),
        (text("t"), {"multiline": False, "max_length": 2000}),
        ({"key": "d", "type": "date", "label": "D"}, {"mode": "date"}),
        ({"key": "p", "type": "photo", "label": "P"}, {"min_photos": 1, "max_photos": 5}),
        (repeat("r", number("x")), {"min_rows": 1, "max_rows": 10}),
        ({"key": "i", "type": "instruction", "label": "I"}, {"text": ""}),
    ],
)
def test_parse_definition_config_defaults(item: dict[str, Any], expected: dict[str, Any]) -> None:
    config = parse_definition(definition(item)).items[0].config
    assert {name: getattr(config, name) for name in expected} == expected


def test_parse_definition_passfail_labels_merge_with_defaults() -> None:
    config = parse_definition(definition(passfail("ok", labels={"pass": "OK"}))).items[0].config
    assert config.choices == [("pass", "OK"), ("fail", "No"), ("na", "N/A")]


def test_parse_definition_passfail_choices_follow_flags() -> None:
    item = passfail("ok", allowNa=False, allowNotReviewed=True)
    config = parse_definition(definition(item)).items[0].config
    assert [value for value, _ in config.choices] == ["pass", "fail", "not_reviewed"]


def test_parse_definition_tag_reading_config() -> None:
    item = {
        "key": "t",
        "type": "tag_reading",
        "label": "T",
        "unit": "°C",
        "tag": {"role": "oven_temp"},
        "limits": {"lower": 1},
    }
    config = parse_definition(definition(item)).items[0].config
    assert (config.tag.role, config.tag.prefill, config.tag.max_age_seconds) == (
        "oven_temp",
        True,
        60,
    )
    assert config.number.unit == "°C"
    assert config.number.limits.lower == 1


def test_parse_definition_choice_options() -> None:
    item = {
        "key": "c",
        "type": "choice",
        "label": "C",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B", "fails": True}],
    }
    config = parse_definition(definition(item)).items[0].config
    assert [(o.value, o.fails) for o in config.options] == [("a", False), ("b", True)]
    assert config.scored
    assert config.label_of("b") == "B"
    assert config.label_of("zz") == "zz"


@pytest.mark.parametrize("name", sorted(templates()))
def test_parse_definition_library_template_parses(name: str) -> None:
    parsed = parse_definition(templates()[name])
    assert parsed.key == name
    assert parsed.items


def test_parse_definition_press_startup_structure() -> None:
    parsed = parse_definition(templates()["press-startup"])
    assert parsed.pass_threshold == 90.0
    assert parsed.title.get("de") == "Anlaufprüfung Presse"
    assert parsed.by_key["guards_closed"].critical
    assert [c.key for c in parsed.by_key["first_parts"].children] == ["length", "burr_free"]


# --- Text -----------------------------------------------------------------------------------


def test_text_parse_plain_string_is_the_default_language() -> None:
    assert Text.parse("Hello").values == ((DEFAULT_LANGUAGE, "Hello"),)


def test_text_get_requested_language() -> None:
    assert Text.parse({"en": "Yes", "de": "Ja"}).get("de") == "Ja"


def test_text_get_falls_back_to_default_language() -> None:
    assert Text.parse({"de": "Ja", "en": "Yes"}).get("fr") == "Yes"


def test_text_get_falls_back_to_first_given() -> None:
    assert Text.parse({"de": "Ja", "fr": "Oui"}).get("pt") == "Ja"


def test_text_get_without_argument_is_default_language() -> None:
    assert Text.parse({"de": "Ja", "en": "Yes"}).get() == "Yes"


def test_text_str_is_the_default_language() -> None:
    assert str(Text.parse({"de": "Ja", "en": "Yes"})) == "Yes"


def test_text_parsed_from_definition_label() -> None:
    item = passfail("ok") | {"label": {"en": "OK?", "de": "In Ordnung?"}}
    label = parse_definition(definition(item)).items[0].label
    assert (label.get("de"), label.get("it")) == ("In Ordnung?", "OK?")


def test_text_bad_language_code_refused() -> None:
    item = passfail("ok") | {"label": {"english": "OK?"}}
    assert problems(definition(item)) == [("/sections/0/items/0/label", "schema_oneOf")]


# --- registry -------------------------------------------------------------------------------


def test_build_registry_rejects_duplicate_names() -> None:
    with pytest.raises(ValueError, match="duplicate item type name: number"):
        build_registry([NumberType(), ChoiceType(), NumberType()])


def test_build_registry_indexes_by_name() -> None:
    number_type, choice_type = NumberType(), ChoiceType()
    assert build_registry([number_type, choice_type]) == {
        "number": number_type,
        "choice": choice_type,
    }


def test_registry_holds_every_item_type() -> None:
    assert set(REGISTRY) == {
        "passfail",
        "number",
        "choice",
        "multichoice",
        "text",
        "date",
        "photo",
        "signature",
        "tag_reading",
        "repeat",
        "computed",
        "instruction",
    }


def test_registry_blocks_take_no_answer() -> None:
    assert {name for name, t in REGISTRY.items() if not t.takes_answer} == {
        "computed",
        "instruction",
    }


def test_catalogue_lists_every_type_with_a_valid_config_schema() -> None:
    entries = catalogue()
    assert [entry["name"] for entry in entries] == list(REGISTRY)
    for entry in entries:
        Draft202012Validator.check_schema(entry["config"])


def test_catalogue_required_config_of_choice() -> None:
    choice = next(entry for entry in catalogue() if entry["name"] == "choice")
    assert choice["config"]["required"] == ["options"]
