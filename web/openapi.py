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


def _json_response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }


def _path_param(name: str, kind: str = "integer") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def _checklist_paths() -> dict[str, Any]:
    return {
        "/api/v1/checklists": {
            "get": {
                "summary": "Checklists with their latest version",
                "responses": {"200": _json_response("Checklists"), **_problem_responses(401, 403)},
            }
        },
        "/api/v1/checklists/{checklist_id}/versions": {
            "get": {
                "summary": "Versions of a checklist",
                "parameters": [_path_param("checklist_id")],
                "responses": {
                    "200": _json_response("Versions"),
                    **_problem_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/versions/{version_id}": {
            "get": {
                "summary": "One immutable version with its definition and content hash",
                "parameters": [_path_param("version_id")],
                "responses": {
                    "200": _json_response("Version"),
                    **_problem_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/schema/definition": {
            "get": {
                "summary": "JSON Schema of checklist definitions",
                "responses": {"200": _json_response("JSON Schema")},
            }
        },
        "/api/v1/item-types": {
            "get": {
                "summary": "Item types and their config schemas",
                "responses": {"200": _json_response("Item types")},
            }
        },
    }


def _audit_paths() -> dict[str, Any]:
    uuid = _path_param("client_uuid", "string")
    answers = {"type": "object", "description": "item key → {value, comment, reaction, photos}"}
    return {
        "/api/v1/audits": {
            "get": {
                "summary": "Audits: one's own, or all with audits:view-all",
                "description": "Filters: checklist, asset, auditor, result, status, since, until.",
                "responses": {"200": _json_response("Audits"), **_problem_responses(401, 403, 422)},
            },
            "post": {
                "summary": "Submit an audit in one call, or start a draft with submit=false",
                "description": "Idempotent by client_uuid: identical resend 200, different 409.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["client_uuid", "version_id", "asset_code"],
                                "properties": {
                                    "client_uuid": {"type": "string", "format": "uuid"},
                                    "version_id": {"type": "integer"},
                                    "asset_code": {"type": "string"},
                                    "submit": {"type": "boolean", "default": True},
                                    "answers": answers,
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json_response("Created"),
                    "200": _json_response("Identical resend: the same audit"),
                    **_problem_responses(401, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/audits/{client_uuid}": {
            "get": {
                "summary": "One audit",
                "parameters": [uuid],
                "responses": {"200": _json_response("Audit"), **_problem_responses(401, 404)},
            }
        },
        "/api/v1/audits/{client_uuid}/draft": {
            "put": {
                "summary": "Autosave a draft's answers",
                "parameters": [uuid],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"answers": answers, "revision": {"type": "integer"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json_response("Saved"),
                    **_problem_responses(401, 404, 409, 422),
                },
            }
        },
        "/api/v1/audits/{client_uuid}/evidence": {
            "post": {
                "summary": "Upload a photo or signature (JPEG, PNG, WebP); idempotent by sha256",
                "parameters": [uuid],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "kind": {"enum": ["photo", "signature"]},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json_response("Stored"),
                    **_problem_responses(401, 404, 409, 413, 422),
                },
            }
        },
        "/api/v1/audits/{client_uuid}/submit": {
            "post": {
                "summary": "Submit a draft; 422 lists every item that needs attention",
                "parameters": [uuid],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"answers": answers}}
                        }
                    },
                },
                "responses": {
                    "201": _json_response("Submitted"),
                    "200": _json_response("Identical resend"),
                    **_problem_responses(401, 404, 409, 422),
                },
            }
        },
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
            **_checklist_paths(),
            **_audit_paths(),
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
