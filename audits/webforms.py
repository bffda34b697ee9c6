"""Webforms for audit pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

# types-wtforms 3.2 predates SelectChoice (wtforms 3.3 deprecates tuple choices).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired

__all__ = ["SelectChoice", "StartAuditWebform"]


class StartAuditWebform(FlaskForm):
    """Pick the checklist version and the machine."""

    version = SelectField("Checklist", validators=[DataRequired()])
    asset = SelectField("Machine", validators=[DataRequired()])
