"""Checklist definitions: the JSON Schema, and parsing JSON into typed dataclasses once.

``parse_definition`` is the boundary: it validates a JSON document against the schema (errors
carry JSON pointers and stable codes), checks what a schema cannot (unique keys, expressions
that parse and refer to existing items, sane limits) and returns a frozen ``Definition``.
Everything after it works with typed objects.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from errors import FieldError, InvalidInput
from forms.itemtypes import REGISTRY, ItemType
from forms.logic import Expression, ExpressionInvalid, compile_expression

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "definition.schema.json"
#: Item types that cannot stand inside a repeat group's rows.
NOT_IN_REPEAT = frozenset({"repeat", "computed"})
DEFAULT_LANGUAGE = "en"


class DefinitionInvalid(InvalidInput):
    """The definition breaks the schema or a rule; ``errors`` lists every problem found."""

    code = "definition_invalid"
    title = "The checklist definition is not valid"


@cache
def definition_schema() -> dict[str, Any]:
    """The full JSON Schema: the common base file plus every registered item type's properties."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    common = defs.pop("commonItemProperties")
    logic = defs.pop("logicItemProperties")
    defs["item"] = _item_schema(REGISTRY.values(), {**common, **logic})
    defs["childItem"] = _item_schema(
        (t for t in REGISTRY.values() if t.name not in NOT_IN_REPEAT), common
    )
    return schema


def _item_schema(types: Any, properties: dict[str, Any]) -> dict[str, Any]:
    type_list: list[ItemType] = list(types)
    props = copy.deepcopy(properties)
    props["type"] = {"enum": [t.name for t in type_list]}
    return {
        "type": "object",
        "required": ["key", "type", "label"],
        "properties": props,
        "allOf": [
            branch
            for t in type_list
            for branch in (
                {
                    "if": {"properties": {"type": {"const": t.name}}, "required": ["type"]},
                    "then": {"properties": t.config_schema, "required": list(t.config_required)},
                },
                # Always passes: marks the type's properties as known even when the branch
                # above fails, so a bad value is not also reported as an unknown property.
                {
                    "if": {"properties": {"type": {"const": t.name}}, "required": ["type"]},
                    "then": {"properties": dict.fromkeys(t.config_schema, True)},
                },
            )
        ],
        "unevaluatedProperties": False,
    }


@cache
def _schema_validator() -> Draft202012Validator:
    return Draft202012Validator(definition_schema())


@dataclass(frozen=True, slots=True)
class Text:
    """A label in one or more languages."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, raw: str | Mapping[str, str]) -> Text:
        """From a plain string (default language) or a ``{"en": ..., "de": ...}`` map."""
        if isinstance(raw, str):
            return cls(((DEFAULT_LANGUAGE, raw),))
        return cls(tuple(raw.items()))

    def get(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The text in ``language``, else the default language, else the first given."""
        mapping = dict(self.values)
        return mapping.get(language) or mapping.get(DEFAULT_LANGUAGE) or self.values[0][1]

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True, slots=True)
class Item:
    """One question or block of a definition."""

    key: str
    type_name: str
    label: Text
    help: str
    required: bool
    weight: float
    critical: bool
    #: What a failed answer must carry: a subset of {"comment", "photo", "reaction"}.
    on_fail_require: frozenset[str]
    visible_if: Expression | None
    required_if: Expression | None
    fail_if: Expression | None
    #: The type's typed config (``PassFailConfig``, ``NumberConfig``, ...).
    config: Any
    #: Row items of a repeat group (empty otherwise).
    children: tuple[Item, ...] = ()
    #: Key of the enclosing section.
    section_key: str = ""

    @property
    def item_type(self) -> ItemType:
        """The registered type."""
        return REGISTRY[self.type_name]


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of items."""

    key: str
    title: Text
    visible_if: Expression | None
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Definition:
    """A parsed, validated checklist definition."""

    #: The JSON document as given (canonical form is computed from it).
    document: Mapping[str, Any]
    key: str | None
    title: Text
    description: str
    pass_threshold: float
    sections: tuple[Section, ...]
    items: tuple[Item, ...] = field(init=False)
    by_key: Mapping[str, Item] = field(init=False)

    def __post_init__(self) -> None:
        items = tuple(item for section in self.sections for item in section.items)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "by_key", {item.key: item for item in items})

    @property
    def uses_machine(self) -> bool:
        """True when any rule reads ``machine.<role>`` (live values are then needed to validate)."""
        expressions = [s.visible_if for s in self.sections]
        for item in self.walk():
            expressions += [item.visible_if, item.required_if, item.fail_if]
            if item.type_name == "computed":
                expressions.append(compile_expression(item.config.expression))
        return any(e is not None and e.reads_machine for e in expressions)

    def walk(self) -> Iterator[Item]:
        """Every item, repeat children right after their group."""
        for item in self.items:
            yield item
            yield from item.children


def parse_definition(document: Any) -> Definition:
    """Validate ``document`` and build the typed ``Definition``.

    Raises:
        DefinitionInvalid: every schema and rule violation, each with pointer, code and message.
    """
    if not isinstance(document, dict):
        raise DefinitionInvalid(
            "A definition is a JSON object.",
            [FieldError("", "not_an_object", "A definition is a JSON object.")],
        )
    not_finite = list(_non_finite_numbers(document, ""))
    if not_finite:
        raise DefinitionInvalid("Numbers must be finite.", not_finite)
    try:
        problems = [_schema_problem(e) for e in _schema_validator().iter_errors(document)]
    except RecursionError as exc:
        message = "The definition is nested too deeply."
        raise DefinitionInvalid(message, [FieldError("", "too_deep", message)]) from exc
    if problems:
        problems.sort(key=lambda p: p.pointer)
        raise DefinitionInvalid(f"{len(problems)} problem(s) in the definition.", problems)
    builder = _Builder()
    definition = builder.build(document)
    if builder.problems:
        raise DefinitionInvalid(
            f"{len(builder.problems)} problem(s) in the definition.", builder.problems
        )
    return definition


def _non_finite_numbers(value: Any, pointer: str, depth: int = 0) -> Iterator[FieldError]:
    if depth > 64:
        yield FieldError(pointer, "too_deep", "The definition is nested too deeply.")
    elif isinstance(value, float) and not math.isfinite(value):
        yield FieldError(pointer, "not_finite", "Numbers must be finite.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite_numbers(item, f"{pointer}/{json_pointer_part(key)}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite_numbers(item, f"{pointer}/{index}", depth + 1)


def json_pointer_part(part: object) -> str:
    """One escaped JSON pointer segment (RFC 6901: ``~`` → ``~0``, ``/`` → ``~1``)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def _unexpected_keys(error: ValidationError) -> list[str]:
    if not isinstance(error.instance, dict):
        return []
    return [key for key in error.instance if repr(key) in error.message]


def _schema_problem(error: ValidationError) -> FieldError:
    pointer = "".join(f"/{json_pointer_part(part)}" for part in error.absolute_path)
    if error.validator == "enum" and error.absolute_path and error.absolute_path[-1] == "type":
        known = ", ".join(REGISTRY)
        return FieldError(
            pointer,
            "unknown_item_type",
            f"Unknown item type {error.instance!r}. Known types: {known}.",
        )
    if error.validator in {"unevaluatedProperties", "additionalProperties"}:
        extras = _unexpected_keys(error)
        if len(extras) == 1:
            pointer = f"{pointer}/{json_pointer_part(extras[0])}"
        return FieldError(pointer, "unknown_property", error.message)
    if error.validator == "required":
        return FieldError(pointer, "required", error.message)
    return FieldError(pointer, f"schema_{error.validator}", error.message)


class _Builder:
    """Builds dataclasses from a schema-valid document, collecting rule violations."""

    def __init__(self) -> None:
        self.problems: list[FieldError] = []
        self._pending: list[tuple[str, Expression, frozenset[str]]] = []

    def build(self, document: Mapping[str, Any]) -> Definition:
        seen: dict[str, str] = {}
        sections = []
        for s_index, raw_section in enumerate(document["sections"]):
            s_pointer = f"/sections/{s_index}"
            items = []
            for i_index, raw_item in enumerate(raw_section["items"]):
                pointer = f"{s_pointer}/items/{i_index}"
                key = raw_item["key"]
                if key in seen:
                    self._problem(
                        pointer + "/key",
                        "duplicate_key",
                        f"The key {key} is already used at {seen[key]}.",
                    )
                seen.setdefault(key, pointer)
                items.append(self._item(raw_item, pointer, raw_section["key"], top_level=True))
            sections.append(
                Section(
                    key=raw_section["key"],
                    title=Text.parse(raw_section["title"]),
                    visible_if=self._expression(
                        raw_section.get("visibleIf"), f"{s_pointer}/visibleIf"
                    ),
                    items=tuple(items),
                )
            )
        section_keys = [s.key for s in sections]
        for index, key in enumerate(section_keys):
            if key in section_keys[:index]:
                self._problem(
                    f"/sections/{index}/key",
                    "duplicate_key",
                    f"The section key {key} is already used.",
                )
        for pointer, expression, _ in self._pending:
            for name in sorted(expression.answer_keys - set(seen)):
                self._problem(
                    pointer,
                    "expression_unknown_item",
                    f"answers.{name} refers to no item of this checklist.",
                )
        return Definition(
            document=document,
            key=document.get("key"),
            title=Text.parse(document["title"]),
            description=document.get("description", ""),
            pass_threshold=float(document.get("scoring", {}).get("passThreshold", 100)),
            sections=tuple(sections),
        )

    def _item(
        self, raw: Mapping[str, Any], pointer: str, section_key: str, *, top_level: bool
    ) -> Item:
        item_type = REGISTRY[raw["type"]]
        config = item_type.parse_config(raw)
        self._check_ranges(raw, config, pointer)
        children: tuple[Item, ...] = ()
        if raw["type"] == "repeat":
            child_keys: set[str] = set()
            built = []
            for index, child in enumerate(raw["items"]):
                child_pointer = f"{pointer}/items/{index}"
                if child["key"] in child_keys:
                    self._problem(
                        child_pointer + "/key",
                        "duplicate_key",
                        f"The key {child['key']} repeats in this group.",
                    )
                child_keys.add(child["key"])
                built.append(self._item(child, child_pointer, section_key, top_level=False))
            children = tuple(built)
        if raw["type"] == "computed":
            self._expression(raw["expression"], f"{pointer}/expression")
        return Item(
            key=raw["key"],
            type_name=raw["type"],
            label=Text.parse(raw["label"]),
            help=raw.get("help", ""),
            required=raw.get("required", False),
            weight=float(raw.get("weight", 1)),
            critical=raw.get("critical", False),
            on_fail_require=frozenset(raw.get("onFail", {}).get("require", [])),
            visible_if=self._expression(raw.get("visibleIf"), f"{pointer}/visibleIf"),
            required_if=self._expression(raw.get("requiredIf"), f"{pointer}/requiredIf"),
            fail_if=self._expression(raw.get("failIf"), f"{pointer}/failIf"),
            config=config,
            children=children,
            section_key=section_key,
        )

    def _check_ranges(self, raw: Mapping[str, Any], config: Any, pointer: str) -> None:
        limits = raw.get("limits") or {}
        if "lower" in limits and "upper" in limits and limits["lower"] > limits["upper"]:
            self._problem(
                f"{pointer}/limits", "limits_inverted", "The lower limit is above the upper limit."
            )
        # Compare the parsed values, so a default maximum counts too.
        for low, high, label in (
            ("min_photos", "max_photos", "photos"),
            ("min_rows", "max_rows", "rows"),
        ):
            if hasattr(config, low) and getattr(config, low) > getattr(config, high):
                field = "minPhotos" if label == "photos" else "minRows"
                self._problem(
                    f"{pointer}/{field}",
                    "range_inverted",
                    f"The minimum number of {label} is above the maximum.",
                )
        if raw["type"] == "repeat":
            for name in ("failIf", "critical", "weight"):
                if name in raw:
                    self._problem(
                        f"{pointer}/{name}",
                        "not_supported_on_repeat",
                        f"{name} applies to the items inside a repeat group, not to the group.",
                    )

    def _expression(self, source: str | None, pointer: str) -> Expression | None:
        if source is None:
            return None
        try:
            expression = compile_expression(source)
        except ExpressionInvalid as exc:
            self._problem(pointer, exc.code, str(exc))
            return None
        self._pending.append((pointer, expression, expression.answer_keys))
        return expression

    def _problem(self, pointer: str, code: str, message: str) -> None:
        self.problems.append(FieldError(pointer, code, message))
