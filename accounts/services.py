"""Account services: create and edit users, sign in, passwords and one-time password links.

Services take a ``Session``, flush but never commit, and raise ``errors.DomainError``s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accounts.models import PasswordLink, User
from accounts.roles import Role
from accounts.secrets import (
    hash_password,
    hash_secret,
    new_secret,
    password_needs_rehash,
    verify_password,
)
from errors import AuthenticationRequired, Conflict, FieldError, InvalidInput, NotFound
from extensions import utcnow
from trail import record_event

#: Shortest accepted password; long passphrases beat complexity rules (NIST SP 800-63B).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A password link just created; ``secret`` is shown once and never stored."""

    user: User
    purpose: str
    secret: str
    expires_at: datetime


def normalise_email(email: str, *, pointer: str = "/email") -> str:
    """Return the lower-cased, syntax-checked address.

    Raises:
        InvalidInput: the address is not valid.
    """
    try:
        # Plants often use internal domains (plant.local), so only syntax is checked.
        checked = validate_email(
            email.strip(), check_deliverability=False, globally_deliverable=False
        )
    except EmailNotValidError as exc:
        raise InvalidInput(str(exc), [FieldError(pointer, "invalid_email", str(exc))]) from exc
    return checked.normalized.lower()


def check_password_policy(password: str, *, email: str, pointer: str = "/password") -> None:
    """Raise ``InvalidInput`` when ``password`` is too short, too long or equals the email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"Use at least {MIN_PASSWORD_LENGTH} characters."
        raise InvalidInput(message, [FieldError(pointer, "too_short", message)])
    if len(password) > MAX_PASSWORD_LENGTH:
        message = f"Use at most {MAX_PASSWORD_LENGTH} characters."
        raise InvalidInput(message, [FieldError(pointer, "too_long", message)])
    if password.strip().lower() == email.lower():
        message = "The password must not be your email address."
        raise InvalidInput(message, [FieldError(pointer, "same_as_email", message)])


def get_user(session: Session, user_id: int) -> User:
    """Load a user by id.

    Raises:
        NotFound: no such user.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this (case-insensitive) email, if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(session: Session) -> list[User]:
    """All users, active first, then by name."""
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.display_name)))


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the active user whose email and password match, recording the sign-in.

    Raises:
        AuthenticationRequired: unknown email, wrong password or deactivated user (one message
            for all three, so the form does not reveal which accounts exist).
    """
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise AuthenticationRequired(
            "Email or password is wrong.",
            [FieldError("/password", "wrong_credentials", "Email or password is wrong.")],
        )
    if user.password_hash and password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    record_event(
        session, actor_id=user.id, action="user.signed_in", entity_type="user", entity_id=user.id
    )
    return user


def create_user(
    session: Session,
    *,
    actor_id: int | None,
    email: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    link_hours: int = 72,
) -> tuple[User, IssuedLink | None]:
    """Create a user; without ``password`` an invitation link is issued instead.

    Raises:
        InvalidInput: bad email, empty name or weak password.
        Conflict: the email is already taken.
    """
    address = normalise_email(email)
    name = display_name.strip()
    if not name:
        raise InvalidInput(
            "Enter a name.", [FieldError("/display_name", "required", "Enter a name.")]
        )
    if find_user_by_email(session, address) is not None:
        message = f"A user with the email {address} already exists."
        raise Conflict(message, [FieldError("/email", "taken", message)])
    if password is not None:
        check_password_policy(password, email=address)
    user = User(
        email=address,
        display_name=name,
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        session_epoch=0,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        new={"email": address, "display_name": name, "role": role.value},
    )
    link = None
    if password is None:
        link = issue_password_link(
            session, actor_id=actor_id, user=user, purpose="invite", hours=link_hours
        )
    return user, link


def update_user(
    session: Session,
    *,
    actor_id: int,
    user_id: int,
    display_name: str,
    role: Role,
    is_active: bool,
) -> User:
    """Change a user's name, role or active flag.

    Deactivating a user ends their sessions and stops their API tokens.

    Raises:
        NotFound: no such user.
        InvalidInput: empty name.
        Conflict: the change would leave the plant without an active admin, or an admin would
            lock themselves out.
    """
    user = get_user(session, user_id)
    name = display_name.strip()
    if not name:
        raise InvalidInput(
            "Enter a name.", [FieldError("/display_name", "required", "Enter a name.")]
        )
    losing_admin = (
        user.role == Role.ADMIN and user.is_active and (role != Role.ADMIN or not is_active)
    )
    if losing_admin and user.id == actor_id:
        message = "You cannot remove your own admin rights or deactivate yourself."
        raise Conflict(message, [FieldError("/role", "self_lockout", message)])
    if losing_admin and _active_admin_count(session) <= 1:
        message = "The plant needs at least one active admin."
        raise Conflict(message, [FieldError("/role", "last_admin", message)])
    old = {"display_name": user.display_name, "role": user.role, "is_active": user.is_active}
    new = {"display_name": name, "role": role.value, "is_active": is_active}
    if old == new:
        return user
    if user.is_active and not is_active:
        user.session_epoch += 1
    user.display_name, user.role, user.is_active = name, role.value, is_active
    session.flush()
    changed_old = {k: v for k, v in old.items() if new[k] != v}
    changed_new = {k: new[k] for k in changed_old}
    record_event(
        session,
        actor_id=actor_id,
        action="user.updated",
        entity_type="user",
        entity_id=user.id,
        old=changed_old,
        new=changed_new,
    )
    return user


def _active_admin_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
        )
        or 0
    )


def issue_password_link(
    session: Session, *, actor_id: int | None, user: User, purpose: str, hours: int = 72
) -> IssuedLink:
    """Create a one-time password link for ``user``; older unused links of the user stop working."""
    now = utcnow()
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    secret = new_secret()
    expires_at = now + timedelta(hours=hours)
    session.add(
        PasswordLink(
            user_id=user.id, purpose=purpose, secret_hash=hash_secret(secret), expires_at=expires_at
        )
    )
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action=f"user.password_link_{purpose}",
        entity_type="user",
        entity_id=user.id,
        new={"expires_at": expires_at.isoformat()},
    )
    return IssuedLink(user=user, purpose=purpose, secret=secret, expires_at=expires_at)


def reset_password(session: Session, *, actor_id: int, user_id: int, hours: int = 72) -> IssuedLink:
    """Issue a one-time reset link for an active user (the old password works until it is used).

    Raises:
        NotFound: no such user.
        Conflict: the user is deactivated.
    """
    user = get_user(session, user_id)
    if not user.is_active:
        raise Conflict("This user is deactivated; activate them before resetting the password.")
    return issue_password_link(session, actor_id=actor_id, user=user, purpose="reset", hours=hours)


def find_password_link(session: Session, secret: str) -> PasswordLink:
    """The usable link for ``secret``.

    Raises:
        NotFound: unknown, used or expired link (one message for all).
    """
    link = session.scalar(
        select(PasswordLink).where(PasswordLink.secret_hash == hash_secret(secret))
    )
    if (
        link is None
        or link.used_at is not None
        or link.expires_at <= utcnow()
        or not link.user.is_active
    ):
        raise NotFound(
            "This link is invalid, was already used or has expired. Ask an admin for a new one."
        )
    return link


def set_password_with_link(session: Session, *, secret: str, password: str) -> User:
    """Set a password through a one-time link and use the link up.

    Raises:
        NotFound: the link is not usable.
        InvalidInput: the password breaks the policy.
    """
    link = find_password_link(session, secret)
    user = link.user
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    link.used_at = utcnow()
    session.flush()
    record_event(
        session, actor_id=user.id, action="user.password_set", entity_type="user", entity_id=user.id
    )
    return user


def change_password(session: Session, *, user: User, current: str, new: str) -> User:
    """Change one's own password after re-checking the current one; other sessions end.

    Raises:
        InvalidInput: the current password is wrong or the new one breaks the policy.
    """
    if not verify_password(user.password_hash, current):
        message = "The current password is wrong."
        raise InvalidInput(message, [FieldError("/current_password", "wrong_password", message)])
    check_password_policy(new, email=user.email, pointer="/new_password")
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    session.flush()
    record_event(
        session,
        actor_id=user.id,
        action="user.password_changed",
        entity_type="user",
        entity_id=user.id,
    )
    return user
