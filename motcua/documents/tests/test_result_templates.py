"""A result template is refused when it is saved if it would fail when a result is issued:
invalid syntax, a forbidden tag, a variable the result's data does not have, or an error
with sample data. Agency administrators edit only their own procedures' templates."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from motcua.catalog.models import Procedure, ResultTemplate
from motcua.core.errors import ApplicationError
from motcua.core.testing import BIRTH, load_catalog, procedure
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.documents.admin import ResultTemplateAdminForm
from motcua.documents.results import DEFAULT_BODY, result_template_check, result_templates_load, result_title_check

URL = "/quan-tri/catalog/resulttemplate/"
TEMPLATES = Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json"


def refused(body: str) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        result_template_check(body=body)
    return caught.value


def test_unknown_variable_is_refused_and_named() -> None:
    """A variable that is not in the result's data is refused, naming it and listing the
    variables that exist."""
    error = refused("<p>{{ applicant_name }} sinh ngày {{ child_birth_date }}</p>")
    assert error.code == "result_template_unknown_variable"
    assert "Mẫu văn bản dùng biến không có trong dữ liệu của văn bản: child_birth_date" in error.message
    assert "applicant_name" in error.message and "answers" in error.message


@pytest.mark.parametrize(
    "body",
    [
        "{% if mother_name %}x{% endif %}",
        "{% for a in answer %}{{ a.label }}{% endfor %}",
        "{{ draft|default:fallback }}",
        "{% with x=secret.value %}{{ x }}{% endwith %}",
        "{% for a in answers %}{% endfor %}{{ a.label }}",  # a loop variable outside its loop
    ],
)
def test_unknown_variables_anywhere_are_refused(body: str) -> None:
    """Conditions, loops, filter arguments and {% with %} values are checked too."""
    assert refused(body).code == "result_template_unknown_variable"


def test_documented_names_and_names_the_template_sets_are_accepted() -> None:
    """The documented context names, loop variables, {% with %} names and "as" names pass."""
    result_template_check(
        body=(
            "{% for answer in answers %}{{ forloop.counter }}. {{ answer.label }}: {{ answer.value }}{% endfor %}"
            "{% with name=values.child_full_name %}{{ name|upper }}{% endwith %}"
            '{% if form.applicant_relationship == "me" and outcome != "refused" %}{{ outcome_note }}{% endif %}'
            '{{ received_date|date:"d/m/Y" }} {{ dossier_code }} {{ procedure_name }} {{ agency_name }}'
            '{% now "Y" as year %}{{ year }} {{ draft|linebreaks }} {{ applicant_name|default:"—" }}'
            "{% if True %}{% endif %}"
        )
    )
    result_template_check(body=DEFAULT_BODY)


@pytest.mark.parametrize("tag", ["load", "include", "extends", "ssi", "debug"])
def test_forbidden_tags_are_refused(tag: str) -> None:
    """Tags that reach other templates or tag libraries, or dump the context, are refused."""
    error = refused(f'<p>Văn bản</p>\n{{% {tag} "x" %}}')
    assert error.code == "result_template_forbidden_tag"
    assert f"Mẫu văn bản không được dùng thẻ {{% {tag} %}} (dòng 2)." == error.message


def test_syntax_error_is_refused_with_its_line() -> None:
    """A body that does not compile is refused, saying on which line."""
    error = refused("<p>{{ applicant_name }}</p>\n{% if draft %}<p>{{ draft }}</p>")
    assert error.code == "result_template_syntax"
    assert error.message.startswith("Mẫu văn bản có lỗi cú pháp ở dòng 2:")
    assert refused("{{ applicant_name|no_such_filter }}").code == "result_template_syntax"
    assert refused("{% frobnicate %}").code == "result_template_syntax"


def test_body_that_fails_with_sample_data_is_refused() -> None:
    """A body that compiles but fails to render with realistic data is refused."""
    error = refused("{% for a, b, c in answers %}{{ a }}{% endfor %}")
    assert error.code == "result_template_render"
    assert error.message.startswith("Không tạo được nội dung văn bản từ mẫu:")


def test_demo_templates_pass_the_check() -> None:
    """Every demo result template is a valid template."""
    for item in json.loads(TEMPLATES.read_text()).values():
        body = "\n".join(item["body"]) if isinstance(item["body"], list) else item["body"]
        result_template_check(body=body)  # raises, naming the problem, if invalid


@pytest.mark.django_db
def test_admin_form_refuses_a_bad_body_with_the_vietnamese_message() -> None:
    """The admin form shows the check's message on the body field."""
    load_catalog(BIRTH)
    version = Procedure.objects.get(code="1.001193").current_version
    form = ResultTemplateAdminForm(
        data={"version": version.pk, "title": "Giấy khai sinh", "symbol": "GKS", "body": "{{ ten_tre }}"}
    )
    assert not form.is_valid()
    assert "Mẫu văn bản dùng biến không có trong dữ liệu của văn bản: ten_tre" in form.errors["body"][0]
    good = ResultTemplateAdminForm(
        data={"version": version.pk, "title": "Giấy khai sinh", "symbol": "GKS", "body": DEFAULT_BODY}
    )
    assert good.is_valid(), good.errors


@pytest.mark.django_db
def test_the_title_is_the_result_the_catalogue_lists() -> None:
    """A birth registration issues the "Giấy khai sinh": a template titled otherwise is refused
    in the admin and when templates load, naming the catalogue's result."""
    load_catalog(BIRTH)
    version = Procedure.objects.get(code="1.001193").current_version
    form = ResultTemplateAdminForm(
        data={"version": version.pk, "title": "Trích lục khai sinh", "symbol": "TLKS", "body": DEFAULT_BODY}
    )
    assert not form.is_valid()
    assert form.errors["title"] == ["Tên văn bản phải là kết quả của thủ tục theo danh mục: Giấy khai sinh."]
    with pytest.raises(ValueError, match=r"1\.001193: Tên văn bản phải là kết quả"):
        result_templates_load(
            document={"1.001193": {"title": "Trích lục khai sinh", "symbol": "TLKS", "body": DEFAULT_BODY}},
            actor="test",
        )
    result_title_check(version=version, title="giấy  khai sinh")  # spacing and case aside, it is


def _agency_admin() -> Any:
    user = staff_ensure(
        actor="t", username="stp.qt", full_name="Quản Trị", password="x", roles=[(Role.AGENCY_ADMIN, "STP", None)]
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=["view_resulttemplate", "add_resulttemplate", "change_resulttemplate"],
        )
    )
    return user


@pytest.mark.django_db
def test_agency_admin_sees_and_edits_only_their_procedures_templates(client: Any) -> None:
    """An agency administrator lists, by procedure code, only the templates of procedures
    their agency manages, cannot open another agency's, and saving a body with an unknown
    variable is refused with the Vietnamese message."""
    load_catalog(BIRTH, procedure("1.013225", "Cấp giấy phép xây dựng", field="XD", managing_agency=""))
    own = ResultTemplate.objects.create(
        version=Procedure.objects.get(code="1.001193").current_version,
        title="Giấy khai sinh",
        symbol="GKS",
        body=DEFAULT_BODY,
    )
    other = ResultTemplate.objects.create(
        version=Procedure.objects.get(code="1.013225").current_version,
        title="Giấy phép xây dựng",
        symbol="GPXD",
        body=DEFAULT_BODY,
    )
    client.force_login(_agency_admin())
    listing = client.get(URL).content.decode()
    assert "1.001193" in listing and "Giấy khai sinh" in listing
    assert "1.013225" not in listing and "Giấy phép xây dựng" not in listing
    assert client.get(f"{URL}{other.pk}/change/").status_code in {302, 404}

    response = client.post(
        f"{URL}{own.pk}/change/", {"title": own.title, "symbol": own.symbol, "body": "<p>{{ ho_ten }}</p>"}
    )
    assert response.status_code == 200
    assert "Mẫu văn bản dùng biến không có trong dữ liệu của văn bản: ho_ten" in response.content.decode()
    own.refresh_from_db()
    assert own.body == DEFAULT_BODY

    response = client.post(
        f"{URL}{own.pk}/change/",
        {"title": own.title, "symbol": own.symbol, "body": "<p>{{ values.child_full_name }}</p>"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.body == "<p>{{ values.child_full_name }}</p>"


@pytest.mark.django_db
def test_superuser_sees_every_template(admin_client: Any) -> None:
    """A system administrator lists every procedure's template."""
    load_catalog(BIRTH, procedure("1.013225", "Cấp giấy phép xây dựng", field="XD", managing_agency=""))
    for code in ("1.001193", "1.013225"):
        ResultTemplate.objects.create(
            version=Procedure.objects.get(code=code).current_version, title=code, symbol="KQ", body=DEFAULT_BODY
        )
    listing = admin_client.get(URL).content.decode()
    assert "1.001193" in listing and "1.013225" in listing
