"""Webforms for checklist pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField

# types-wtforms 3.2 predates SelectChoice (wtforms 3.3 deprecates tuple choices).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, Regexp

__all__ = [
    "ChecklistCreateWebform",
    "ChecklistImportWebform",
    "DraftWebform",
    "ImageUploadWebform",
    "PublishWebform",
    "SelectChoice",
]

KEY_RULE = Regexp(r"^[a-z0-9][a-z0-9_-]{0,62}$", message="Use lower-case letters, digits, - or _.")


class ChecklistCreateWebform(FlaskForm):
    """Create a checklist from a blank page, a shipped template or a copy."""

    key = StringField("Key", validators=[DataRequired(), Length(max=63), KEY_RULE])
    start_from = SelectField("Start from", validators=[DataRequired()])


class ChecklistImportWebform(FlaskForm):
    """Import a checklist JSON file."""

    file = FileField("Checklist file (.json)", validators=[FileRequired()])


class ImageUploadWebform(FlaskForm):
    """Upload a picture for instruction items."""

    file = FileField("Picture (JPEG, PNG or WebP)", validators=[FileRequired()])


class DraftWebform(FlaskForm):
    """Edit the draft definition as JSON."""

    document = TextAreaField(
        "Definition (JSON)", validators=[DataRequired(), Length(max=2_000_000)]
    )
    revision = IntegerField(validators=[DataRequired()])


class PublishWebform(FlaskForm):
    """Publish the reviewed draft."""

    revision = HiddenField(validators=[DataRequired()])
    confirm_breaking = BooleanField("I understand: publish although audits use the current version")
