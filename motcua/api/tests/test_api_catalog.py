"""The public catalogue API: search, filters, pagination, detail, JSON errors, schema."""

import pytest
from django.core.management import call_command

from motcua.core.testing import BIRTH, BIRTH_WITH_PARENTS, load_catalog, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    load_catalog(
        BIRTH_WITH_PARENTS,
        BIRTH,
        procedure("1.013225", "Cấp giấy phép xây dựng", field="XD", level="province", online_level="partial"),
    )


@pytest.mark.parametrize("search", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH"])
def test_search_lists_birth_registration_first(client, catalog, search: str) -> None:
    response = client.get("/api/v1/procedures/", {"search": search})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["code"] == "1.001193" and first["name"] == "Thủ tục đăng ký khai sinh"
    assert first["field"] == "G15-TP07" and first["processing_time_unit"] == "working_day"


def test_filters_and_page_size(client, catalog) -> None:
    body = client.get("/api/v1/procedures/", {"level": "province"}).json()
    assert [r["code"] for r in body["results"]] == ["1.013225"]
    body = client.get("/api/v1/procedures/", {"page_size": 1}).json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]


def test_invalid_filter_is_a_json_400(client, catalog) -> None:
    response = client.get("/api/v1/procedures/", {"level": "village"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_detail_carries_papers_fees_and_legal_basis(client, catalog) -> None:
    body = client.get("/api/v1/procedures/1.001193/").json()
    version = body["version"]
    assert version["number"] == 1
    assert version["components"][0]["name"] == "Tờ khai đăng ký khai sinh"
    assert version["fees"][0]["amount"] == 0
    assert version["legal_basis"] == [{"number": "60/2014/QH13", "title": "Luật Hộ tịch"}]


def test_unknown_code_is_a_json_404(client, catalog) -> None:
    response = client.get("/api/v1/procedures/9.999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and "9.999999" in response.json()["message"]


def test_directory_lists(client, catalog) -> None:
    assert {a["code"] for a in client.get("/api/v1/agencies/").json()["results"]} == {"STP", "TTPVHCC", "UBND-24121"}
    units = client.get("/api/v1/units/").json()["results"]
    assert {"code": "24121", "parent": "66"}.items() <= next(u for u in units if u["code"] == "24121").items()
    fields = client.get("/api/v1/fields/").json()["results"]
    assert {f["code"]: f["procedure_count"] for f in fields} == {"G15-TP07": 2, "XD": 1}


def test_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/procedures/{code}/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()


def test_schema_validates_without_warnings() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
