"""Webforms (WTForms classes) for sign-in, users, passwords and API tokens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)

# types-wtforms 3.2 predates SelectChoice (wtforms 3.3 deprecates tuple choices).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from accounts.roles import Permission, Role
from accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


def scope_choices(allowed: frozenset[Permission] | None = None) -> list[SelectChoice]:
    """Token scope checkboxes, limited to ``allowed`` when given."""
    return [SelectChoice(p.value, p.value) for p in Permission if allowed is None or p in allowed]


class LoginWebform(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()


class UserCreateWebform(FlaskForm):
    """An admin invites a new user."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class UserEditWebform(FlaskForm):
    """An admin edits a user."""

    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    is_active = BooleanField("Active (may sign in)")


class SetPasswordWebform(FlaskForm):
    """Choose a password through an invitation or reset link."""

    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class ChangePasswordWebform(FlaskForm):
    """Change one's own password."""

    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
    )


class TokenWebform(FlaskForm):
    """Create a personal API token."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    scopes = SelectMultipleField(
        "Scopes",
        choices=scope_choices(),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message="Choose at least one scope.")],
    )
    days = IntegerField("Valid for (days)", default=90, validators=[NumberRange(min=1, max=366)])


class ConfirmWebform(FlaskForm):
    """A button-only form (logout, revoke, reset): carries just the CSRF token."""
