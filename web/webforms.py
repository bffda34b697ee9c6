"""Helpers between domain errors and webforms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from errors import DomainError


def attach_errors(webform: FlaskForm, error: DomainError) -> list[str]:
    """Put each field error of ``error`` on the matching webform field.

    Returns the messages that match no field, to show above the form.
    """
    unmatched: list[str] = []
    for item in error.errors or ():
        name = item.pointer.strip("/").split("/")[0]
        field = webform._fields.get(name) if name else None
        if field is None:
            unmatched.append(item.message)
        else:
            field.errors = [*field.errors, item.message]
    if not error.errors:
        unmatched.append(error.detail)
    return unmatched
