"""Roles and permissions: the one table that decides who may do what.

Every check in views, API endpoints, navigation and templates goes through ``is_allowed`` so
the policy lives here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's job on the shop floor; each user has exactly one."""

    OPERATOR = "operator"
    AUDITOR = "auditor"
    ENGINEER = "engineer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return self.value.capitalize()


class Permission(StrEnum):
    """An action that is allowed to some roles. Values double as API token scopes."""

    PLANT_VIEW = "plant:view"
    PLANT_MANAGE = "plant:manage"
    CHECKLISTS_VIEW = "checklists:view"
    CHECKLISTS_EDIT = "checklists:edit"
    AUDITS_FILL = "audits:fill"
    AUDITS_VIEW = "audits:view"
    AUDITS_VIEW_ALL = "audits:view-all"
    REPORTS_VIEW = "reports:view"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"


_EVERYONE = frozenset(Role)

#: The policy: which roles hold each permission.
PERMISSION_ROLES: dict[Permission, frozenset[Role]] = {
    Permission.PLANT_VIEW: _EVERYONE,
    Permission.PLANT_MANAGE: frozenset({Role.ENGINEER, Role.ADMIN}),
    Permission.CHECKLISTS_VIEW: _EVERYONE,
    Permission.CHECKLISTS_EDIT: frozenset({Role.ENGINEER, Role.ADMIN}),
    Permission.AUDITS_FILL: frozenset({Role.OPERATOR, Role.AUDITOR, Role.ENGINEER, Role.ADMIN}),
    #: See audits: one's own, or every audit with AUDITS_VIEW_ALL.
    Permission.AUDITS_VIEW: _EVERYONE,
    Permission.AUDITS_VIEW_ALL: frozenset({Role.AUDITOR, Role.ENGINEER, Role.MANAGER, Role.ADMIN}),
    Permission.REPORTS_VIEW: frozenset({Role.ENGINEER, Role.MANAGER, Role.ADMIN}),
    Permission.USERS_MANAGE: frozenset({Role.ADMIN}),
    Permission.TOKENS_OWN: _EVERYONE,
}


def role_permissions(role: Role) -> frozenset[Permission]:
    """Every permission that ``role`` holds."""
    return frozenset(p for p, roles in PERMISSION_ROLES.items() if role in roles)


def is_allowed(
    role: Role | None,
    permission: Permission,
    token_scopes: frozenset[Permission] | None = None,
) -> bool:
    """Decide whether a user with ``role`` may exercise ``permission``.

    A request authenticated by an API token is further limited to the token's scopes.
    """
    if role is None or role not in PERMISSION_ROLES[permission]:
        return False
    return token_scopes is None or permission in token_scopes
