"""The logic engine: visibility, required rules, computed values, failIf, outcomes, scoring and
"No → comment/photo/reaction" requirements, over parsed definitions (pure, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from forms.definition import Definition, DefinitionInvalid, parse_definition
from forms.engine import Evaluation, evaluate, logic_state
from forms.itemtypes import Outcome
from forms.validation import compile_version, validate_submission
from tests.factories import definition, passfail

pytestmark = pytest.mark.unit

SHA = "a" * 64


def parse(*items: dict[str, Any], **extra: Any) -> Definition:
    """A parsed one-section definition of ``items``."""
    return parse_definition(definition(*items, **extra))


def run(parsed: Definition, **answers: Any) -> Evaluation:
    """Evaluate bare values (``key=value``) or envelopes (``key={"value": ...}``)."""
    envelopes = {
        key: value if isinstance(value, dict) else {"value": value}
        for key, value in answers.items()
    }
    return evaluate(parsed, envelopes)


def errors(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(pointer, code) of every error."""
    return [(error.pointer, error.code) for error in evaluation.errors]


def outcomes(evaluation: Evaluation) -> dict[str, Outcome]:
    """Result path → outcome."""
    return {result.path: result.outcome for result in evaluation.results}


def number(key: str, **extra: Any) -> dict[str, Any]:
    """A number item."""
    return {"key": key, "type": "number", "label": key.title(), **extra}


def text(key: str, **extra: Any) -> dict[str, Any]:
    """A text item."""
    return {"key": key, "type": "text", "label": key.title(), **extra}


def choice(key: str, *options: str, fails: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """A choice item; options in ``fails`` fail it."""
    return {
        "key": key,
        "type": "choice",
        "label": key.title(),
        "options": [{"value": o, "label": o.upper(), "fails": o in fails} for o in options],
        **extra,
    }


def multichoice(key: str, *options: str, fails: tuple[str, ...] = ()) -> dict[str, Any]:
    """A multiple-choice item."""
    return choice(key, *options, fails=fails) | {"type": "multichoice"}


def repeat(key: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A repeat group."""
    return {"key": key, "type": "repeat", "label": key.title(), "items": list(children), **extra}


def computed(key: str, expression: str, **extra: Any) -> dict[str, Any]:
    """A computed item."""
    return {"key": key, "type": "computed", "label": key.title(), "expression": expression, **extra}


def rows(*values: dict[str, Any]) -> dict[str, Any]:
    """A repeat envelope: each row maps child key → bare value."""
    return {"value": [{k: {"value": v} for k, v in row.items()} for row in values]}


# --- scoring --------------------------------------------------------------------------------


def test_evaluate_score_is_weighted_percentage() -> None:
    parsed = parse(passfail("a", weight=3), passfail("b"))
    assert run(parsed, a="pass", b="fail").score == 75.0


def test_evaluate_score_all_passed_is_100() -> None:
    assert run(parse(passfail("a"), passfail("b")), a="pass", b="pass").score == 100.0


def test_evaluate_score_all_failed_is_0() -> None:
    assert run(parse(passfail("a"), passfail("b")), a="fail", b="fail").score == 0.0


def test_evaluate_score_rounded_to_two_decimals() -> None:
    parsed = parse(passfail("a"), passfail("b"), passfail("c"))
    assert run(parsed, a="pass", b="fail", c="fail").score == 33.33


def test_evaluate_result_points() -> None:
    parsed = parse(passfail("a", weight=2.5), passfail("b", weight=4))
    results = {r.path: (r.points, r.max_points) for r in run(parsed, a="pass", b="fail").results}
    assert results == {"a": (2.5, 2.5), "b": (0.0, 4.0)}


def test_evaluate_passes_at_threshold() -> None:
    parsed = parse(passfail("a", weight=3), passfail("b"), scoring={"passThreshold": 75})
    evaluation = run(parsed, a="pass", b="fail")
    assert evaluation.passed
    assert evaluation.result == "pass"


def test_evaluate_fails_below_threshold() -> None:
    parsed = parse(passfail("a", weight=3), passfail("b"), scoring={"passThreshold": 75.01})
    evaluation = run(parsed, a="pass", b="fail")
    assert not evaluation.passed
    assert evaluation.result == "fail"


def test_evaluate_default_threshold_fails_on_any_failure() -> None:
    parsed = parse(passfail("a", weight=99), passfail("b"))
    assert run(parsed, a="pass", b="fail").result == "fail"


def test_evaluate_critical_failure_fails_audit_on_its_own() -> None:
    parsed = parse(
        passfail("a", weight=99), passfail("b", critical=True), scoring={"passThreshold": 0}
    )
    evaluation = run(parsed, a="pass", b="fail")
    assert evaluation.critical_failed
    assert evaluation.result == "fail"


def test_evaluate_critical_failure_with_zero_weight_still_fails() -> None:
    parsed = parse(passfail("a", critical=True, weight=0))
    evaluation = run(parsed, a="fail")
    assert evaluation.score is None
    assert evaluation.result == "fail"


def test_evaluate_non_critical_failure_above_threshold_passes() -> None:
    parsed = parse(passfail("a", weight=9), passfail("b"), scoring={"passThreshold": 80})
    evaluation = run(parsed, a="pass", b="fail")
    assert not evaluation.critical_failed
    assert evaluation.result == "pass"


def test_evaluate_critical_item_passing_is_not_critical_failure() -> None:
    assert not run(parse(passfail("a", critical=True)), a="pass").critical_failed


@pytest.mark.parametrize("value", ["na", "not_reviewed"])
def test_evaluate_skipped_answers_excluded_from_score(value: str) -> None:
    parsed = parse(passfail("a"), passfail("b", allowNotReviewed=True), passfail("c"))
    evaluation = run(parsed, a="pass", b=value, c="fail")
    assert evaluation.score == 50.0


def test_evaluate_answered_outcome_excluded_from_score() -> None:
    evaluation = run(parse(passfail("a"), text("t")), a="pass", t="fine")
    assert outcomes(evaluation)["t"] is Outcome.ANSWERED
    assert evaluation.score == 100.0


def test_evaluate_unanswered_excluded_from_score() -> None:
    assert run(parse(passfail("a"), passfail("b")), a="fail").score == 0.0


def test_evaluate_score_none_when_nothing_scored() -> None:
    evaluation = run(parse(text("t"), passfail("a")), t="x", a="na")
    assert evaluation.score is None
    assert evaluation.passed


def test_evaluate_zero_weight_item_not_counted() -> None:
    parsed = parse(passfail("a"), passfail("b", weight=0))
    assert run(parsed, a="pass", b="fail").score == 100.0


def test_evaluate_failed_items_lists_paths_in_order() -> None:
    parsed = parse(passfail("a"), passfail("b"), repeat("g", passfail("x")))
    evaluation = run(parsed, a="fail", b="pass", g=rows({"x": "pass"}, {"x": "fail"}))
    assert evaluation.failed_items == ("a", "g/1/x")


def test_evaluate_no_answers_no_errors_when_nothing_required() -> None:
    evaluation = evaluate(parse(passfail("a"), number("n")), {})
    assert evaluation.ok
    assert set(outcomes(evaluation).values()) == {Outcome.UNANSWERED}


# --- pass/fail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pass", Outcome.PASS),
        ("fail", Outcome.FAIL),
        ("na", Outcome.NA),
        ("not_reviewed", Outcome.NOT_REVIEWED),
    ],
)
def test_evaluate_passfail_outcome(value: str, expected: Outcome) -> None:
    assert outcomes(run(parse(passfail("a")), a=value))["a"] is expected


def test_evaluate_passfail_na_refused_when_not_allowed() -> None:
    parsed = parse(passfail("a", allowNa=False))
    compiled = compile_version("engine-passfail-no-na", lambda: parsed)
    found, evaluation = validate_submission(compiled, {"a": {"value": "na"}})
    assert [(e.pointer, e.code) for e in found] == [("/answers/a/value", "wrong_type")]
    assert evaluation is None


def test_evaluate_passfail_na_accepted_by_default() -> None:
    compiled = compile_version("engine-passfail-na", lambda: parse(passfail("a")))
    found, evaluation = validate_submission(compiled, {"a": {"value": "na"}})
    assert found == []
    assert evaluation is not None


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [180, 180.0, 190.5, 200])
def test_evaluate_number_inside_limits_passes(value: float) -> None:
    parsed = parse(number("n", limits={"lower": 180, "upper": 200}))
    assert outcomes(run(parsed, n=value))["n"] is Outcome.PASS


@pytest.mark.parametrize("value", [179.99, -5, 200.01, 1e9])
def test_evaluate_number_outside_limits_fails(value: float) -> None:
    parsed = parse(number("n", limits={"lower": 180, "upper": 200}))
    assert outcomes(run(parsed, n=value))["n"] is Outcome.FAIL


def test_evaluate_number_lower_limit_only() -> None:
    parsed = parse(number("n", limits={"lower": 10}))
    assert outcomes(run(parsed, n=1e12))["n"] is Outcome.PASS


def test_evaluate_number_upper_limit_only() -> None:
    parsed = parse(number("n", limits={"upper": 10}))
    assert outcomes(run(parsed, n=11))["n"] is Outcome.FAIL


def test_evaluate_number_without_limits_is_answered() -> None:
    evaluation = run(parse(number("n")), n=42)
    assert outcomes(evaluation)["n"] is Outcome.ANSWERED
    assert evaluation.score is None


def test_evaluate_number_zero_is_an_answer() -> None:
    evaluation = run(parse(number("n", required=True)), n=0)
    assert evaluation.ok
    assert outcomes(evaluation)["n"] is Outcome.ANSWERED


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_evaluate_number_non_finite_is_wrong_type(value: float) -> None:
    evaluation = run(parse(number("n", limits={"lower": 0})), n=value)
    assert errors(evaluation) == [("/answers/n/value", "wrong_type")]
    assert outcomes(evaluation)["n"] is Outcome.UNANSWERED


def test_evaluate_tag_reading_outside_limits_fails() -> None:
    item = number("t", limits={"lower": 180, "upper": 200}) | {
        "type": "tag_reading",
        "tag": {"role": "oven_temp"},
    }
    assert outcomes(run(parse(item), t=205.5))["t"] is Outcome.FAIL


# --- choices --------------------------------------------------------------------------------


def test_evaluate_choice_failing_option_fails() -> None:
    parsed = parse(choice("c", "ok", "worn", fails=("worn",)))
    assert outcomes(run(parsed, c="worn"))["c"] is Outcome.FAIL


def test_evaluate_choice_other_option_passes_when_some_fail() -> None:
    parsed = parse(choice("c", "ok", "worn", fails=("worn",)))
    assert outcomes(run(parsed, c="ok"))["c"] is Outcome.PASS


def test_evaluate_choice_without_failing_options_is_answered() -> None:
    assert outcomes(run(parse(choice("c", "a", "b")), c="a"))["c"] is Outcome.ANSWERED


def test_evaluate_multichoice_any_failing_option_fails() -> None:
    parsed = parse(multichoice("m", "a", "b", "c", fails=("c",)))
    assert outcomes(run(parsed, m=["a", "c"]))["m"] is Outcome.FAIL


def test_evaluate_multichoice_only_passing_options_passes() -> None:
    parsed = parse(multichoice("m", "a", "b", "c", fails=("c",)))
    assert outcomes(run(parsed, m=["a", "b"]))["m"] is Outcome.PASS


def test_evaluate_multichoice_without_failing_options_is_answered() -> None:
    assert outcomes(run(parse(multichoice("m", "a", "b")), m=["b"]))["m"] is Outcome.ANSWERED


def test_evaluate_multichoice_empty_list_is_unanswered() -> None:
    evaluation = run(parse(multichoice("m", "a", fails=("a",)) | {"required": True}), m=[])
    assert errors(evaluation) == [("/answers/m", "required")]
    assert outcomes(evaluation)["m"] is Outcome.UNANSWERED


# --- required -------------------------------------------------------------------------------


def test_evaluate_required_missing_answer() -> None:
    evaluation = evaluate(parse(passfail("a", required=True)), {})
    assert errors(evaluation) == [("/answers/a", "required")]
    assert not evaluation.ok


def test_evaluate_required_null_value() -> None:
    assert errors(run(parse(passfail("a", required=True)), a=None)) == [("/answers/a", "required")]


def test_evaluate_required_envelope_without_value() -> None:
    evaluation = run(parse(passfail("a", required=True)), a={"comment": "later"})
    assert errors(evaluation) == [("/answers/a", "required")]


@pytest.mark.parametrize("value", ["", "   ", "\n\t"])
def test_evaluate_required_blank_text(value: str) -> None:
    assert errors(run(parse(text("t", required=True)), t=value)) == [("/answers/t", "required")]


def test_evaluate_optional_missing_answer_is_unanswered() -> None:
    evaluation = evaluate(parse(passfail("a")), {})
    assert evaluation.ok
    assert outcomes(evaluation) == {"a": Outcome.UNANSWERED}


def test_evaluate_required_if_true_requires() -> None:
    parsed = parse(passfail("ok"), text("why", requiredIf="answers.ok == 'fail'"))
    evaluation = run(parsed, ok="fail")
    assert errors(evaluation) == [("/answers/why", "required")]
    assert evaluation.required == frozenset({"why"})


def test_evaluate_required_if_false_does_not_require() -> None:
    parsed = parse(passfail("ok"), text("why", requiredIf="answers.ok == 'fail'"))
    assert run(parsed, ok="pass").ok


def test_evaluate_required_if_runtime_error_falls_back_to_not_required() -> None:
    parsed = parse(number("n"), text("why", requiredIf="answers.n > 1.0"))
    evaluation = evaluate(parsed, {})
    assert evaluation.ok
    assert evaluation.required == frozenset()


def test_evaluate_required_if_non_boolean_is_not_true() -> None:
    assert evaluate(parse(text("why", requiredIf="'yes'")), {}).ok


@pytest.mark.parametrize(
    "item",
    [
        {"key": "i", "type": "instruction", "label": "Read", "text": "Do it", "required": True},
        {"key": "c", "type": "computed", "label": "C", "expression": "1.0", "required": True},
    ],
)
def test_evaluate_required_block_needs_no_answer(item: dict[str, Any]) -> None:
    assert evaluate(parse(item), {}).ok


# --- visibility -----------------------------------------------------------------------------


def test_evaluate_hidden_required_item_has_no_error() -> None:
    parsed = parse(passfail("ok"), text("why", required=True, visibleIf="answers.ok == 'fail'"))
    evaluation = run(parsed, ok="pass")
    assert evaluation.ok
    assert evaluation.visible == frozenset({"ok"})


def test_evaluate_hidden_item_is_not_scored() -> None:
    parsed = parse(passfail("gate"), passfail("b", visibleIf="answers.gate == 'fail'"))
    evaluation = run(parsed, gate="pass", b="fail")
    assert evaluation.score == 100.0
    assert set(outcomes(evaluation)) == {"gate"}


def test_evaluate_hidden_item_answer_does_not_fail_audit() -> None:
    parsed = parse(passfail("gate"), passfail("b", critical=True, visibleIf="answers.gate == 'na'"))
    evaluation = run(parsed, gate="pass", b="fail")
    assert not evaluation.critical_failed
    assert evaluation.result == "pass"


def test_evaluate_hidden_section_hides_its_items() -> None:
    document = definition(choice("mode", "auto", "manual"))
    document["sections"].append(
        {
            "key": "hand",
            "title": "Hand",
            "visibleIf": "answers.mode == 'manual'",
            "items": [passfail("check", required=True)],
        }
    )
    evaluation = run(parse_definition(document), mode="auto")
    assert evaluation.ok
    assert evaluation.visible == frozenset({"mode"})


def test_evaluate_visible_if_runtime_error_falls_back_to_visible() -> None:
    parsed = parse(number("n"), passfail("b", required=True, visibleIf="answers.n > 1.0"))
    evaluation = evaluate(parsed, {})
    assert "b" in evaluation.visible
    assert errors(evaluation) == [("/answers/b", "required")]


def test_evaluate_hidden_item_reads_as_null_for_later_rules() -> None:
    parsed = parse(
        passfail("gate"),
        number("temp", visibleIf="answers.gate == 'pass'"),
        text("note", required=True, visibleIf="answers.temp == null"),
    )
    evaluation = run(parsed, gate="fail", temp=500)
    assert errors(evaluation) == [("/answers/note", "required")]


def test_logic_state_machine_values_drive_visibility() -> None:
    parsed = parse(text("hot", visibleIf="machine.oven_temp > 200.0"))
    assert logic_state(parsed, {}, {"oven_temp": 210.0}).visible == frozenset({"hot"})


def test_logic_state_without_machine_values_rule_falls_back() -> None:
    parsed = parse(text("hot", visibleIf="machine.oven_temp > 200.0"))
    assert logic_state(parsed, {}).visible == frozenset({"hot"})


# --- on fail --------------------------------------------------------------------------------


def test_evaluate_on_fail_requires_comment() -> None:
    parsed = parse(passfail("a", onFail={"require": ["comment"]}))
    assert errors(run(parsed, a="fail")) == [("/answers/a/comment", "comment_required")]


def test_evaluate_on_fail_blank_comment_is_missing() -> None:
    parsed = parse(passfail("a", onFail={"require": ["comment"]}))
    evaluation = run(parsed, a={"value": "fail", "comment": "  "})
    assert errors(evaluation) == [("/answers/a/comment", "comment_required")]


def test_evaluate_on_fail_requires_photo() -> None:
    parsed = parse(passfail("a", onFail={"require": ["photo"]}))
    assert errors(run(parsed, a="fail")) == [("/answers/a/photos", "photo_required")]


def test_evaluate_on_fail_requires_reaction() -> None:
    parsed = parse(passfail("a", onFail={"require": ["reaction"]}))
    assert errors(run(parsed, a="fail")) == [("/answers/a/reaction", "reaction_required")]


def test_evaluate_on_fail_reaction_needs_a_known_kind() -> None:
    parsed = parse(passfail("a", onFail={"require": ["reaction"]}))
    evaluation = run(parsed, a={"value": "fail", "reaction": {"kind": "ignored"}})
    assert errors(evaluation) == [("/answers/a/reaction", "reaction_required")]


def test_evaluate_on_fail_lists_every_missing_part() -> None:
    parsed = parse(passfail("a", onFail={"require": ["comment", "photo", "reaction"]}))
    assert [code for _, code in errors(run(parsed, a="fail"))] == [
        "comment_required",
        "photo_required",
        "reaction_required",
    ]


def test_evaluate_on_fail_satisfied() -> None:
    parsed = parse(passfail("a", onFail={"require": ["comment", "photo", "reaction"]}))
    envelope = {
        "value": "fail",
        "comment": "Guard open",
        "photos": [SHA],
        "reaction": {"kind": "contained"},
    }
    assert run(parsed, a=envelope).ok


def test_evaluate_on_fail_not_checked_when_passing() -> None:
    parsed = parse(passfail("a", onFail={"require": ["comment", "photo", "reaction"]}))
    assert run(parsed, a="pass").ok


def test_evaluate_on_fail_applies_to_number_out_of_limits() -> None:
    parsed = parse(number("n", limits={"upper": 10}, onFail={"require": ["comment"]}))
    assert errors(run(parsed, n=11)) == [("/answers/n/comment", "comment_required")]


def test_evaluate_result_keeps_comment_reaction_and_photos() -> None:
    envelope = {
        "value": "fail",
        "comment": "Bent",
        "photos": [SHA],
        "reaction": {"kind": "escalated"},
    }
    (result,) = run(parse(passfail("a")), a=envelope).results
    assert result.comment == "Bent"
    assert result.reaction == {"kind": "escalated"}
    assert result.photos == (SHA,)


def test_evaluate_result_drops_blank_comment() -> None:
    (result,) = run(parse(passfail("a")), a={"value": "pass", "comment": " "}).results
    assert result.comment is None


# --- repeat groups --------------------------------------------------------------------------


def test_evaluate_repeat_too_few_rows() -> None:
    parsed = parse(repeat("g", number("x"), minRows=2, required=True))
    assert errors(run(parsed, g=rows({"x": 1}))) == [("/answers/g", "too_few_rows")]


def test_evaluate_required_repeat_without_rows_has_too_few_rows() -> None:
    parsed = parse(repeat("g", number("x"), required=True))
    assert errors(evaluate(parsed, {})) == [("/answers/g", "too_few_rows")]


def test_evaluate_optional_repeat_without_rows_is_fine() -> None:
    assert evaluate(parse(repeat("g", number("x"), minRows=3)), {}).ok


def test_evaluate_optional_repeat_with_rows_checks_min_rows() -> None:
    parsed = parse(repeat("g", number("x"), minRows=3))
    assert errors(run(parsed, g=rows({"x": 1}))) == [("/answers/g", "too_few_rows")]


def test_evaluate_repeat_enough_rows() -> None:
    parsed = parse(repeat("g", number("x"), minRows=2, required=True))
    assert run(parsed, g=rows({"x": 1}, {"x": 2})).ok


def test_evaluate_repeat_child_required() -> None:
    parsed = parse(repeat("g", number("x", required=True), text("note")))
    evaluation = run(parsed, g=rows({"x": 1}, {"note": "forgot"}))
    assert errors(evaluation) == [("/answers/g/value/1/x", "required")]


def test_evaluate_repeat_child_in_empty_row_required() -> None:
    parsed = parse(repeat("g", number("x", required=True)))
    assert errors(run(parsed, g={"value": [{}]})) == [("/answers/g/value/0/x", "required")]


def test_evaluate_repeat_child_results_carry_row() -> None:
    parsed = parse(repeat("g", number("x")))
    results = run(parsed, g=rows({"x": 1}, {"x": 2})).results
    assert [(r.path, r.repeat_key, r.row_index, r.value) for r in results] == [
        ("g/0/x", "g", 0, 1),
        ("g/1/x", "g", 1, 2),
    ]


def test_evaluate_repeat_children_are_scored() -> None:
    parsed = parse(repeat("g", number("x", limits={"upper": 10})))
    evaluation = run(parsed, g=rows({"x": 1}, {"x": 20}, {"x": 5}, {"x": 50}))
    assert evaluation.score == 50.0
    assert evaluation.failed_items == ("g/1/x", "g/3/x")


def test_evaluate_repeat_child_on_fail_pointer() -> None:
    parsed = parse(repeat("g", passfail("x", onFail={"require": ["comment"]})))
    evaluation = run(parsed, g=rows({"x": "pass"}, {"x": "fail"}))
    assert errors(evaluation) == [("/answers/g/value/1/x/comment", "comment_required")]


def test_evaluate_repeat_critical_child_failure_fails_audit() -> None:
    parsed = parse(repeat("g", passfail("x", critical=True)), scoring={"passThreshold": 0})
    evaluation = run(parsed, g=rows({"x": "pass"}, {"x": "fail"}))
    assert evaluation.critical_failed
    assert evaluation.result == "fail"


def test_evaluate_repeat_child_invalid_date_pointer() -> None:
    parsed = parse(repeat("g", {"key": "d", "type": "date", "label": "D"}))
    evaluation = run(parsed, g=rows({"d": "31.12.2026"}))
    assert errors(evaluation) == [("/answers/g/value/0/d/value", "invalid_date")]


def test_evaluate_hidden_repeat_not_checked() -> None:
    parsed = parse(passfail("gate"), repeat("g", number("x"), required=True, visibleIf="false"))
    assert run(parsed, gate="pass").ok


def test_evaluate_repeat_required_if() -> None:
    parsed = parse(passfail("gate"), repeat("g", number("x"), requiredIf="answers.gate == 'fail'"))
    assert errors(run(parsed, gate="fail")) == [("/answers/g", "too_few_rows")]


def test_parse_repeat_group_refuses_fail_if() -> None:
    # A rule on the group would never be applied: the definition is refused instead.
    with pytest.raises(DefinitionInvalid) as info:
        parse(repeat("g", number("x"), minRows=0, failIf="size(answers.g) < 3"))
    assert [(e.pointer, e.code) for e in info.value.errors] == [
        ("/sections/0/items/0/failIf", "not_supported_on_repeat")
    ]


# --- computed values and failIf ---------------------------------------------------------------


def test_evaluate_computed_value() -> None:
    parsed = parse(number("a"), number("b"), computed("sum", "answers.a + answers.b"))
    evaluation = run(parsed, a=3, b=4.5)
    assert evaluation.computed == {"sum": 7.5}
    assert {r.path: r.value for r in evaluation.results}["sum"] == 7.5


def test_evaluate_computed_ignores_echoed_value() -> None:
    parsed = parse(number("a"), computed("double", "answers.a * 2.0"))
    evaluation = run(parsed, a=2, double=999)
    assert {r.path: r.value for r in evaluation.results}["double"] == 4.0


def test_evaluate_computed_runtime_error_is_null() -> None:
    parsed = parse(number("a"), computed("c", "answers.a + 1.0"))
    evaluation = evaluate(parsed, {})
    assert evaluation.computed == {"c": None}
    assert outcomes(evaluation)["c"] is Outcome.UNANSWERED


def test_evaluate_computed_non_scalar_result_is_dropped() -> None:
    evaluation = evaluate(parse(computed("c", "[1, 2]")), {})
    assert evaluation.computed == {"c": None}


def test_evaluate_computed_string_result_kept() -> None:
    evaluation = evaluate(parse(computed("c", "'ok'")), {})
    assert evaluation.computed == {"c": "ok"}
    assert outcomes(evaluation)["c"] is Outcome.ANSWERED


def test_evaluate_computed_reads_repeat_rows() -> None:
    expression = "size(answers.g.filter(r, r.x != null && r.x > 10.0))"
    parsed = parse(repeat("g", number("x")), computed("high", expression))
    evaluation = run(parsed, g=rows({"x": 5}, {"x": 11}, {"x": 12}, {}))
    assert evaluation.computed == {"high": 2}


def test_evaluate_computed_limits_fail() -> None:
    parsed = parse(number("a"), computed("c", "answers.a * 2.0", limits={"upper": 10}))
    assert outcomes(run(parsed, a=6))["c"] is Outcome.FAIL


def test_evaluate_computed_fail_if_true_fails() -> None:
    parsed = parse(number("a"), computed("c", "answers.a * 2.0", failIf="answers.c > 10.0"))
    evaluation = run(parsed, a=6)
    assert outcomes(evaluation)["c"] is Outcome.FAIL
    assert evaluation.result == "fail"


def test_evaluate_computed_fail_if_false_passes() -> None:
    parsed = parse(number("a"), computed("c", "answers.a * 2.0", failIf="answers.c > 10.0"))
    assert outcomes(run(parsed, a=2))["c"] is Outcome.PASS


def test_evaluate_computed_fail_if_not_applied_to_null_value() -> None:
    parsed = parse(number("a"), computed("c", "answers.a * 2.0", failIf="answers.c == null"))
    evaluation = evaluate(parsed, {})
    assert evaluation.failed_items == ()
    assert outcomes(evaluation)["c"] is Outcome.UNANSWERED


def test_evaluate_hidden_computed_is_not_computed() -> None:
    parsed = parse(number("a"), computed("c", "answers.a * 2.0", visibleIf="false"))
    assert run(parsed, a=2).computed == {}


def test_evaluate_computed_from_hidden_item_is_null() -> None:
    parsed = parse(number("a", visibleIf="false"), computed("c", "answers.a * 2.0"))
    assert run(parsed, a=2).computed == {"c": None}


def test_evaluate_computed_non_finite_result_is_dropped() -> None:
    parsed = parse(number("a"), computed("ratio", "answers.a / 0.0"))
    assert run(parsed, a=1).computed == {"ratio": None}


def test_evaluate_fail_if_fails_a_passing_answer() -> None:
    parsed = parse(number("n", failIf="answers.n > 100.0"))
    assert outcomes(run(parsed, n=101))["n"] is Outcome.FAIL


def test_evaluate_fail_if_false_makes_answer_pass() -> None:
    parsed = parse(text("t", failIf="answers.t == 'broken'"))
    evaluation = run(parsed, t="fine")
    assert outcomes(evaluation)["t"] is Outcome.PASS
    assert evaluation.score == 100.0


def test_evaluate_fail_if_true_fails_text() -> None:
    parsed = parse(text("t", failIf="answers.t == 'broken'"))
    assert outcomes(run(parsed, t="broken"))["t"] is Outcome.FAIL


def test_evaluate_fail_if_overrides_pass_of_passfail() -> None:
    parsed = parse(passfail("a", failIf="machine.alarm == true"))
    evaluation = evaluate(parsed, {"a": {"value": "pass"}}, {"alarm": True})
    assert outcomes(evaluation)["a"] is Outcome.FAIL


@pytest.mark.parametrize("value", ["na", "not_reviewed"])
def test_evaluate_fail_if_ignored_for_skipped_passfail(value: str) -> None:
    parsed = parse(passfail("a", allowNotReviewed=True, failIf="true"))
    assert outcomes(run(parsed, a=value))["a"] is Outcome(value)


def test_evaluate_fail_if_ignored_for_unanswered_item() -> None:
    evaluation = evaluate(parse(text("t", failIf="true")), {})
    assert evaluation.failed_items == ()


def test_evaluate_fail_if_runtime_error_does_not_fail() -> None:
    parsed = parse(number("n"), text("t", failIf="answers.n > 1.0"))
    assert outcomes(run(parsed, t="x"))["t"] is Outcome.PASS


def test_evaluate_fail_if_failure_requires_on_fail_parts() -> None:
    parsed = parse(number("n", failIf="answers.n > 1.0", onFail={"require": ["reaction"]}))
    assert errors(run(parsed, n=2)) == [("/answers/n/reaction", "reaction_required")]


def test_logic_state_fail_if_set() -> None:
    parsed = parse(number("n", failIf="answers.n > 1.0"), number("m", failIf="answers.m > 1.0"))
    state = logic_state(parsed, {"n": {"value": 2}, "m": {"value": 0}})
    assert state.fail_if == frozenset({"n"})


# --- dates, photos, signatures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "value"),
    [
        ("date", "2026-13-01"),
        ("date", "25.11.2026"),
        ("date", "yesterday"),
        ("time", "25:00"),
        ("time", "2026-11-25"),
        ("datetime", "2026-11-25 noon"),
    ],
)
def test_evaluate_invalid_date(mode: str, value: str) -> None:
    parsed = parse({"key": "d", "type": "date", "label": "D", "mode": mode})
    evaluation = run(parsed, d=value)
    assert errors(evaluation) == [("/answers/d/value", "invalid_date")]
    assert outcomes(evaluation)["d"] is Outcome.UNANSWERED


@pytest.mark.parametrize(
    ("mode", "value"),
    [("date", "2026-11-25"), ("time", "14:30"), ("datetime", "2026-11-25T14:30:00")],
)
def test_evaluate_valid_date_is_answered(mode: str, value: str) -> None:
    parsed = parse({"key": "d", "type": "date", "label": "D", "mode": mode})
    evaluation = run(parsed, d=value)
    assert evaluation.ok
    assert outcomes(evaluation)["d"] is Outcome.ANSWERED


def test_evaluate_invalid_date_message_shows_example() -> None:
    parsed = parse({"key": "d", "type": "date", "label": "D", "mode": "time"})
    assert "14:30" in run(parsed, d="noon").errors[0].message


def test_evaluate_required_photo_missing() -> None:
    parsed = parse({"key": "p", "type": "photo", "label": "P", "required": True})
    assert errors(run(parsed, p=None)) == [("/answers/p", "required")]


def test_evaluate_photo_count_feeds_rules() -> None:
    parsed = parse(
        {"key": "p", "type": "photo", "label": "P"},
        text("more", visibleIf="answers.p != null && answers.p >= 2"),
    )
    assert run(parsed, p=[SHA, "b" * 64]).visible == frozenset({"p", "more"})


def test_evaluate_signature_feeds_rules_as_boolean() -> None:
    parsed = parse(
        {"key": "s", "type": "signature", "label": "S"}, text("t", visibleIf="answers.s == true")
    )
    assert run(parsed, s=SHA).visible == frozenset({"s", "t"})


def test_evaluate_instruction_result_is_unanswered() -> None:
    item = {"key": "i", "type": "instruction", "label": "Read", "text": "Wear gloves"}
    assert outcomes(evaluate(parse(item), {})) == {"i": Outcome.UNANSWERED}
