"""Account services against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts import services
from accounts.models import PasswordLink
from accounts.roles import Role
from errors import AuthenticationRequired, Conflict, InvalidInput, NotFound
from extensions import utcnow
from tests.factories import PASSWORD, UserFactory
from trail import TrailEvent

pytestmark = pytest.mark.integration


def test_create_user_without_password_issues_invitation(db_session: Session) -> None:
    user, link = services.create_user(
        db_session,
        actor_id=None,
        email="  New.Person@Example.COM ",
        display_name="New Person",
        role=Role.AUDITOR,
    )
    assert user.email == "new.person@example.com"
    assert user.password_hash is None
    assert link is not None
    assert link.purpose == "invite"
    stored = db_session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id))
    assert stored is not None
    assert link.secret not in stored.secret_hash
    actions = db_session.scalars(
        select(TrailEvent.action).where(TrailEvent.entity_id == str(user.id))
    ).all()
    assert "user.created" in actions
    assert "user.password_link_invite" in actions


def test_create_user_rejects_duplicate_email_case_insensitively(
    make_user: UserFactory, db_session: Session
) -> None:
    make_user(email="taken@example.com")
    with pytest.raises(Conflict) as info:
        services.create_user(
            db_session,
            actor_id=None,
            email="TAKEN@example.com",
            display_name="X",
            role=Role.OPERATOR,
        )
    assert info.value.errors[0].pointer == "/email"


@pytest.mark.parametrize(
    ("email", "name", "password", "pointer", "code"),
    [
        ("not-an-email", "X", None, "/email", "invalid_email"),
        ("ok@example.com", "   ", None, "/display_name", "required"),
        ("ok@example.com", "X", "short", "/password", "too_short"),
        ("ok@example.com", "X", "ok@example.com", "/password", "same_as_email"),
        ("ok@example.com", "X", "x" * 300, "/password", "too_long"),
    ],
)
def test_create_user_rejects_bad_input_with_field_error(
    db_session: Session, email: str, name: str, password: str | None, pointer: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        services.create_user(
            db_session,
            actor_id=None,
            email=email,
            display_name=name,
            role=Role.OPERATOR,
            password=password,
        )
    assert (info.value.errors[0].pointer, info.value.errors[0].code) == (pointer, code)


def test_authenticate_accepts_right_password_and_records_login(
    make_user: UserFactory, db_session: Session
) -> None:
    user = make_user(email="op@example.com")
    assert services.authenticate(db_session, "OP@example.com ", PASSWORD).id == user.id
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    "case", ["wrong_password", "unknown_email", "deactivated", "invited_no_password"]
)
def test_authenticate_refuses_with_one_generic_message(
    make_user: UserFactory, db_session: Session, case: str
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(
        email="who@example.com", password=None if case == "invited_no_password" else PASSWORD
    )
    if case == "deactivated":
        services.update_user(
            db_session,
            actor_id=admin.id,
            user_id=user.id,
            display_name=user.display_name,
            role=Role.OPERATOR,
            is_active=False,
        )
    email = "nobody@example.com" if case == "unknown_email" else "who@example.com"
    password = "wrong password!" if case == "wrong_password" else PASSWORD
    with pytest.raises(AuthenticationRequired, match="Email or password is wrong"):
        services.authenticate(db_session, email, password)


def test_update_user_refuses_to_remove_last_admin(
    make_user: UserFactory, db_session: Session
) -> None:
    admin = make_user(Role.ADMIN)
    other = make_user(Role.ENGINEER)
    db_session.execute(
        update(services.User)
        .where(services.User.id.notin_([admin.id, other.id]))
        .values(is_active=False)
    )
    with pytest.raises(Conflict, match="at least one active admin"):
        services.update_user(
            db_session,
            actor_id=other.id,
            user_id=admin.id,
            display_name="A",
            role=Role.OPERATOR,
            is_active=True,
        )


def test_update_user_refuses_self_lockout(make_user: UserFactory, db_session: Session) -> None:
    admin = make_user(Role.ADMIN)
    make_user(Role.ADMIN)
    with pytest.raises(Conflict, match="your own admin rights"):
        services.update_user(
            db_session,
            actor_id=admin.id,
            user_id=admin.id,
            display_name="A",
            role=Role.ADMIN,
            is_active=False,
        )


def test_update_user_records_old_and_new_values(
    make_user: UserFactory, db_session: Session
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.OPERATOR, name="Old Name")
    epoch = user.session_epoch
    services.update_user(
        db_session,
        actor_id=admin.id,
        user_id=user.id,
        display_name="New Name",
        role=Role.AUDITOR,
        is_active=False,
    )
    event = db_session.scalars(
        select(TrailEvent)
        .where(TrailEvent.action == "user.updated")
        .order_by(TrailEvent.seq.desc())
    ).first()
    assert event is not None
    assert event.actor_id == admin.id
    assert '"role":"operator"' in (event.old_values or "")
    assert '"role":"auditor"' in (event.new_values or "")
    assert user.session_epoch == epoch + 1


def test_update_user_unknown_id_is_not_found(db_session: Session, make_user: UserFactory) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(NotFound):
        services.update_user(
            db_session,
            actor_id=admin.id,
            user_id=987654,
            display_name="A",
            role=Role.ADMIN,
            is_active=True,
        )


def test_password_link_works_once(make_user: UserFactory, db_session: Session) -> None:
    user = make_user(password=None)
    link = services.issue_password_link(db_session, actor_id=None, user=user, purpose="reset")
    services.set_password_with_link(db_session, secret=link.secret, password="a brand new secret")
    assert services.authenticate(db_session, user.email, "a brand new secret").id == user.id
    with pytest.raises(NotFound):
        services.set_password_with_link(
            db_session, secret=link.secret, password="another new secret"
        )


def test_password_link_expires(make_user: UserFactory, db_session: Session) -> None:
    user = make_user()
    link = services.issue_password_link(db_session, actor_id=None, user=user, purpose="reset")
    db_session.execute(update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db_session.expire_all()
    with pytest.raises(NotFound, match="expired"):
        services.find_password_link(db_session, link.secret)


def test_new_password_link_supersedes_older_one(
    make_user: UserFactory, db_session: Session
) -> None:
    user = make_user()
    old = services.issue_password_link(db_session, actor_id=None, user=user, purpose="reset")
    services.issue_password_link(db_session, actor_id=None, user=user, purpose="reset")
    with pytest.raises(NotFound):
        services.find_password_link(db_session, old.secret)


def test_change_password_checks_current_one(make_user: UserFactory, db_session: Session) -> None:
    user = make_user()
    with pytest.raises(InvalidInput) as info:
        services.change_password(
            db_session, user=user, current="not it at all", new="something long enough"
        )
    assert info.value.errors[0].pointer == "/current_password"
    services.change_password(db_session, user=user, current=PASSWORD, new="something long enough")
    assert services.authenticate(db_session, user.email, "something long enough").id == user.id
