"""Item types for plain questions: pass/fail, number, choices, text, date/time, instruction."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from errors import FieldError
from forms.itemtypes.base import NUMBER_SCHEMA, ItemType, Outcome

if TYPE_CHECKING:
    from forms.definition import Item

LIMITS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"lower": NUMBER_SCHEMA, "upper": NUMBER_SCHEMA, "target": NUMBER_SCHEMA},
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Specification limits; a value outside [lower, upper] fails."""

    lower: float | None = None
    upper: float | None = None
    target: float | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> Limits | None:
        """Limits from a definition, or None."""
        if not raw:
            return None
        return cls(raw.get("lower"), raw.get("upper"), raw.get("target"))

    def contains(self, value: float) -> bool:
        """True when ``value`` is within the limits (inclusive)."""
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value <= self.upper
        )

    def describe(self) -> str:
        """e.g. ``180 – 200``, ``≥ 180``."""
        if self.lower is not None and self.upper is not None:
            return f"{self.lower:g} – {self.upper:g}"
        if self.lower is not None:
            return f"≥ {self.lower:g}"
        if self.upper is not None:
            return f"≤ {self.upper:g}"
        return ""


@dataclass(frozen=True, slots=True)
class PassFailConfig:
    """Button labels and which extra answers are offered."""

    labels: dict[str, str]
    allow_na: bool
    allow_not_reviewed: bool

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs in display order."""
        values = (
            ["pass", "fail"]
            + (["na"] if self.allow_na else [])
            + (["not_reviewed"] if self.allow_not_reviewed else [])
        )
        return [(v, self.labels[v]) for v in values]


DEFAULT_PASSFAIL_LABELS = {"pass": "Yes", "fail": "No", "na": "N/A", "not_reviewed": "Not reviewed"}


class PassFailType(ItemType):
    """Yes / No (/ N/A / Not reviewed) — one tap."""

    name = "passfail"
    title = "Pass / fail"
    macro = "passfail"
    config_schema = {
        "labels": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                k: {"type": "string", "minLength": 1, "maxLength": 40}
                for k in DEFAULT_PASSFAIL_LABELS
            },
        },
        "allowNa": {"type": "boolean"},
        "allowNotReviewed": {"type": "boolean"},
    }

    def parse_config(self, raw: Mapping[str, Any]) -> PassFailConfig:
        return PassFailConfig(
            labels={**DEFAULT_PASSFAIL_LABELS, **raw.get("labels", {})},
            allow_na=raw.get("allowNa", True),
            allow_not_reviewed=raw.get("allowNotReviewed", False),
        )

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {"enum": [value for value, _ in item.config.choices]}

    def outcome(self, item: Item, value: Any) -> Outcome:
        return Outcome(value)

    def summary(self, item: Item, value: Any) -> str:
        return "—" if value is None else str(item.config.labels.get(value, value))


@dataclass(frozen=True, slots=True)
class NumberConfig:
    """Unit, displayed decimals and spec limits."""

    unit: str
    decimals: int
    limits: Limits | None


NUMBER_CONFIG_SCHEMA: dict[str, Any] = {
    "unit": {"type": "string", "maxLength": 20},
    "decimals": {"type": "integer", "minimum": 0, "maximum": 6},
    "limits": LIMITS_SCHEMA,
}


def parse_number_config(raw: Mapping[str, Any]) -> NumberConfig:
    """Shared by number, tag reading and computed items."""
    return NumberConfig(
        unit=raw.get("unit", ""),
        decimals=raw.get("decimals", 2),
        limits=Limits.parse(raw.get("limits")),
    )


def number_outcome(config: NumberConfig, value: Any) -> Outcome:
    """PASS/FAIL against the limits; ANSWERED when there are none."""
    if config.limits is None or not isinstance(value, int | float) or isinstance(value, bool):
        return Outcome.ANSWERED
    return Outcome.PASS if config.limits.contains(float(value)) else Outcome.FAIL


def number_summary(config: NumberConfig, value: Any) -> str:
    """e.g. ``185.3 °C``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—" if value is None else str(value)
    return f"{value:.{config.decimals}f} {config.unit}".strip()


class NumberLikeType(ItemType):
    """Answer behaviour shared by number items and tag readings: a finite number, spec limits."""

    def number_config(self, item: Item) -> NumberConfig:
        """Where the type keeps unit, decimals and limits."""
        config: NumberConfig = item.config
        return config

    def value_schema(self, item: Item) -> dict[str, Any]:
        return NUMBER_SCHEMA

    def check(self, item: Item, value: Any, pointer: str) -> Iterator[FieldError]:
        if isinstance(value, float) and not math.isfinite(value):
            yield FieldError(pointer, "wrong_type", "Enter a finite number.")

    def outcome(self, item: Item, value: Any) -> Outcome:
        return number_outcome(self.number_config(item), value)

    def logic_value(self, item: Item, value: Any) -> Any:
        return None if value is None else float(value)

    def summary(self, item: Item, value: Any) -> str:
        return number_summary(self.number_config(item), value)


class NumberType(NumberLikeType):
    """A measured number; outside the spec limits it fails."""

    name = "number"
    title = "Number"
    macro = "number"
    config_schema = NUMBER_CONFIG_SCHEMA

    def parse_config(self, raw: Mapping[str, Any]) -> NumberConfig:
        return parse_number_config(raw)


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    """One option of a choice item; choosing a ``fails`` option fails the item."""

    value: str
    label: str
    fails: bool


@dataclass(frozen=True, slots=True)
class ChoiceConfig:
    """The options, in display order."""

    options: tuple[ChoiceOption, ...]

    @property
    def scored(self) -> bool:
        """True when some option fails the item (then other options pass it)."""
        return any(o.fails for o in self.options)

    @property
    def failing(self) -> frozenset[str]:
        """Values of the options that fail the item."""
        return frozenset(o.value for o in self.options if o.fails)

    def label_of(self, value: str) -> str:
        """The label of an option value (the value itself if unknown)."""
        return next((o.label for o in self.options if o.value == value), value)


OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 100,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["value", "label"],
        "properties": {
            "value": {"type": "string", "minLength": 1, "maxLength": 80},
            "label": {"type": "string", "minLength": 1, "maxLength": 200},
            "fails": {"type": "boolean"},
        },
    },
}


def _parse_choice(raw: Mapping[str, Any]) -> ChoiceConfig:
    return ChoiceConfig(
        tuple(ChoiceOption(o["value"], o["label"], o.get("fails", False)) for o in raw["options"])
    )


class ChoiceType(ItemType):
    """Pick one option."""

    name = "choice"
    title = "Single choice"
    macro = "choice"
    config_schema = {"options": OPTIONS_SCHEMA}
    config_required = ("options",)

    def parse_config(self, raw: Mapping[str, Any]) -> ChoiceConfig:
        return _parse_choice(raw)

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {"enum": [o.value for o in item.config.options]}

    def outcome(self, item: Item, value: Any) -> Outcome:
        if not item.config.scored:
            return Outcome.ANSWERED
        return Outcome.FAIL if value in item.config.failing else Outcome.PASS

    def summary(self, item: Item, value: Any) -> str:
        return "—" if value is None else str(item.config.label_of(value))


class MultiChoiceType(ItemType):
    """Pick any number of options."""

    name = "multichoice"
    title = "Multiple choice"
    macro = "multichoice"
    config_schema = {"options": OPTIONS_SCHEMA}
    config_required = ("options",)

    def parse_config(self, raw: Mapping[str, Any]) -> ChoiceConfig:
        return _parse_choice(raw)

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": [o.value for o in item.config.options]},
        }

    def outcome(self, item: Item, value: Any) -> Outcome:
        if not item.config.scored:
            return Outcome.ANSWERED
        return Outcome.FAIL if item.config.failing.intersection(value) else Outcome.PASS

    def summary(self, item: Item, value: Any) -> str:
        return "—" if not value else ", ".join(item.config.label_of(v) for v in value)


@dataclass(frozen=True, slots=True)
class TextConfig:
    """Single or multi-line, with a length cap."""

    multiline: bool
    max_length: int


class TextType(ItemType):
    """Free text (short or long)."""

    name = "text"
    title = "Text"
    macro = "text"
    config_schema = {
        "multiline": {"type": "boolean"},
        "maxLength": {"type": "integer", "minimum": 1, "maximum": 10000},
    }

    def parse_config(self, raw: Mapping[str, Any]) -> TextConfig:
        return TextConfig(raw.get("multiline", False), raw.get("maxLength", 2000))

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {"type": "string", "maxLength": item.config.max_length}

    def is_empty(self, value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class DateConfig:
    """Which part of a timestamp is asked for."""

    mode: str


_DATE_PARSERS = {
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "datetime": datetime.fromisoformat,
}


class DateType(ItemType):
    """A date, a time of day, or both (ISO 8601 text)."""

    name = "date"
    title = "Date / time"
    macro = "date"
    config_schema = {"mode": {"enum": ["date", "time", "datetime"]}}

    def parse_config(self, raw: Mapping[str, Any]) -> DateConfig:
        return DateConfig(raw.get("mode", "date"))

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {"type": "string", "maxLength": 40}

    def check(self, item: Item, value: Any, pointer: str) -> Iterator[FieldError]:
        mode = item.config.mode
        try:
            _DATE_PARSERS[mode](value)
        except ValueError:
            example = {"date": "2026-11-25", "time": "14:30", "datetime": "2026-11-25T14:30"}[mode]
            yield FieldError(pointer, "invalid_date", f"Enter a {mode} like {example}.")


@dataclass(frozen=True, slots=True)
class InstructionConfig:
    """Text, and optionally a picture, shown to the person filling in."""

    text: str
    #: sha256 of an image uploaded to the checklist (see ``forms.models.ChecklistImage``).
    image: str | None
    #: What the picture shows, for screen readers and the PDF.
    image_alt: str


class InstructionType(ItemType):
    """A block of instructions; takes no answer."""

    name = "instruction"
    title = "Instruction"
    macro = "instruction"
    takes_answer = False
    config_schema = {
        "text": {"type": "string", "maxLength": 5000},
        "image": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "imageAlt": {"type": "string", "maxLength": 300},
    }

    def parse_config(self, raw: Mapping[str, Any]) -> InstructionConfig:
        return InstructionConfig(raw.get("text", ""), raw.get("image"), raw.get("imageAlt", ""))
