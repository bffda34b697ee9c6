"""Differences between two definitions, item by item (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item present in both definitions whose properties differ."""

    key: str
    #: Property name → (old value, new value).
    fields: dict[str, tuple[Any, Any]]

    @property
    def breaking(self) -> bool:
        """A type change makes old answers meaningless for the new item."""
        return "type" in self.fields


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    """Items added, removed and changed from ``old`` to ``new``; title/scoring changes too."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ItemChange, ...]
    header: dict[str, tuple[Any, Any]]

    @property
    def empty(self) -> bool:
        """True when nothing differs."""
        return not (self.added or self.removed or self.changed or self.header)

    @property
    def breaking(self) -> bool:
        """Removing an item or changing its type breaks comparisons with older audits."""
        return bool(self.removed) or any(c.breaking for c in self.changed)


def _items(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    def walk(
        items: list[Mapping[str, Any]], prefix: str
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for item in items:
            path = f"{prefix}{item.get('key')}"
            yield path, item
            if isinstance(item.get("items"), list):
                yield from walk(item["items"], f"{path}/")

    found: dict[str, Mapping[str, Any]] = {}
    for section in document.get("sections", []):
        if isinstance(section, Mapping):
            found.update(walk(section.get("items", []), ""))
    return found


def diff_definitions(old: Mapping[str, Any], new: Mapping[str, Any]) -> DefinitionDiff:
    """Compare two definition documents (schema-valid or not) item by item."""
    old_items, new_items = _items(old), _items(new)
    changed = []
    for key in new_items.keys() & old_items.keys():
        a = {k: v for k, v in old_items[key].items() if k != "items"}
        b = {k: v for k, v in new_items[key].items() if k != "items"}
        fields = {
            name: (a.get(name), b.get(name))
            for name in sorted(a.keys() | b.keys())
            if a.get(name) != b.get(name)
        }
        if fields:
            changed.append(ItemChange(key, fields))
    header = {
        name: (old.get(name), new.get(name))
        for name in ("title", "description", "scoring", "appliesTo")
        if old.get(name) != new.get(name)
    }
    order = list(new_items)
    return DefinitionDiff(
        added=tuple(k for k in order if k not in old_items),
        removed=tuple(k for k in old_items if k not in new_items),
        changed=tuple(sorted(changed, key=lambda c: order.index(c.key))),
        header=header,
    )
