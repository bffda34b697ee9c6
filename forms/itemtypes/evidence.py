"""Item types whose answers are files: photos and signatures (stored as evidence by sha256)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forms.itemtypes.base import SHA256_SCHEMA, ItemType

if TYPE_CHECKING:
    from forms.definition import Item


@dataclass(frozen=True, slots=True)
class PhotoConfig:
    """How many photos the item takes."""

    min_photos: int
    max_photos: int


class PhotoType(ItemType):
    """One or more photos from the tablet camera; the value lists their sha256."""

    name = "photo"
    title = "Photo"
    macro = "photo"
    config_schema = {
        "minPhotos": {"type": "integer", "minimum": 0, "maximum": 20},
        "maxPhotos": {"type": "integer", "minimum": 1, "maximum": 20},
    }

    def parse_config(self, raw: Mapping[str, Any]) -> PhotoConfig:
        return PhotoConfig(raw.get("minPhotos", 1), raw.get("maxPhotos", 5))

    def value_schema(self, item: Item) -> dict[str, Any]:
        return {
            "type": "array",
            "uniqueItems": True,
            "minItems": item.config.min_photos,
            "maxItems": item.config.max_photos,
            "items": SHA256_SCHEMA,
        }

    def logic_value(self, item: Item, value: Any) -> Any:
        return None if value is None else len(value)

    def summary(self, item: Item, value: Any) -> str:
        count = len(value or [])
        return f"{count} photo{'s' if count != 1 else ''}"


class SignatureType(ItemType):
    """A signature drawn on the screen; the value is the sha256 of its PNG."""

    name = "signature"
    title = "Signature"
    macro = "signature"

    def value_schema(self, item: Item) -> dict[str, Any]:
        return SHA256_SCHEMA

    def logic_value(self, item: Item, value: Any) -> Any:
        return value is not None

    def summary(self, item: Item, value: Any) -> str:
        return "signed" if value else "—"
