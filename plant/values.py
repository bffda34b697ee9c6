"""The one normalised shape of a machine value, whatever source it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TagValue:
    """A value as a connector delivers it, before it is stored."""

    value: float | int | bool | str | None
    quality: str
    received_at: datetime
    source_time: datetime | None = None
    server_time: datetime | None = None
    detail: str | None = None

    def columns(self) -> dict[str, Any]:
        """The ``tag_current`` columns for this value."""
        number, text = split_value(self.value)
        return {
            "value_number": number,
            "value_text": text,
            "quality": self.quality,
            "quality_detail": self.detail,
            "source_time": self.source_time,
            "server_time": self.server_time,
            "received_at": self.received_at,
        }


def split_value(value: float | int | bool | str | None) -> tuple[float | None, str | None]:
    """Numbers and booleans go to the number column (booleans as 0/1), text to the text column."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return (1.0 if value else 0.0), None
    if isinstance(value, int | float):
        return float(value), None
    return None, str(value)


def typed_value(
    datatype: str, number: float | None, text: str | None
) -> float | int | bool | str | None:
    """Back from the stored columns to the binding's datatype."""
    if datatype == "string":
        return text
    if number is None:
        return None
    if datatype == "bool":
        return number != 0
    if datatype == "int":
        return int(number)
    return number


@dataclass(frozen=True, slots=True)
class LiveValue:
    """A role's current value at an asset, with what a person needs to judge it."""

    role: str
    binding_id: int
    binding_version: int
    address: str
    datatype: str
    value: float | int | bool | str | None
    unit: str
    quality: str
    detail: str | None
    source_time: datetime | None
    received_at: datetime | None
    age_seconds: float | None
    stale: bool

    @property
    def usable(self) -> bool:
        """Good and fresh: fit to prefill an answer or to cross-check one."""
        return self.quality == "good" and not self.stale and self.value is not None
