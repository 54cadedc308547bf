"""Every error under /api/ is problem details (RFC 9457, application/problem+json: type, title,
status, detail) that keep the `code`, `message` and `errors` members clients already read, in
Vietnamese, never an HTML page or a traceback: unknown routes, wrong methods, invalid input,
refusals, missing objects, authentication, unreadable bodies and unexpected errors."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank" and body["status"] == status and body["title"]
    assert body["code"] == code and body["detail"] == body["message"]
    assert not body["detail"].isascii(), f"not Vietnamese: {body['detail']}"
    return body


@pytest.mark.parametrize("path", ["/api/v1/khong-co/", "/api/khong-co", "/api", "/api/v1/dossiers/abc/"])
def test_unknown_routes_answer_json_not_html(client, path: str) -> None:
    _problem(client.get(path, HTTP_ACCEPT="text/html"), 404, "not_found")


def test_wrong_method_is_a_405_with_allow(client) -> None:
    response = client.put("/api/v1/procedures/", {}, content_type="application/json")
    body = _problem(response, 405, "method_not_allowed")
    assert "PUT" in body["detail"] and "GET" in response["Allow"]


def test_invalid_input_keeps_field_errors(client) -> None:
    body = _problem(client.get("/api/v1/procedures/", {"level": "village"}), 400, "invalid")
    assert "level" in body["errors"]


def test_missing_object_keeps_its_own_message(client) -> None:
    body = _problem(client.get("/api/v1/procedures/9.999999/"), 404, "not_found")
    assert "9.999999" in body["detail"]


def test_a_refused_business_action_keeps_its_code(client) -> None:
    response = client.post(
        "/api/v1/auth/token/", {"phone": "0900000017", "password": "sai"}, content_type="application/json"
    )
    _problem(response, 400, "login_failed")


def test_authentication_errors_are_vietnamese(client) -> None:
    _problem(client.get("/api/v1/dossiers/"), 401, "not_authenticated")
    _problem(client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION="Token khong-hop-le"), 401, "authentication_failed")


def test_unreadable_body_is_a_parse_error(client) -> None:
    response = client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    _problem(response, 400, "parse_error")


def test_browsers_asking_for_html_still_get_problem_json(client) -> None:
    response = client.get("/api/v1/procedures/9.999999/", HTTP_ACCEPT="text/html")
    _problem(response, 404, "not_found")


@pytest.mark.urls("motcua.core.tests.urls_errors")
def test_unexpected_error_is_a_500_without_traceback(client) -> None:
    response = client.get("/api/v1/_test/broken/")
    body = _problem(response, 500, "server_error")
    assert "secret traceback" not in response.content.decode() and "RuntimeError" not in response.content.decode()
    assert set(body) == {"type", "title", "status", "detail", "code", "message"}


def test_schema_documents_problem_json_and_outages(tmp_path) -> None:
    import yaml

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    operation = schema["paths"]["/api/v1/procedures/{code}/"]["get"]
    assert set(operation["responses"]["404"]["content"]) == {PROBLEM}
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert set(operation["responses"]["500"]["content"]) == {PROBLEM}
    assert {"type", "title", "status", "detail", "code", "message"} <= set(
        schema["components"]["schemas"]["Error"]["required"]
    )
