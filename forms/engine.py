"""The one logic engine: visibility, computed values, validation and scoring of answers.

Pure functions over a parsed ``Definition`` — no Flask, no database. The API, the tablet page,
the PDF and the tests all call it. Expects answers that already passed the structural check in
``forms.validation`` (right JSON types); ``validate_submission`` there runs both.

Evaluation order (the browser runtime follows it exactly):
1. every answer's logic value is put into ``answers`` (so a rule may read any item);
2. in document order, sections then items: ``visibleIf`` decides visibility (a hidden item's
   answer becomes null for the rules after it), computed items are evaluated;
3. with that final context, ``requiredIf`` and ``failIf`` are evaluated for visible items.
A rule that fails at run time falls back to: visible, not required, not failed, null value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from errors import FieldError
from forms.definition import Definition, Item
from forms.itemtypes.base import SCORED_OUTCOMES, Outcome
from forms.logic import Expression, LogicError, compile_expression, is_true

REACTION_KINDS = ("corrected", "contained", "escalated")


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The evaluated answer of one item (one row's child for repeat groups)."""

    #: ``key`` or ``group/row/key`` for repeat rows.
    path: str
    item: Item
    value: Any
    outcome: Outcome
    points: float
    max_points: float
    comment: str | None
    reaction: Mapping[str, Any] | None
    photos: tuple[str, ...]
    repeat_key: str | None = None
    row_index: int | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything the engine concluded about one set of answers."""

    errors: tuple[FieldError, ...]
    results: tuple[ItemResult, ...]
    visible: frozenset[str]
    required: frozenset[str]
    computed: Mapping[str, Any]
    score: float | None
    critical_failed: bool
    passed: bool
    failed_items: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the answers can be submitted."""
        return not self.errors

    @property
    def result(self) -> str:
        """``pass`` or ``fail``."""
        return "pass" if self.passed else "fail"


def _condition(expression: Expression | None, context: dict[str, Any], default: bool) -> bool:
    if expression is None:
        return default
    try:
        return is_true(expression.evaluate(context))
    except LogicError:
        return default


def _scalar(value: Any) -> Any:
    """Computed values are stored as JSON scalars; anything else is dropped."""
    if isinstance(value, float) and not math.isfinite(value):
        return None  # inf/NaN (e.g. x / 0.0) is not a JSON number
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return None


def _logic_value(item: Item, envelope: Any) -> Any:
    if not isinstance(envelope, Mapping):
        return None
    value = envelope.get("value")
    if item.type_name == "repeat":
        rows = value if isinstance(value, list) else []
        return [
            {
                child.key: _logic_value(
                    child, row.get(child.key) if isinstance(row, Mapping) else None
                )
                for child in item.children
            }
            for row in rows
        ]
    if value is None or not item.item_type.takes_answer:
        return None
    return item.item_type.logic_value(item, value)


@dataclass(frozen=True, slots=True)
class LogicState:
    """What the rules decided: the part of the engine the browser runtime mirrors."""

    visible: frozenset[str]
    required: frozenset[str]
    computed: Mapping[str, Any]
    #: Visible, answered items whose ``failIf`` is true.
    fail_if: frozenset[str]


def logic_state(
    definition: Definition, answers: Mapping[str, Any], machine: Mapping[str, Any] | None = None
) -> LogicState:
    """Steps 1–3: visibility and computed values in document order, then requiredIf/failIf."""
    values = {item.key: _logic_value(item, answers.get(item.key)) for item in definition.items}
    context: dict[str, Any] = {"answers": values, "machine": dict(machine or {})}
    visible: set[str] = set()
    computed: dict[str, Any] = {}
    for section in definition.sections:
        section_visible = _condition(section.visible_if, context, True)
        for item in section.items:
            if not (section_visible and _condition(item.visible_if, context, True)):
                values[item.key] = None
                continue
            visible.add(item.key)
            if item.type_name == "computed":
                try:
                    result = _scalar(compile_expression(item.config.expression).evaluate(context))
                except LogicError:
                    result = None
                computed[item.key] = values[item.key] = result
    required: set[str] = set()
    fail_if: set[str] = set()
    for item in definition.items:
        if item.key not in visible:
            continue
        if item.required or _condition(item.required_if, context, False):
            required.add(item.key)
        value = (
            computed.get(item.key)
            if item.type_name == "computed"
            else _raw_value(answers, item.key)
        )
        counts = item.fail_if is not None and _counts_for_fail_if(item, value)
        if counts and _condition(item.fail_if, context, False):
            fail_if.add(item.key)
    return LogicState(frozenset(visible), frozenset(required), computed, frozenset(fail_if))


def _raw_value(answers: Mapping[str, Any], key: str) -> Any:
    envelope = answers.get(key)
    return envelope.get("value") if isinstance(envelope, Mapping) else None


def _counts_for_fail_if(item: Item, value: Any) -> bool:
    """failIf applies to answered items, not to N/A or "not reviewed"."""
    skipped = item.type_name == "passfail" and value in ("na", "not_reviewed")
    return not skipped and not item.item_type.is_empty(value)


def evaluate(
    definition: Definition, answers: Mapping[str, Any], machine: Mapping[str, Any] | None = None
) -> Evaluation:
    """Evaluate structurally valid ``answers`` against ``definition``.

    Returns an ``Evaluation``; its ``errors`` say what blocks submission (never raises for bad
    answers).
    """
    state = logic_state(definition, answers, machine)
    errors: list[FieldError] = []
    results: list[ItemResult] = []
    for item in definition.items:
        if item.key not in state.visible:
            continue
        envelope = answers.get(item.key)
        envelope = envelope if isinstance(envelope, Mapping) else {}
        pointer = f"/answers/{item.key}"
        required = item.key in state.required
        if item.type_name == "repeat":
            _evaluate_repeat(item, envelope, pointer, required, errors, results)
            continue
        value = (
            state.computed.get(item.key) if item.type_name == "computed" else envelope.get("value")
        )
        results.append(
            _evaluate_item(
                item,
                value,
                envelope,
                pointer,
                required,
                item.key in state.fail_if,
                errors,
                item.key,
            )
        )
    score_total = sum(r.max_points for r in results)
    score = round(100 * sum(r.points for r in results) / score_total, 2) if score_total else None
    failed = tuple(r.path for r in results if r.outcome is Outcome.FAIL)
    critical_failed = any(r.item.critical and r.outcome is Outcome.FAIL for r in results)
    passed = not critical_failed and (score is None or score >= definition.pass_threshold)
    return Evaluation(
        errors=tuple(errors),
        results=tuple(results),
        visible=state.visible,
        required=state.required,
        computed=state.computed,
        score=score,
        critical_failed=critical_failed,
        passed=passed,
        failed_items=failed,
    )


def _evaluate_repeat(
    item: Item,
    envelope: Mapping[str, Any],
    pointer: str,
    required: bool,
    errors: list[FieldError],
    results: list[ItemResult],
) -> None:
    rows = envelope.get("value") or []
    config = item.config
    if (required or rows) and len(rows) < config.min_rows:
        errors.append(
            FieldError(pointer, "too_few_rows", f"Add at least {config.min_rows} row(s).")
        )
    for index, row in enumerate(rows):
        for child in item.children:
            child_envelope = row.get(child.key) if isinstance(row, Mapping) else None
            child_envelope = child_envelope if isinstance(child_envelope, Mapping) else {}
            child_pointer = f"{pointer}/value/{index}/{child.key}"
            result = _evaluate_item(
                child,
                child_envelope.get("value"),
                child_envelope,
                child_pointer,
                child.required,
                False,
                errors,
                f"{item.key}/{index}/{child.key}",
            )
            results.append(replace(result, repeat_key=item.key, row_index=index))


def _evaluate_item(
    item: Item,
    value: Any,
    envelope: Mapping[str, Any],
    pointer: str,
    required: bool,
    fails_by_rule: bool,
    errors: list[FieldError],
    path: str,
) -> ItemResult:
    item_type = item.item_type
    comment = envelope.get("comment")
    reaction = envelope.get("reaction")
    photos = tuple(envelope.get("photos") or ())
    empty = item_type.is_empty(value)
    if empty:
        outcome = Outcome.UNANSWERED
        if required and item_type.takes_answer:
            errors.append(FieldError(pointer, "required", "This item needs an answer."))
    else:
        found = list(item_type.check(item, value, f"{pointer}/value"))
        errors.extend(found)
        outcome = item_type.outcome(item, value) if not found else Outcome.UNANSWERED
        if fails_by_rule:
            outcome = Outcome.FAIL
        elif item.fail_if is not None and outcome is Outcome.ANSWERED:
            outcome = Outcome.PASS
    if outcome is Outcome.FAIL:
        errors.extend(_missing_on_fail(item, pointer, comment, reaction, photos))
    scored = outcome in SCORED_OUTCOMES
    return ItemResult(
        path=path,
        item=item,
        value=value,
        outcome=outcome,
        points=item.weight if outcome is Outcome.PASS else 0.0,
        max_points=item.weight if scored else 0.0,
        comment=comment if isinstance(comment, str) and comment.strip() else None,
        reaction=reaction if isinstance(reaction, Mapping) else None,
        photos=photos,
    )


def _missing_on_fail(
    item: Item, pointer: str, comment: Any, reaction: Any, photos: tuple[str, ...]
) -> list[FieldError]:
    missing = []
    if "comment" in item.on_fail_require and not (isinstance(comment, str) and comment.strip()):
        missing.append(FieldError(f"{pointer}/comment", "comment_required", "Say what is wrong."))
    if "photo" in item.on_fail_require and not photos:
        missing.append(
            FieldError(f"{pointer}/photos", "photo_required", "Add a photo of the problem.")
        )
    if "reaction" in item.on_fail_require and not (
        isinstance(reaction, Mapping) and reaction.get("kind") in REACTION_KINDS
    ):
        missing.append(
            FieldError(
                f"{pointer}/reaction",
                "reaction_required",
                "Choose a reaction: corrected, contained or escalated.",
            )
        )
    return missing
