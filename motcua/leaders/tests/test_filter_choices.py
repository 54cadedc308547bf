"""The leaders' scope and procedure filters are typed, not listed: the province's dashboard stays
light with the demo province's six hundred scopes and seventeen hundred procedures, suggestions
name only what the person may see, and without scripts the server resolves the typed name to
exactly one choice or says in Vietnamese why it cannot."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Field, Procedure
from motcua.core.management.commands.load_demo import DEMO_DIRECTORY
from motcua.directory.constants import Role
from motcua.directory.models import Agency, OrgUnit
from motcua.directory.services import directory_load
from motcua.dossiers.testing import officer
from motcua.leaders.testing import DataSet, data_set_made

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("leaders:dashboard")
CHOICES = reverse("leaders:choices")
PROCEDURES = 1_758  # the demo catalogue's, with the national catalogue imported


@pytest.fixture
def data(hung: Any, birth_version: Any) -> DataSet:
    return data_set_made(applicant=hung, version=birth_version)


@pytest.fixture
def giamsat() -> Any:
    """The demo province-wide supervisor."""
    return officer("giamsat", agency=None, role=Role.SUPERVISOR)  # type: ignore[arg-type]


def _suggested(client: Client, kind: str, text: str) -> list[str]:
    response = client.get(CHOICES, {"loai": kind, "q": text})
    assert response.status_code == 200
    return [item["label"] for item in response.json()["results"]]


def test_the_province_dashboard_stays_under_100_kb(giamsat: Any, client: Client) -> None:
    directory_load(actor="test", document=json.loads(DEMO_DIRECTORY.read_text()))
    field = Field.objects.create(code="G15-TP07", name="Hộ tịch")
    name = "Thủ tục thử số {} về cấp, cấp lại, điều chỉnh giấy phép hoạt động của cơ sở"
    Procedure.objects.bulk_create(
        Procedure(code=f"9.{n:06d}", name=name.format(n), field=field) for n in range(PROCEDURES)
    )
    assert Agency.objects.count() + OrgUnit.objects.count() > 250
    client.force_login(giamsat)
    response = client.get(DASHBOARD, {"tu": "2026-11-02", "den": "2026-11-13"})
    assert response.status_code == 200
    assert len(response.content) < 100_000, len(response.content)
    html = response.content.decode()
    assert html.count("<option") < 30
    assert 'name="pham-vi-tim"' in html and 'value="Toàn tỉnh"' in html and 'name="thu-tuc-tim"' in html


def test_suggestions_are_only_the_persons_own(data: DataSet, giamsat: Any, hung: Any, client: Client) -> None:
    ward_leader = officer("xa.ld", role=Role.LEADER)
    client.force_login(ward_leader)
    assert _suggested(client, "pham-vi", "Sở Tư pháp") == []
    assert _suggested(client, "pham-vi", "Toàn tỉnh") == []
    assert _suggested(client, "pham-vi", "Tân Lập") == ["UBND phường Tân Lập", "Phòng Tư pháp – UBND phường Tân Lập"]
    assert _suggested(client, "thu-tuc", "khai sinh") == ["1.001193 – Thủ tục đăng ký khai sinh"]
    assert _suggested(client, "pham-vi", "T") == []  # one letter: too many to be useful

    client.force_login(giamsat)
    assert "Sở Tư pháp" in _suggested(client, "pham-vi", "Sở Tư pháp")
    assert _suggested(client, "pham-vi", "toàn") == ["Toàn tỉnh"]

    client.force_login(hung)
    assert client.get(CHOICES, {"q": "Tân Lập"}).status_code == 403
    client.logout()
    anonymous = client.get(CHOICES, {"q": "Tân Lập"})
    assert anonymous.status_code == 302 and "dang-nhap" in anonymous["Location"]


def test_a_typed_scope_and_procedure_are_resolved_without_scripts(data: DataSet, giamsat: Any, client: Client) -> None:
    client.force_login(giamsat)
    justice = Agency.objects.get(code="STP")
    page = client.get(DASHBOARD, {"pham-vi": "tinh", "pham-vi-tim": "sở tư pháp", "thu-tuc-tim": "1.001193"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bảng điều hành: Sở Tư pháp" in html and f"pham-vi=co-quan-{justice.pk}" in html
    birth = Procedure.objects.get(code="1.001193")
    assert f"thu-tuc={birth.pk}" in html and 'value="1.001193 – Thủ tục đăng ký khai sinh"' in html

    # The suggestion's label, a unit named with its agency, is one choice.
    unit = client.get(DASHBOARD, {"pham-vi": "tinh", "pham-vi-tim": "Phòng Tư pháp – UBND phường Tân Lập"})
    assert unit.status_code == 200 and f"pham-vi=bo-phan-{data.unit.pk}" in unit.content.decode()

    # Unchanged text keeps the scope; an emptied procedure field filters nothing out.
    same = client.get(DASHBOARD, {"pham-vi": f"co-quan-{justice.pk}", "pham-vi-tim": "Sở Tư pháp", "thu-tuc-tim": ""})
    assert same.status_code == 200 and "thu-tuc=" not in same.content.decode()

    unknown = client.get(DASHBOARD, {"pham-vi": "tinh", "pham-vi-tim": "Sở Không Có"})
    assert unknown.status_code == 400
    assert "Không tìm thấy phạm vi nào có tên “Sở Không Có”." in unknown.content.decode()
    several = client.get(DASHBOARD, {"pham-vi": "tinh", "pham-vi-tim": "UBND"})
    assert several.status_code == 400
    assert "Có nhiều phạm vi có tên chứa “UBND”" in several.content.decode()
    procedure = client.get(DASHBOARD, {"thu-tuc-tim": "9.999999"})
    assert (
        procedure.status_code == 400 and "Không tìm thấy thủ tục nào có tên “9.999999”." in procedure.content.decode()
    )

    # Another person's agency typed by name is not found, never widened to.
    client.force_login(officer("xa.ld", role=Role.LEADER))
    refused = client.get(DASHBOARD, {"pham-vi-tim": "Sở Tư pháp"})
    assert refused.status_code == 400 and "Không tìm thấy phạm vi nào" in refused.content.decode()
