"""Agency administrators edit a draft version's e-form in the admin as JSON, see structural
mistakes as form errors, and preview the form as citizens will see it (validation included);
a published version's form is read-only."""

import json
from typing import Any

import pytest

from motcua.catalog.models import Procedure, ProcedureForm, ProcedureVersion
from motcua.catalog.services import procedure_version_clone
from motcua.core.testing import load_catalog

pytestmark = pytest.mark.django_db

URL = "/quan-tri/catalog/procedureform/"
SCHEMA: dict[str, Any] = {
    "version": 1,
    "title": "Tờ khai đăng ký khai sinh",
    "pages": [
        {
            "id": "tre-em",
            "title": "Thông tin trẻ em",
            "fields": [
                {"name": "child_full_name", "type": "text", "label": "Họ, chữ đệm, tên", "required": True},
                {
                    "name": "child_birth_date",
                    "type": "date",
                    "label": "Ngày sinh",
                    "required": True,
                    "date_rule": "past",
                },
                {
                    "name": "mother_id_number",
                    "type": "id_number",
                    "label": "Số định danh cá nhân của mẹ",
                    "gender": "nữ",
                },
                {"name": "birth_certificate", "type": "file", "label": "Giấy chứng sinh", "component": 0},
            ],
        }
    ],
}


@pytest.fixture
def versions() -> tuple[ProcedureVersion, ProcedureVersion]:
    """The published v1 of birth registration (with a form) and a draft v2 (without)."""
    load_catalog()
    procedure = Procedure.objects.get(code="1.001193")
    published = procedure.current_version
    assert published is not None
    ProcedureForm.objects.create(version=published, schema=SCHEMA)
    draft = procedure_version_clone(actor="test", procedure=procedure)
    return published, draft


def test_the_list_shows_forms_with_their_version(admin_client: Any, versions: Any) -> None:
    """The change list names each form's version and title."""
    page = admin_client.get(URL).content.decode()
    assert "1.001193 v1" in page and "Tờ khai đăng ký khai sinh" in page


def test_a_published_versions_form_is_read_only(admin_client: Any, versions: Any) -> None:
    """It can be viewed and previewed but not changed or deleted: dossiers keep the form they used."""
    published, _draft = versions
    form = published.form
    page = admin_client.get(f"{URL}{form.pk}/change/").content.decode()
    assert "<textarea" not in page
    assert f"{URL}{form.pk}/xem-truoc/" in page
    response = admin_client.post(f"{URL}{form.pk}/change/", {"schema": json.dumps({"version": 1})})
    assert response.status_code == 403
    assert ProcedureForm.objects.get(pk=form.pk).schema == SCHEMA
    assert admin_client.post(f"{URL}{form.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_new_form_goes_on_a_draft_version_without_one(admin_client: Any, versions: Any) -> None:
    """The add page offers draft versions only, and saves a valid definition."""
    published, draft = versions
    page = admin_client.get(f"{URL}add/").content.decode()
    assert f'value="{draft.pk}"' in page and f'value="{published.pk}"' not in page
    response = admin_client.post(f"{URL}add/", {"version": draft.pk, "schema": json.dumps(SCHEMA)})
    assert response.status_code == 302
    assert ProcedureForm.objects.get(version=draft).schema == SCHEMA


def test_the_editor_shows_indented_json_with_vietnamese_text(admin_client: Any, versions: Any) -> None:
    """The JSON is pretty-printed and keeps Vietnamese letters readable (no \\u escapes)."""
    _published, draft = versions
    form = ProcedureForm.objects.create(version=draft, schema=SCHEMA)
    page = admin_client.get(f"{URL}{form.pk}/change/").content.decode()
    assert "\n  &quot;title&quot;: &quot;Tờ khai đăng ký khai sinh&quot;" in page
    assert "\\u" not in page.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "Xem trước nội dung đang sửa" in page


def test_structural_mistakes_are_shown_as_form_errors(admin_client: Any, versions: Any) -> None:
    """form_schema_errors' messages appear on the page and nothing is saved; the component
    index is checked against the draft's own components."""
    _published, draft = versions
    bad = json.loads(json.dumps(SCHEMA))
    bad["pages"][0]["fields"][3]["component"] = 3
    bad["pages"][0]["fields"].append({"name": "x", "type": "choice", "label": "X"})
    response = admin_client.post(f"{URL}add/", {"version": draft.pk, "schema": json.dumps(bad)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "thành phần hồ sơ số 3 không tồn tại (phiên bản có 1 thành phần)" in page
    assert "trường lựa chọn phải có danh sách “choices”" in page
    response = admin_client.post(f"{URL}add/", {"version": draft.pk, "schema": "{not json"})
    assert response.status_code == 200 and "{not json" in response.content.decode()
    assert not ProcedureForm.objects.filter(version=draft).exists()


def test_preview_renders_every_page_as_citizens_see_it(admin_client: Any, versions: Any) -> None:
    """The preview uses the portal's design system and the real inputs."""
    published, _draft = versions
    page = admin_client.get(f"{URL}{published.form.pk}/xem-truoc/").content.decode()
    assert "Bản xem trước biểu mẫu của 1.001193 v1" in page
    assert 'name="child_full_name"' in page and 'class="mc-input"' in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "motcua/css/main.css" in page


def test_preview_runs_the_real_validation(admin_client: Any, versions: Any) -> None:
    """Submitting the preview shows Vietnamese messages next to the fields, or the cleaned data."""
    published, _draft = versions
    url = f"{URL}{published.form.pk}/xem-truoc/"
    posted = {
        "schema_json": json.dumps(SCHEMA),
        "_eform_page": "tre-em",
        "child_full_name": "",
        "child_birth_date": "2099-01-01",
        "mother_id_number": "066090123456",
    }
    page = admin_client.post(url, posted).content.decode()
    assert "Vui lòng nhập “Họ, chữ đệm, tên”." in page
    assert "“Ngày sinh” không được sau ngày hôm nay" in page
    assert "Giới tính trong số định danh (Nam) không khớp với giới tính đã khai (Nữ)." in page
    posted.update(child_full_name="Trần Minh An", child_birth_date="2025-12-01", mother_id_number="066190123456")
    page = admin_client.post(url, posted).content.decode()
    assert "Dữ liệu hợp lệ" in page and "&quot;child_full_name&quot;: &quot;Trần Minh An&quot;" in page


def test_the_definition_being_edited_can_be_previewed_before_saving(admin_client: Any, versions: Any) -> None:
    """The change form posts its textarea to the preview; a broken definition lists its problems."""
    edited = json.loads(json.dumps(SCHEMA))
    edited["pages"][0]["title"] = "Trang đã sửa"
    page = admin_client.post(f"{URL}xem-truoc/", {"schema": json.dumps(edited)}).content.decode()
    assert "Trang đã sửa" in page and "chưa lưu" in page
    page = admin_client.post(f"{URL}xem-truoc/", {"schema": '{"version": 1, "pages": []}'}).content.decode()
    assert "Định nghĩa biểu mẫu có lỗi" in page and "ít nhất một trang" in page
    page = admin_client.post(f"{URL}xem-truoc/", {"schema": "{oops"}).content.decode()
    assert "JSON không hợp lệ" in page


def test_staff_without_permission_cannot_preview(client: Any, versions: Any, django_user_model: Any) -> None:
    """The preview is part of the admin and follows its permissions."""
    published, _draft = versions
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(f"{URL}{published.form.pk}/xem-truoc/").status_code == 403
