"""Bad input and failures get clear errors in the client's format, never a stack trace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from app import create_app
from extensions import Database
from tests.conftest import csrf_token_from, login, settings_for
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def small_body_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app that accepts at most 1 KiB bodies and has a route that crashes."""
    application = create_app(settings_for(database_url, tmp_path, max_content_length=1024))

    @application.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    yield application
    Database.state(application).engine.dispose()


def test_malformed_json_is_a_problem_with_pointer(
    client: FlaskClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.ENGINEER).email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/api/v1/tokens",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body is not None
    assert body["errors"] == [
        {"pointer": "", "code": "malformed_json", "message": "The request body is not valid JSON."}
    ]
    assert body["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("payload", "pointer", "code"),
    [
        ([1, 2], "", "not_an_object"),
        ({"scopes": ["plant:view"]}, "/name", "required"),
        ({"name": 5, "scopes": ["plant:view"]}, "/name", "wrong_type"),
        ({"name": "x", "scopes": ["plant:view"], "days": True}, "/days", "wrong_type"),
        ({"name": "x", "scopes": ["root"]}, "/scopes", "unknown_scope"),
    ],
)
def test_wrong_json_fields_name_field_and_reason(
    client: FlaskClient, make_user: UserFactory, payload: object, pointer: str, code: str
) -> None:
    login(client, make_user(Role.ENGINEER).email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/api/v1/tokens", json=payload, headers={"X-CSRFToken": token})
    assert response.status_code == 422
    assert response.json is not None
    assert (response.json["errors"][0]["pointer"], response.json["errors"][0]["code"]) == (
        pointer,
        code,
    )


def test_oversized_body_is_413_not_500(small_body_app: Flask) -> None:
    client = small_body_app.test_client()
    response = client.post("/api/v1/tokens", data=b"x" * 4096, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    page = client.post("/login", data={"email": "a" * 4096})
    assert page.status_code == 413
    assert "too large" in page.get_data(as_text=True)


def test_unexpected_error_is_generic_500_without_internals(small_body_app: Flask) -> None:
    client = small_body_app.test_client()
    html = client.get("/boom")
    assert html.status_code == 500
    text = html.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "secret internals" not in text
    assert "Traceback" not in text
    as_json = client.get("/boom", headers={"Accept": "application/json"})
    assert as_json.status_code == 500
    assert as_json.mimetype == "application/problem+json"


def test_unknown_page_is_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_unknown_api_path_is_problem_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_wrong_method_is_405_with_allow_header(client: FlaskClient) -> None:
    response = client.put("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_anonymous_api_call_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_request_id_is_echoed_when_safe_and_replaced_when_not(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>"
    assert len(replaced) == 32


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_user_text_is_escaped_in_pages(client: FlaskClient, make_user: UserFactory) -> None:
    admin = make_user(Role.ADMIN)
    make_user(name="<script>alert(1)</script>")
    login(client, admin.email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_access_log_has_request_id_and_hides_link_secrets(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="gemba.access"):
        response = client.get(
            "/set-password/supersecretvalue123", headers={"X-Request-ID": "req-42"}
        )
    assert response.status_code == 404
    lines = [r for r in caplog.records if r.name == "gemba.access"]
    assert lines
    assert lines[-1].request_id == "req-42"  # type: ignore[attr-defined]
    assert lines[-1].path == "/set-password/[redacted]"  # type: ignore[attr-defined]
    assert "supersecretvalue123" not in caplog.text


def test_flash_message_is_shown_after_sign_out(client: FlaskClient, make_user: UserFactory) -> None:
    login(client, make_user().email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    page = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert 'class="flash flash-info"' in page.get_data(as_text=True)
    assert "You are signed out." in page.get_data(as_text=True)


def test_nan_in_a_json_body_is_malformed_json(client: FlaskClient, make_user: UserFactory) -> None:
    login(client, make_user(Role.ENGINEER).email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/api/v1/tokens",
        data='{"name": "x", "scopes": ["plant:view"], "days": NaN}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "malformed_json"


def test_nul_characters_are_refused_in_forms_and_json(
    client: FlaskClient, make_user: UserFactory
) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin.email)
    page = client.get("/admin/users/new").get_data(as_text=True)
    form = client.post(
        "/admin/users/new",
        data={
            "email": "n@example.com",
            "display_name": "A\x00B",
            "role": "operator",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert form.status_code == 422
    assert "NUL character" in form.get_data(as_text=True)
    token = csrf_token_from(page)
    body = client.post(
        "/api/v1/tokens",
        data='{"name": "a\\u0000b", "scopes": ["plant:view"]}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert body.status_code == 422
    assert body.json is not None
    assert body.json["errors"][0]["code"] == "malformed_json"


@pytest.mark.parametrize(
    "body",
    ['{"name": "a\\ud800", "scopes": ["plant:view"]}', "[" * 5000 + "]" * 5000],
    ids=["lone-surrogate", "deep-nesting"],
)
def test_unencodable_or_deep_json_is_malformed_not_500(
    client: FlaskClient, make_user: UserFactory, body: str
) -> None:
    login(client, make_user(Role.ENGINEER).email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "malformed_json"


def test_forbidden_page_explains_without_internals(
    client: FlaskClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.OPERATOR).email)
    response = client.get("/admin/users")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "You do not have permission to do this" in text
    assert "Traceback" not in text
    assert client.get("/api/v1/tokens", headers={"Accept": "application/json"}).status_code == 200


def test_deep_json_with_lone_surrogate_is_malformed_not_500(
    client: FlaskClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.ENGINEER).email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    body = '{"name": ' + "[" * 600 + '"\\ud800"' + "]" * 600 + ', "scopes": []}'
    response = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 422
