"""The contract every item type fulfils, and the outcome of one answered item."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from errors import FieldError

if TYPE_CHECKING:
    from forms.definition import Item


class Outcome(StrEnum):
    """What one answer means for the audit."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"
    NOT_REVIEWED = "not_reviewed"
    #: Answered, but the item is not scored (text, photo, ...).
    ANSWERED = "answered"
    UNANSWERED = "unanswered"


#: Outcomes that count towards the score (weight earned on PASS, possible on PASS and FAIL).
SCORED_OUTCOMES = frozenset({Outcome.PASS, Outcome.FAIL})

#: Answers are JSON numbers a double can hold (10**400 would overflow float()).
NUMBER_SCHEMA: dict[str, Any] = {"type": "number", "minimum": -1e300, "maximum": 1e300}
SHA256_SCHEMA: dict[str, Any] = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


class ItemType:
    """Base class: one kind of question or block.

    Subclasses set ``name``, ``title``, ``config_schema`` (JSON Schema of the type-specific
    properties in a definition), ``value_schema`` (JSON Schema of an answer's value) and override
    ``parse_config``, ``check``, ``outcome``, ``logic_value`` and ``summary`` as needed.
    """

    #: Stable identifier used in definitions (``"type": "number"``).
    name: ClassVar[str]
    #: Human name shown in the builder's palette.
    title: ClassVar[str]
    #: JSON Schema properties allowed on an item of this type (beyond the common ones).
    config_schema: ClassVar[dict[str, Any]] = {}
    #: Type-specific properties that must be present.
    config_required: ClassVar[tuple[str, ...]] = ()
    #: False for blocks that take no answer (instruction) or whose value is computed.
    takes_answer: ClassVar[bool] = True
    #: Jinja macro in ``templates/_macros/items.html`` that renders the tablet input.
    macro: ClassVar[str]

    def parse_config(self, raw: Mapping[str, Any]) -> Any:
        """Turn the validated type-specific properties into a typed config object."""
        return None

    def value_schema(self, item: Item) -> dict[str, Any]:
        """JSON Schema of this item's answer value (used for the compiled fast path)."""
        return {}

    def check(self, item: Item, value: Any, pointer: str) -> Iterator[FieldError]:
        """Errors in a present, structurally valid value beyond what the schema expresses."""
        return iter(())

    def outcome(self, item: Item, value: Any) -> Outcome:
        """PASS / FAIL / NA / ... for a present, valid value (the engine applies ``failIf``)."""
        return Outcome.ANSWERED

    def logic_value(self, item: Item, value: Any) -> Any:
        """The value expressions see as ``answers.<key>``."""
        return value

    def summary(self, item: Item, value: Any) -> str:
        """A short human-readable rendering (lists, analytics, PDF)."""
        if value is None:
            return "—"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def is_empty(self, value: Any) -> bool:
        """Whether ``value`` counts as "not answered"."""
        return value is None or value == "" or value == []
