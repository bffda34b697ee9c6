"""Differences between two definitions, item by item (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item (or section) present in both definitions whose properties differ."""

    key: str
    #: Property name → (old value, new value).
    fields: dict[str, tuple[Any, Any]]

    @property
    def breaking(self) -> bool:
        """A type change makes old answers meaningless for the new item."""
        return "type" in self.fields


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    """Items added, removed and changed from ``old`` to ``new``; section and header changes."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ItemChange, ...]
    header: dict[str, tuple[Any, Any]]
    #: Sections present in both whose title or rules changed.
    sections: tuple[ItemChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing differs."""
        return not (self.added or self.removed or self.changed or self.header or self.sections)

    @property
    def breaking(self) -> bool:
        """Removing an item or changing its type breaks comparisons with older audits."""
        return bool(self.removed) or any(c.breaking for c in self.changed)


def _items(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    def walk(items: Any, prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue  # drafts may be invalid; compare what can be compared
            path = f"{prefix}{item.get('key')}"
            yield path, item
            yield from walk(item.get("items"), f"{path}/")

    found: dict[str, Mapping[str, Any]] = {}
    for section in _sections(document).values():
        found.update(walk(section.get("items"), ""))
    return found


def _sections(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    sections = document.get("sections")
    return {
        str(section.get("key")): section
        for section in (sections if isinstance(sections, list) else [])
        if isinstance(section, Mapping)
    }


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    names = sorted((old.keys() | new.keys()) - {"items"})
    return {
        name: (old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)
    }


def diff_definitions(old: Mapping[str, Any], new: Mapping[str, Any]) -> DefinitionDiff:
    """Compare two definition documents (schema-valid or not) item by item."""
    old_items, new_items = _items(old), _items(new)
    order = list(new_items)
    changed = [
        ItemChange(key, fields)
        for key in order
        if key in old_items and (fields := _changed_fields(old_items[key], new_items[key]))
    ]
    old_sections, new_sections = _sections(old), _sections(new)
    sections = [
        ItemChange(key, fields)
        for key in new_sections
        if key in old_sections and (fields := _changed_fields(old_sections[key], new_sections[key]))
    ]
    header = {
        name: (old.get(name), new.get(name))
        for name in ("title", "description", "scoring", "appliesTo")
        if old.get(name) != new.get(name)
    }
    return DefinitionDiff(
        added=tuple(k for k in order if k not in old_items),
        removed=tuple(k for k in old_items if k not in new_items),
        changed=tuple(changed),
        header=header,
        sections=tuple(sections),
    )
