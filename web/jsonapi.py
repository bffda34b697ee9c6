"""Reading JSON request bodies with clear errors."""

from __future__ import annotations

from typing import Any

from flask import request

from errors import FieldError, InvalidInput


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    Raises:
        InvalidInput: the body is missing, not JSON, or not an object.
    """
    if not request.is_json:
        message = "Send a JSON body with Content-Type: application/json."
        raise InvalidInput(message, [FieldError("", "json_required", message)])
    body = request.get_json(silent=True)
    if body is None:
        message = "The request body is not valid JSON."
        raise InvalidInput(message, [FieldError("", "malformed_json", message)])
    if not isinstance(body, dict):
        message = "The request body must be a JSON object."
        raise InvalidInput(message, [FieldError("", "not_an_object", message)])
    return body


def require_type(
    body: dict[str, Any], key: str, kind: type | tuple[type, ...], *, required: bool = True
) -> Any:
    """Return ``body[key]`` after checking its JSON type.

    Raises:
        InvalidInput: the key is missing (when required) or of the wrong type.
    """
    if key not in body:
        if required:
            raise InvalidInput(
                f"{key} is required.", [FieldError(f"/{key}", "required", f"{key} is required.")]
            )
        return None
    value = body[key]
    # bool is an int in Python but not in JSON.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = " or ".join(_json_name(k) for k in _as_tuple(kind))
        message = f"{key} must be {names}."
        raise InvalidInput(message, [FieldError(f"/{key}", "wrong_type", message)])
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _json_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        list: "an array",
        dict: "an object",
        bool: "a boolean",
    }.get(kind, kind.__name__)
