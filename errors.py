"""Domain errors shared by every package.

Services raise these; one handler in ``web.errorhandlers`` turns them into an HTML page or an
``application/problem+json`` response. Each error carries field-level details so the user sees
which field is wrong and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field.

    ``pointer`` is a JSON pointer into the submitted document (``/email``), ``code`` a stable
    machine-readable word (``required``, ``too_short``) and ``message`` a sentence for people.
    """

    pointer: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The error as a JSON-ready dict."""
        return {"pointer": self.pointer, "code": self.code, "message": self.message}


class DomainError(Exception):
    """Base of all expected, user-facing errors. Never becomes a 500."""

    status = 400
    code = "bad_request"
    title = "The request could not be processed"

    def __init__(self, detail: str | None = None, errors: Iterable[FieldError] = ()) -> None:
        self.detail = detail or self.title
        self.errors = tuple(errors)
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """Input failed validation; ``errors`` lists each field."""

    status = 422
    code = "invalid_input"
    title = "Some fields are not valid"


class AuthenticationRequired(DomainError):
    """No valid session or API token was presented."""

    status = 401
    code = "authentication_required"
    title = "Sign in or send a valid API token"


class PermissionDenied(DomainError):
    """The user is signed in but may not do this."""

    status = 403
    code = "permission_denied"
    title = "You do not have permission to do this"


class NotFound(DomainError):
    """The requested object does not exist (or is not visible to the user)."""

    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state (duplicate, stale revision, immutable)."""

    status = 409
    code = "conflict"
    title = "This conflicts with the current state"


class PayloadTooLarge(DomainError):
    """An upload or body exceeds a size limit."""

    status = 413
    code = "payload_too_large"
    title = "What you sent is too large"


def field_error(pointer: str, code: str, message: str) -> InvalidInput:
    """Shorthand for an ``InvalidInput`` about a single field."""
    return InvalidInput(message, [FieldError(pointer, code, message)])
