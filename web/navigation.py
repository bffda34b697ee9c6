"""The navigation bar: each entry shows only to users allowed to open it."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.access import can
from accounts.roles import Permission


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One link in the navigation bar."""

    endpoint: str
    label: str
    permission: Permission


#: Ordered as the floor uses them: filling first, administration last.
NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("web.home", "Home", Permission.PLANT_VIEW),
    NavEntry("audits.start", "Start audit", Permission.AUDITS_FILL),
    NavEntry("audits.index", "Audits", Permission.AUDITS_VIEW),
    NavEntry("checklists.index", "Checklists", Permission.CHECKLISTS_VIEW),
    NavEntry("plant.assets", "Plant", Permission.PLANT_VIEW),
    NavEntry("plant.live", "Live values", Permission.PLANT_VIEW),
    NavEntry("accounts.users", "Users", Permission.USERS_MANAGE),
    NavEntry("accounts.api_tokens", "API tokens", Permission.TOKENS_OWN),
)


def visible_navigation() -> list[NavEntry]:
    """The entries the current user may open."""
    return [entry for entry in NAVIGATION if can(entry.permission)]
