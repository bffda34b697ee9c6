"""Validating a submission: a structural JSON Schema per version (compiled once with
jsonschema-rs, explained with ``jsonschema`` only when it fails), then the engine.

A published version never changes, so its compiled validator is cached by content hash.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from errors import FieldError
from forms.definition import Definition, Item, json_pointer_part
from forms.engine import REACTION_KINDS, Evaluation, evaluate

MAX_COMMENT_LENGTH = 5000
ENVELOPE_EXTRAS: dict[str, Any] = {
    "comment": {"type": ["string", "null"], "maxLength": MAX_COMMENT_LENGTH},
    "reaction": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "required": ["kind"],
        "properties": {
            "kind": {"enum": list(REACTION_KINDS)},
            "note": {"type": "string", "maxLength": 2000},
        },
    },
    "photos": {
        "type": "array",
        "maxItems": 10,
        "uniqueItems": True,
        "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    # What the machine showed when a tag reading was prefilled: kept beside the operator's
    # answer, so a correction is visible (the server also snapshots the value at submit).
    "machine": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "value": {"type": ["number", "string", "boolean", "null"], "maxLength": 200},
            "quality": {"enum": ["good", "uncertain", "bad"]},
            "age": {"type": ["number", "null"], "minimum": 0},
        },
    },
}


def _envelope(item: Item) -> dict[str, Any]:
    if item.type_name == "repeat":
        row = {
            "type": "object",
            "additionalProperties": False,
            "properties": {child.key: _envelope(child) for child in item.children},
        }
        value: dict[str, Any] = {
            "type": ["array", "null"],
            "maxItems": item.config.max_rows,
            "items": row,
        }
    elif not item.item_type.takes_answer:
        value = {}  # computed/instruction: whatever the client echoes is ignored
    else:
        value = {"anyOf": [{"type": "null"}, item.item_type.value_schema(item)]}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"value": value, **ENVELOPE_EXTRAS},
    }


def answers_schema(definition: Definition) -> dict[str, Any]:
    """JSON Schema of the ``answers`` object for ``definition``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {item.key: _envelope(item) for item in definition.items},
    }


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    """A definition with its compiled answer validator (built once per content hash)."""

    definition: Definition
    schema: dict[str, Any]
    fast: Any

    def structural_errors(self, answers: Any) -> list[FieldError]:
        """Type errors in ``answers`` with JSON pointers (empty when valid)."""
        if self.fast.is_valid(answers):
            return []
        problems = []
        for error in Draft202012Validator(self.schema).iter_errors(answers):
            pointer = "/answers" + "".join(f"/{json_pointer_part(p)}" for p in error.absolute_path)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
                top_level = not error.absolute_path or _is_repeat_row(error.absolute_path)
                for extra in sorted(set(error.instance) - set(known)):
                    code, what = (
                        ("unknown_item", "part of this checklist")
                        if top_level
                        else (
                            "unknown_field",
                            "a field of an answer (value, comment, reaction, photos)",
                        )
                    )
                    problems.append(
                        FieldError(
                            f"{pointer}/{json_pointer_part(extra)}", code, f"{extra} is not {what}."
                        )
                    )
                continue
            if error.validator == "anyOf" and error.context:
                # "null or <value schema>": explain why the value schema (branch 1) rejected it.
                branch = [
                    e
                    for e in error.context
                    if e.relative_schema_path and e.relative_schema_path[0] == 1
                ]
                error = branch[0] if branch else error.context[-1]
            problems.append(FieldError(pointer, "wrong_type", _friendly(error.message)))
        return sorted(problems, key=lambda p: p.pointer)


def _is_repeat_row(path: Any) -> bool:
    """``<group>/value/<row>``: unknown keys there are unknown row items."""
    parts = list(path)
    return len(parts) == 3 and parts[1] == "value" and isinstance(parts[2], int)


def _friendly(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


_CACHE: OrderedDict[str, CompiledVersion] = OrderedDict()
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()


def compile_version(content_hash: str, load: Callable[[], Definition]) -> CompiledVersion:
    """The compiled validator of an immutable version, cached by its content hash.

    ``load`` parses the definition; it is only called on a cache miss.
    """
    with _CACHE_LOCK:
        cached = _CACHE.get(content_hash)
        if cached is not None:
            _CACHE.move_to_end(content_hash)
            return cached
    definition = load()
    schema = answers_schema(definition)
    compiled = CompiledVersion(definition, schema, jsonschema_rs.validator_for(schema))
    with _CACHE_LOCK:
        _CACHE[content_hash] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def validate_submission(
    compiled: CompiledVersion, answers: Any, machine: Mapping[str, Any] | None = None
) -> tuple[list[FieldError], Evaluation | None]:
    """Check structure, then evaluate; returns (errors, evaluation or None if structure failed)."""
    if not isinstance(answers, dict):
        return [FieldError("/answers", "wrong_type", "answers must be an object.")], None
    structural = compiled.structural_errors(answers)
    if structural:
        return structural, None
    evaluation = evaluate(compiled.definition, answers, machine)
    return list(evaluation.errors), evaluation
