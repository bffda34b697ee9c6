"""The item-type registry: every kind of question or block, in one place.

Names are checked for duplicates when the registry is built (at import, i.e. app start-up).
The builder and the definition schema read config schemas from here, so no option list is
written twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from forms.itemtypes.base import ItemType, Outcome
from forms.itemtypes.basic import (
    ChoiceType,
    DateType,
    InstructionType,
    MultiChoiceType,
    NumberType,
    PassFailType,
    TextType,
)
from forms.itemtypes.evidence import PhotoType, SignatureType
from forms.itemtypes.special import ComputedType, RepeatType, TagReadingType

__all__ = ["REGISTRY", "ItemType", "Outcome", "build_registry", "catalogue"]


def build_registry(types: Iterable[ItemType]) -> dict[str, ItemType]:
    """Index item types by name.

    Raises:
        ValueError: two types share a name.
    """
    registry: dict[str, ItemType] = {}
    for item_type in types:
        if item_type.name in registry:
            raise ValueError(f"duplicate item type name: {item_type.name}")
        registry[item_type.name] = item_type
    return registry


REGISTRY: dict[str, ItemType] = build_registry(
    [
        PassFailType(),
        NumberType(),
        ChoiceType(),
        MultiChoiceType(),
        TextType(),
        DateType(),
        PhotoType(),
        SignatureType(),
        TagReadingType(),
        RepeatType(),
        ComputedType(),
        InstructionType(),
    ]
)


def catalogue() -> list[dict[str, Any]]:
    """Name, title and config schema of every item type (served to the builder)."""
    return [
        {
            "name": t.name,
            "title": t.title,
            "takesAnswer": t.takes_answer,
            "config": {
                "type": "object",
                "properties": t.config_schema,
                "required": list(t.config_required),
            },
        }
        for t in REGISTRY.values()
    ]
