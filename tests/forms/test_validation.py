"""Validating submissions: the per-version answers schema, structural errors with pointers,
the compiled-validator cache, then the engine (pure, no database)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from forms import validation
from forms.definition import Definition, parse_definition
from forms.library import templates
from forms.validation import CompiledVersion, answers_schema, compile_version, validate_submission
from tests.factories import definition, passfail

pytestmark = pytest.mark.unit

SHA = "a" * 64
_hashes = itertools.count()


def unique_hash() -> str:
    """A content hash no other test uses (the cache is process-wide)."""
    return f"test-validation-{next(_hashes)}"


def compile_items(*items: dict[str, Any], **extra: Any) -> CompiledVersion:
    """A compiled version of a one-section definition."""
    parsed = parse_definition(definition(*items, **extra))
    return compile_version(unique_hash(), lambda: parsed)


def check(compiled: CompiledVersion, answers: Any) -> list[tuple[str, str]]:
    """(pointer, code) of every error ``validate_submission`` reports."""
    found, _ = validate_submission(compiled, answers)
    return [(error.pointer, error.code) for error in found]


def number(key: str, **extra: Any) -> dict[str, Any]:
    """A number item."""
    return {"key": key, "type": "number", "label": key.title(), **extra}


def repeat(key: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A repeat group."""
    return {"key": key, "type": "repeat", "label": key.title(), "items": list(children), **extra}


class CountingLoader:
    """A ``load`` callable that counts its calls."""

    def __init__(self, parsed: Definition) -> None:
        self.parsed = parsed
        self.calls = 0

    def __call__(self) -> Definition:
        self.calls += 1
        return self.parsed


@pytest.fixture
def press() -> CompiledVersion:
    """The press start-up library template, compiled."""
    return compile_version(unique_hash(), lambda: parse_definition(templates()["press-startup"]))


def complete_press_answers() -> dict[str, Any]:
    """Answers to the press start-up template that pass every rule."""
    return {
        "guards_closed": {"value": "pass"},
        "estop_tested": {"value": "pass"},
        "oven_temp": {"value": 190.5},
        "oil_pressure": {"value": 200},
        "recipe": {"value": "A12"},
        "first_parts": {
            "value": [{"length": {"value": 120.0}, "burr_free": {"value": "pass"}}],
        },
        "operator_signature": {"value": SHA},
    }


# --- the answers schema ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(templates()))
def test_answers_schema_passes_check_schema(name: str) -> None:
    Draft202012Validator.check_schema(answers_schema(parse_definition(templates()[name])))


def test_answers_schema_has_one_property_per_top_level_item() -> None:
    parsed = parse_definition(definition(passfail("a"), repeat("g", number("x"))))
    assert set(answers_schema(parsed)["properties"]) == {"a", "g"}


# --- whole submissions ----------------------------------------------------------------------


def test_validate_submission_complete_answers(press: CompiledVersion) -> None:
    found, evaluation = validate_submission(press, complete_press_answers())
    assert found == []
    assert evaluation is not None
    assert evaluation.result == "pass"


def test_validate_submission_empty_answers_reports_required(press: CompiledVersion) -> None:
    found, evaluation = validate_submission(press, {})
    assert evaluation is not None
    assert {e.code for e in found} == {"required", "too_few_rows"}
    assert ("/answers/guards_closed", "required") in [(e.pointer, e.code) for e in found]


def test_validate_submission_engine_errors_match_evaluation(press: CompiledVersion) -> None:
    answers = complete_press_answers() | {"oil_pressure": {"value": 250}}
    found, evaluation = validate_submission(press, answers)
    assert evaluation is not None
    assert found == list(evaluation.errors)
    assert ("/answers/oil_pressure/comment", "comment_required") in [
        (e.pointer, e.code) for e in found
    ]


def test_validate_submission_passes_machine_values() -> None:
    compiled = compile_items(number("t", failIf="machine.oven_temp > 200.0"))
    _, evaluation = validate_submission(compiled, {"t": {"value": 1}}, {"oven_temp": 250.0})
    assert evaluation is not None
    assert evaluation.failed_items == ("t",)


@pytest.mark.parametrize("answers", [[], "answers", None, 3, 2.5, True, [{"a": {}}]])
def test_validate_submission_non_dict_answers(answers: Any) -> None:
    compiled = compile_items(passfail("a"))
    found, evaluation = validate_submission(compiled, answers)
    assert [(e.pointer, e.code) for e in found] == [("/answers", "wrong_type")]
    assert evaluation is None


# --- structural errors ----------------------------------------------------------------------


def test_validate_submission_wrong_value_type() -> None:
    compiled = compile_items(number("n"))
    found, evaluation = validate_submission(compiled, {"n": {"value": "twelve"}})
    assert [(e.pointer, e.code) for e in found] == [("/answers/n/value", "wrong_type")]
    assert evaluation is None


def test_validate_submission_boolean_is_not_a_number() -> None:
    assert check(compile_items(number("n")), {"n": {"value": True}}) == [
        ("/answers/n/value", "wrong_type")
    ]


def test_validate_submission_structural_errors_skip_the_engine() -> None:
    compiled = compile_items(passfail("a", required=True), number("n"))
    assert check(compiled, {"n": {"value": "x"}}) == [("/answers/n/value", "wrong_type")]


def test_validate_submission_envelope_must_be_object() -> None:
    assert check(compile_items(number("n")), {"n": 5}) == [("/answers/n", "wrong_type")]


def test_validate_submission_unknown_item() -> None:
    compiled = compile_items(passfail("a"))
    found, evaluation = validate_submission(compiled, {"nope": {"value": "pass"}})
    assert [(e.pointer, e.code) for e in found] == [("/answers/nope", "unknown_item")]
    assert "nope" in found[0].message
    assert evaluation is None


def test_validate_submission_every_unknown_item_listed() -> None:
    compiled = compile_items(passfail("a"))
    assert check(compiled, {"zz": {}, "a": {"value": "pass"}, "bb": {}}) == [
        ("/answers/bb", "unknown_item"),
        ("/answers/zz", "unknown_item"),
    ]


def test_validate_submission_unknown_envelope_property() -> None:
    found = check(compile_items(passfail("a")), {"a": {"value": "pass", "colour": "red"}})
    assert [pointer for pointer, _ in found] == ["/answers/a/colour"]


def test_validate_submission_errors_sorted_by_pointer() -> None:
    compiled = compile_items(number("b"), number("a"), passfail("c"))
    answers = {"c": {"value": "maybe"}, "b": {"value": "x"}, "a": {"value": "y"}}
    pointers = [pointer for pointer, _ in check(compiled, answers)]
    assert pointers == ["/answers/a/value", "/answers/b/value", "/answers/c/value"]


def test_validate_submission_null_value_is_structurally_fine() -> None:
    assert check(compile_items(number("n")), {"n": {"value": None}}) == []


def test_validate_submission_choice_unknown_option() -> None:
    item = {"key": "c", "type": "choice", "label": "C", "options": [{"value": "a", "label": "A"}]}
    assert check(compile_items(item), {"c": {"value": "b"}}) == [("/answers/c/value", "wrong_type")]


def test_validate_submission_multichoice_duplicate_options() -> None:
    item = {
        "key": "m",
        "type": "multichoice",
        "label": "M",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    }
    assert check(compile_items(item), {"m": {"value": ["a", "a"]}}) == [
        ("/answers/m/value", "wrong_type")
    ]


def test_validate_submission_text_too_long() -> None:
    item = {"key": "t", "type": "text", "label": "T", "maxLength": 5}
    assert check(compile_items(item), {"t": {"value": "123456"}}) == [
        ("/answers/t/value", "wrong_type")
    ]


def test_validate_submission_date_must_be_text() -> None:
    item = {"key": "d", "type": "date", "label": "D"}
    assert check(compile_items(item), {"d": {"value": 20261125}}) == [
        ("/answers/d/value", "wrong_type")
    ]


def test_validate_submission_invalid_date_text() -> None:
    item = {"key": "d", "type": "date", "label": "D"}
    assert check(compile_items(item), {"d": {"value": "2026-02-30"}}) == [
        ("/answers/d/value", "invalid_date")
    ]


@pytest.mark.parametrize(
    "photos",
    [["a" * 64] * 2, ["not-a-hash"], ["A" * 64], [SHA, "b" * 64, "c" * 64]],
    ids=["duplicate", "not-hex", "upper-case", "too-many"],
)
def test_validate_submission_bad_photo_list(photos: list[str]) -> None:
    item = {"key": "p", "type": "photo", "label": "P", "maxPhotos": 2}
    assert check(compile_items(item), {"p": {"value": photos}}) == [
        ("/answers/p/value", "wrong_type")
    ]


def test_validate_submission_too_few_photos() -> None:
    item = {"key": "p", "type": "photo", "label": "P", "minPhotos": 2}
    assert check(compile_items(item), {"p": {"value": [SHA]}}) == [
        ("/answers/p/value", "wrong_type")
    ]


def test_validate_submission_signature_must_be_a_hash() -> None:
    item = {"key": "s", "type": "signature", "label": "S"}
    assert check(compile_items(item), {"s": {"value": "scribble"}}) == [
        ("/answers/s/value", "wrong_type")
    ]


def test_validate_submission_passfail_not_reviewed_refused_by_default() -> None:
    assert check(compile_items(passfail("a")), {"a": {"value": "not_reviewed"}}) == [
        ("/answers/a/value", "wrong_type")
    ]


def test_validate_submission_passfail_not_reviewed_when_allowed() -> None:
    compiled = compile_items(passfail("a", allowNotReviewed=True))
    assert check(compiled, {"a": {"value": "not_reviewed"}}) == []


def test_validate_submission_passfail_na_refused_when_not_allowed() -> None:
    compiled = compile_items(passfail("a", allowNa=False))
    assert check(compiled, {"a": {"value": "na"}}) == [("/answers/a/value", "wrong_type")]


def test_validate_submission_comment_too_long() -> None:
    answers = {"a": {"value": "pass", "comment": "x" * (validation.MAX_COMMENT_LENGTH + 1)}}
    assert check(compile_items(passfail("a")), answers) == [("/answers/a/comment", "wrong_type")]


def test_validate_submission_reaction_kind_unknown() -> None:
    answers = {"a": {"value": "fail", "reaction": {"kind": "ignored"}}}
    assert check(compile_items(passfail("a")), answers) == [
        ("/answers/a/reaction/kind", "wrong_type")
    ]


def test_validate_submission_reaction_without_kind() -> None:
    answers = {"a": {"value": "fail", "reaction": {"note": "x"}}}
    assert check(compile_items(passfail("a")), answers) == [("/answers/a/reaction", "wrong_type")]


def test_validate_submission_evidence_photos_must_be_hashes() -> None:
    answers = {"a": {"value": "fail", "photos": ["photo.jpg"]}}
    assert check(compile_items(passfail("a")), answers) == [("/answers/a/photos/0", "wrong_type")]


def test_validate_submission_computed_value_echo_ignored() -> None:
    item = {"key": "c", "type": "computed", "label": "C", "expression": "1.0"}
    assert check(compile_items(item), {"c": {"value": {"anything": [1, 2]}}}) == []


def test_validate_submission_repeat_too_many_rows() -> None:
    compiled = compile_items(repeat("g", number("x"), maxRows=2))
    answers = {"g": {"value": [{}, {}, {}]}}
    assert check(compiled, answers) == [("/answers/g/value", "wrong_type")]


def test_validate_submission_repeat_child_wrong_type() -> None:
    compiled = compile_items(repeat("g", number("x")))
    answers = {"g": {"value": [{"x": {"value": 1}}, {"x": {"value": "two"}}]}}
    assert check(compiled, answers) == [("/answers/g/value/1/x/value", "wrong_type")]


def test_validate_submission_repeat_unknown_child() -> None:
    compiled = compile_items(repeat("g", number("x")))
    assert check(compiled, {"g": {"value": [{"y": {"value": 1}}]}}) == [
        ("/answers/g/value/0/y", "unknown_item")
    ]


def test_validate_submission_repeat_row_must_be_object() -> None:
    compiled = compile_items(repeat("g", number("x")))
    assert check(compiled, {"g": {"value": [5]}}) == [("/answers/g/value/0", "wrong_type")]


def test_validate_submission_repeat_child_engine_error() -> None:
    compiled = compile_items(repeat("g", number("x", required=True)))
    assert check(compiled, {"g": {"value": [{"x": {"value": None}}]}}) == [
        ("/answers/g/value/0/x", "required")
    ]


def test_validate_submission_message_is_capped() -> None:
    item = {
        "key": "c",
        "type": "choice",
        "label": "C",
        "options": [{"value": f"option_{i}", "label": f"O{i}"} for i in range(80)],
    }
    found, _ = validate_submission(compile_items(item), {"c": {"value": 1}})
    assert len(found[0].message) <= 300


def test_validate_submission_wrong_type_message_explains_value_schema() -> None:
    found, _ = validate_submission(compile_items(number("n")), {"n": {"value": "x"}})
    assert "null" not in found[0].message


def test_validate_submission_unknown_item_pointer_is_escaped() -> None:
    assert check(compile_items(passfail("a")), {"a/b": {}, "c~d": {}}) == [
        ("/answers/a~1b", "unknown_item"),
        ("/answers/c~0d", "unknown_item"),
    ]


def test_validate_submission_huge_integer_is_a_field_error() -> None:
    found, _ = validate_submission(compile_items(number("n")), {"n": {"value": 10**400}})
    assert [(e.pointer, e.code) for e in found] == [("/answers/n/value", "wrong_type")]


# --- the compiled-version cache -------------------------------------------------------------


def test_compile_version_same_hash_same_object() -> None:
    content_hash = unique_hash()
    parsed = parse_definition(definition(passfail("a")))
    first = compile_version(content_hash, lambda: parsed)
    assert compile_version(content_hash, lambda: parsed) is first


def test_compile_version_loads_once_per_hash() -> None:
    content_hash = unique_hash()
    load = CountingLoader(parse_definition(definition(passfail("a"))))
    compile_version(content_hash, load)
    compile_version(content_hash, load)
    assert load.calls == 1


def test_compile_version_cache_hit_ignores_new_loader() -> None:
    content_hash = unique_hash()
    compile_version(content_hash, lambda: parse_definition(definition(passfail("a"))))
    other = CountingLoader(parse_definition(definition(passfail("b"))))
    assert set(compile_version(content_hash, other).definition.by_key) == {"a"}
    assert other.calls == 0


def test_compile_version_different_hash_new_object() -> None:
    parsed = parse_definition(definition(passfail("a")))
    first = compile_version(unique_hash(), lambda: parsed)
    assert compile_version(unique_hash(), lambda: parsed) is not first


def test_compile_version_keeps_definition_and_schema() -> None:
    parsed = parse_definition(definition(passfail("a")))
    compiled = compile_version(unique_hash(), lambda: parsed)
    assert compiled.definition is parsed
    assert compiled.schema == answers_schema(parsed)


def test_compile_version_evicts_least_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "_CACHE_SIZE", 2)
    load = CountingLoader(parse_definition(definition(passfail("a"))))
    first, second, third = unique_hash(), unique_hash(), unique_hash()
    compile_version(first, load)
    compile_version(second, load)
    compile_version(first, load)  # first is now the most recently used
    compile_version(third, load)  # evicts second
    compile_version(first, load)
    assert load.calls == 3
    compile_version(second, load)
    assert load.calls == 4


def test_compile_version_load_error_is_not_cached() -> None:
    content_hash = unique_hash()

    def broken() -> Definition:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        compile_version(content_hash, broken)
    load = CountingLoader(parse_definition(definition(passfail("a"))))
    compile_version(content_hash, load)
    assert load.calls == 1
