"""Factories that build test data through the real services."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class UserFactory:
    """Creates users with ``PASSWORD`` unless told otherwise."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(
        self,
        role: Role = Role.OPERATOR,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str | None = PASSWORD,
    ) -> User:
        n = next(_counter)
        user, _ = create_user(
            self.session,
            actor_id=None,
            email=email or f"{role.value}{n}@example.com",
            display_name=name or f"{role.label} {n}",
            role=role,
            password=password,
        )
        self.session.commit()
        return user
