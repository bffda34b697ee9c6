"""The OpenAPI 3.1 document of ``/api/v1``; each package adds its paths here as the API grows."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": {401: "Not authenticated", 403: "Not allowed", 422: "Invalid input"}.get(
                status, "Error"
            ),
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        }
        for status in statuses
    }


def openapi_document() -> dict[str, Any]:
    """Build the document (cheap; called per request to ``/api/v1/openapi.json``)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Gemba API", "version": "1"},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/me": {
                "get": {
                    "summary": "The authenticated user, their permissions and the token's scopes",
                    "responses": {
                        "200": {
                            "description": "The user",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Me"}}
                            },
                        },
                        **_problem_responses(401),
                    },
                }
            },
            "/api/v1/tokens": {
                "get": {
                    "summary": "The caller's personal API tokens (never their secrets)",
                    "responses": {"200": {"description": "Tokens"}, **_problem_responses(401, 403)},
                },
                "post": {
                    "summary": "Create a token; the secret is returned once, in this reply",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewToken"}
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Created"},
                        **_problem_responses(401, 403, 422),
                    },
                },
            },
            "/api/v1/tokens/{token_id}": {
                "delete": {
                    "summary": "Revoke one of the caller's tokens",
                    "parameters": [
                        {
                            "name": "token_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "Revoked"},
                        **_problem_responses(401, 403, 404),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Health of the app and its database",
                    "security": [],
                    "responses": {
                        "200": {"description": "Healthy"},
                        "503": {"description": "Unhealthy"},
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personal API token gmb_...",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["title", "status", "code"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "code": {"type": "string"},
                        "request_id": {"type": ["string", "null"]},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["pointer", "code", "message"],
                                "properties": {
                                    "pointer": {"type": "string"},
                                    "code": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                "NewToken": {
                    "type": "object",
                    "required": ["name", "scopes"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 80},
                        "scopes": {"type": "array", "items": {"type": "string"}},
                        "days": {"type": "integer", "minimum": 1, "maximum": 366},
                    },
                },
                "Me": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "email": {"type": "string"},
                        "display_name": {"type": "string"},
                        "role": {"type": "string"},
                        "permissions": {"type": "array", "items": {"type": "string"}},
                        "token": {"type": ["object", "null"]},
                    },
                },
            },
        },
    }
