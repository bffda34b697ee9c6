"""Item types with behaviour beyond one input: tag reading, repeat group, computed value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forms.itemtypes.base import ItemType, Outcome
from forms.itemtypes.basic import (
    NUMBER_CONFIG_SCHEMA,
    NumberConfig,
    NumberLikeType,
    number_outcome,
    number_summary,
    parse_number_config,
)

if TYPE_CHECKING:
    from forms.definition import Item


@dataclass(frozen=True, slots=True)
class TagBinding:
    """Which machine tag (by role) backs a reading, and how fresh it must be."""

    role: str
    prefill: bool
    max_age_seconds: int


@dataclass(frozen=True, slots=True)
class TagReadingConfig:
    """A number bound to a machine tag role."""

    number: NumberConfig
    tag: TagBinding


class TagReadingType(NumberLikeType):
    """A number bound by role to a machine tag: typed by hand until the OT link prefills it."""

    name = "tag_reading"
    title = "Tag reading"
    macro = "number"
    config_schema = {
        **NUMBER_CONFIG_SCHEMA,
        "tag": {
            "type": "object",
            "additionalProperties": False,
            "required": ["role"],
            "properties": {
                "role": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
                "prefill": {"type": "boolean"},
                "maxAgeSeconds": {"type": "integer", "minimum": 1, "maximum": 86400},
            },
        },
    }
    config_required = ("tag",)

    def parse_config(self, raw: Mapping[str, Any]) -> TagReadingConfig:
        tag = raw["tag"]
        return TagReadingConfig(
            number=parse_number_config(raw),
            tag=TagBinding(tag["role"], tag.get("prefill", True), tag.get("maxAgeSeconds", 60)),
        )

    def number_config(self, item: Item) -> NumberConfig:
        config: NumberConfig = item.config.number
        return config


@dataclass(frozen=True, slots=True)
class RepeatConfig:
    """How many rows a repeat group takes."""

    min_rows: int
    max_rows: int


class RepeatType(ItemType):
    """A group of child items answered once per row (e.g. first-off measurements)."""

    name = "repeat"
    title = "Repeat group"
    macro = "repeat"
    config_schema = {
        "minRows": {"type": "integer", "minimum": 0, "maximum": 100},
        "maxRows": {"type": "integer", "minimum": 1, "maximum": 100},
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {"$ref": "#/$defs/childItem"},
        },
    }
    config_required = ("items",)

    def parse_config(self, raw: Mapping[str, Any]) -> RepeatConfig:
        return RepeatConfig(raw.get("minRows", 1), raw.get("maxRows", 10))

    def summary(self, item: Item, value: Any) -> str:
        count = len(value or [])
        return f"{count} row{'s' if count != 1 else ''}"


@dataclass(frozen=True, slots=True)
class ComputedConfig:
    """The expression and how to show its result."""

    expression: str
    number: NumberConfig


class ComputedType(ItemType):
    """A value the engine computes from other answers; never typed in."""

    name = "computed"
    title = "Computed value"
    macro = "computed"
    takes_answer = False
    config_schema = {
        **NUMBER_CONFIG_SCHEMA,
        "expression": {"type": "string", "minLength": 1, "maxLength": 2000},
    }
    config_required = ("expression",)

    def parse_config(self, raw: Mapping[str, Any]) -> ComputedConfig:
        return ComputedConfig(raw["expression"], parse_number_config(raw))

    def outcome(self, item: Item, value: Any) -> Outcome:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return number_outcome(item.config.number, value)
        return Outcome.ANSWERED

    def summary(self, item: Item, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return number_summary(item.config.number, value)
        return super().summary(item, value)
