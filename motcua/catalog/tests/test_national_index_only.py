"""Index entries without a full record are findable on the portal, searched without accents,
and clearly information-only: no online submission is offered or accepted."""

import pytest

from motcua.catalog.models import Procedure, Process
from motcua.catalog.national import national_import
from motcua.core.errors import ApplicationError
from motcua.dossiers.services import dossier_start

ENTRY = {
    "id": "019d90fc-dc0b-71d1-9983-60de3967c4b7",
    "code": "1.014203",
    "name": "Thẩm định điều kiện về cơ sở vật chất kỹ thuật đối với cơ sở phân phối thuốc",
    "categories": ["Dược phẩm"],
    "categoryIds": ["019d2bbb-69ee-7079-a6b5-285402d4d733"],
    "departments": ["Sở Y tế"],
    "departmentPromulgate": "Bộ Y tế",
    "formalityTargetType": ["Doanh nghiệp"],
    "state": "ACTIVE",
    "type": "STANDARD",
}


def test_index_entry_is_found_without_accents_and_marked_information_only(national, client, django_user_model):
    report = national_import(actor="test", records=[], index=[ENTRY])
    assert report.created == ["1.014203"]
    procedure = Procedure.objects.get(code="1.014203")
    assert procedure.information_only and procedure.managing_agency.code == "SYT"
    assert not Process.objects.filter(version=procedure.current_version).exists()

    html = client.get("/thu-tuc/", {"q": "tham dinh co so phan phoi thuoc"}).content.decode()
    assert "1.014203" in html and "Chỉ thông tin tra cứu, nộp trực tiếp" in html

    page = client.get("/thu-tuc/1.014203/").content.decode()
    assert "Chỉ có thông tin tra cứu, nộp hồ sơ trực tiếp." in page
    assert "Nộp hồ sơ trực tuyến" not in page and "/bat-dau/1.014203/" not in page
    # Nothing is known of its papers, steps, basis or fees: no empty headings, no "free", no level.
    for unknown in ("Thành phần hồ sơ", "Trình tự thực hiện", "Căn cứ pháp lý", "Không thu phí, lệ phí", "Một phần"):
        assert unknown not in page, unknown
    assert "Chưa có thông tin phí, lệ phí" in page

    citizen = django_user_model.objects.create_user(username="0900000001", password="x")
    client.force_login(citizen)
    started = client.get("/ho-so/bat-dau/1.014203/", follow=True)
    assert started.redirect_chain == [("/thu-tuc/1.014203/", 302)]
    assert "chưa nhận hồ sơ trực tuyến; hãy nộp trực tiếp" in started.content.decode()
    with pytest.raises(ApplicationError) as refused:
        dossier_start(applicant=citizen, version=procedure.current_version, unit_code=None)
    assert refused.value.code == "procedure_information_only"


def test_index_entry_of_another_province_or_internal_does_not_apply(national):
    other = {**ENTRY, "code": "1.999995", "type": "SPECIFIC", "departmentPromulgate": "UBND tỉnh Lạng Sơn"}
    internal = {**ENTRY, "code": "1.999996", "type": "STANDARD_INTERNAL"}
    central = {**ENTRY, "code": "1.999997", "departments": ["Cục Hàng không Việt Nam"]}

    report = national_import(actor="test", records=[], index=[other, internal, central])

    assert sorted(report.not_applicable) == ["1.999995", "1.999996", "1.999997"]


def test_api_says_which_procedures_are_information_only(national, client):
    national_import(actor="test", records=[national("1.013222")], index=[ENTRY])

    listed = {p["code"]: p["information_only"] for p in client.get("/api/v1/procedures/").json()["results"]}
    assert listed == {"1.013222": False, "1.014203": True}
    assert client.get("/api/v1/procedures/1.014203/").json()["information_only"] is True
