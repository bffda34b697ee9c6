"""Account tables: users, personal API tokens and one-time password links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.roles import Permission, Role
from extensions import Base, utcnow

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)
_SCOPE_VALUES = ", ".join(f"'{p.value}'" for p in Permission)


class User(Base):
    """A person who signs in. Users are deactivated, never deleted (records point at them)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(display_name) > 0", name="display_name_present"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Sign-in name, stored lower-case; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Name shown on audits and reports.
    display_name: Mapped[str] = mapped_column(String(120))
    #: argon2id hash; null until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: One of ``Role``.
    role: Mapped[str] = mapped_column(String(20), index=True)
    #: False once deactivated: cannot sign in, tokens stop working.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last successful sign-in.
    last_login_at: Mapped[datetime | None]
    #: Bumped on password change or deactivation; sessions created before it are rejected.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        """The role as an enum member."""
        return Role(self.role)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded user."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Always false for a loaded user."""
        return False

    def get_id(self) -> str:
        """Session identifier: user id and epoch, so a password change ends old sessions."""
        return f"{self.id}:{self.session_epoch}"


class ApiToken(Base):
    """A personal API token. Only the sha256 of its secret is stored; it is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_present"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Owner; the token acts as this user, limited to its scopes.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Label chosen by the owner ("Line 3 tablet", "MES export").
    name: Mapped[str] = mapped_column(String(80))
    #: Public lookup part of the token (``gmb_<prefix>_<secret>``).
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    #: sha256 hex of the secret part.
    secret_hash: Mapped[str] = mapped_column(String(64))
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The token stops working at this time.
    expires_at: Mapped[datetime]
    #: Last time the token authenticated a request.
    last_used_at: Mapped[datetime | None]
    #: Set when revoked; revoked tokens never work again.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
    scope_rows: Mapped[list[ApiTokenScope]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def scopes(self) -> frozenset[Permission]:
        """The permissions this token may exercise."""
        return frozenset(Permission(row.scope) for row in self.scope_rows)

    def is_usable(self, now: datetime) -> bool:
        """True when neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > now


class ApiTokenScope(Base):
    """One permission granted to a token."""

    __tablename__ = "api_token_scopes"
    __table_args__ = (CheckConstraint(f"scope IN ({_SCOPE_VALUES})", name="scope_known"),)

    #: The token.
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    #: A ``Permission`` value.
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)


class PasswordLink(Base):
    """A one-time link to set a password: sent to invited users or after an admin reset."""

    __tablename__ = "password_links"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Whose password the link sets.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``invite`` or ``reset``.
    purpose: Mapped[str] = mapped_column(String(10))
    #: sha256 hex of the link's secret.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Creation time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The link stops working at this time.
    expires_at: Mapped[datetime]
    #: Set when the link was used or superseded; a link works once.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
