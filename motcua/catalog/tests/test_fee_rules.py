"""Fee rules as data: the server-side quote, the rule check, and the rules through the catalogue
exchange (docs/fees.md)."""

import copy
import json
from typing import Any

import pytest

from motcua.catalog.constants import FeeBasis, FeeChannel, FeeKind, PaymentTiming
from motcua.catalog.eforms import top_fields
from motcua.catalog.exchange import read_excel, write_excel
from motcua.catalog.fees import fee_quote, fee_rule_errors, fee_rule_text
from motcua.catalog.models import Fee, Procedure
from motcua.catalog.services import CatalogImportRefused, catalog_export, catalog_import
from motcua.core.management.commands.load_demo import DEMO_CATALOG, DEMO_FORMS
from motcua.core.testing import BIRTH, catalog_document

COPY = Fee(
    pk=2,
    kind=FeeKind.CHARGE,
    name="Phí cấp bản sao",
    amount=8000,
    basis=FeeBasis.PER_UNIT,
    quantity_field="copies",
)
FREE = Fee(pk=1, kind=FeeKind.FEE, name="Lệ phí đăng ký khai sinh", amount=0)
JUDICIAL = Fee(
    pk=3,
    kind=FeeKind.CHARGE,
    name="Phí cung cấp thông tin lý lịch tư pháp",
    amount=200000,
    reductions=[
        {"when": {"field": "group", "in": ["sinh_vien", "co_cong"]}, "percent": 50, "reason": "sinh viên"},
        {"when": {"field": "group", "equals": "ho_ngheo"}, "percent": 100, "reason": "hộ nghèo"},
    ],
)


def quote(*fees: Fee, answers: dict[str, Any] | None = None, channel: str = "online") -> Any:
    return fee_quote(fees=fees, answers=answers or {}, channel=channel)


def test_a_fixed_fee_is_charged_once_and_a_free_one_is_kept_to_show_why() -> None:
    fixed = Fee(pk=5, kind=FeeKind.FEE, name="Lệ phí", amount=50000)
    result = quote(fixed, FREE)
    assert [(line.name, line.amount) for line in result.lines] == [("Lệ phí", 50000), (FREE.name, 0)]
    assert [line.explanation for line in result.lines] == ["50.000 đồng", "Không thu"]
    assert result.total == 50000


def test_per_copy_charge_counts_the_copies_asked_for_and_none_means_no_line() -> None:
    three = quote(FREE, COPY, answers={"copies": "3"})
    assert three.total == 24000
    assert three.total_of(FeeKind.CHARGE) == 24000 and three.total_of(FeeKind.FEE) == 0
    line = three.lines[1]
    assert (line.unit_amount, line.quantity, line.amount) == (8000, 3, 24000)
    assert line.explanation == "8.000 đồng × 3"
    for nothing in ({}, {"copies": ""}, {"copies": "0"}, {"copies": "-2"}, {"copies": "abc"}, {"copies": "NaN"}):
        assert [line.name for line in quote(FREE, COPY, answers=nothing).lines] == [FREE.name], nothing


def test_a_conditional_line_applies_only_when_the_answer_holds() -> None:
    late = Fee(
        pk=6, kind=FeeKind.FEE, name="Lệ phí quá hạn", amount=5000, condition={"field": "case", "equals": "qua_han"}
    )
    assert quote(late, answers={"case": "qua_han "}).total == 5000
    assert quote(late, answers={"case": "dung_han"}).lines == ()
    assert quote(late).lines == ()


def test_channel_picks_the_online_or_the_counter_rate() -> None:
    counter = Fee(pk=7, kind=FeeKind.FEE, name="Trực tiếp", amount=20000, channel=FeeChannel.OFFLINE)
    online = Fee(pk=8, kind=FeeKind.FEE, name="Trực tuyến", amount=10000, channel=FeeChannel.ONLINE)
    assert quote(counter, online, channel="online").total == 10000
    assert quote(counter, online, channel="national_portal").total == 10000
    assert quote(counter, online, channel="counter").total == 20000
    assert quote(counter, online, channel="post_office").total == 20000


def test_reductions_halve_or_exempt_with_the_reason_and_the_largest_applies() -> None:
    assert quote(JUDICIAL, answers={"group": "khong"}).total == 200000
    half = quote(JUDICIAL, answers={"group": "sinh_vien"}).lines[0]
    assert (half.amount, half.reduction_percent, half.reduction_reason) == (100000, 50, "sinh viên")
    assert half.explanation == "200.000 đồng, giảm 50% do sinh viên"
    exempt = quote(JUDICIAL, answers={"group": "ho_ngheo"}).lines[0]
    assert (exempt.amount, exempt.reduction_percent) == (0, 100)
    assert exempt.explanation == "200.000 đồng, miễn do hộ nghèo"
    both = Fee(
        pk=9,
        kind=FeeKind.FEE,
        name="x",
        amount=1000,
        reductions=[
            *JUDICIAL.reductions,
            {"when": {"field": "group", "equals": "ho_ngheo"}, "percent": 30, "reason": "y"},
        ],
    )
    assert quote(both, answers={"group": "ho_ngheo"}).lines[0].reduction_percent == 100


def test_amounts_round_half_up_to_whole_dong() -> None:
    odd = Fee(
        pk=10,
        kind=FeeKind.CHARGE,
        name="Phí",
        amount=12345,
        basis=FeeBasis.PER_UNIT,
        quantity_field="n",
        reductions=[{"when": {"field": "g", "equals": "a"}, "percent": 50, "reason": "r"}],
    )
    assert quote(odd, answers={"n": 1, "g": "a"}).total == 6173  # 6,172.5
    assert quote(odd, answers={"n": 3, "g": "a"}).total == 18518  # 18,517.5
    assert quote(odd, answers={"n": "2.9"}).lines[0].quantity == 2


def test_the_quote_serialises_every_explained_line() -> None:
    lines = quote(FREE, COPY, answers={"copies": 1}).as_json()
    assert lines[1] == {
        "fee_id": 2,
        "kind": "charge",
        "name": "Phí cấp bản sao",
        "unit_amount": 8000,
        "quantity": 1,
        "reduction_percent": 0,
        "reduction_reason": "",
        "amount": 8000,
        "explanation": "8.000 đồng × 1",
    }


FORM_FIELDS: dict[str, dict[str, Any]] = {
    "copies": {"name": "copies", "type": "number"},
    "purpose": {"name": "purpose", "type": "text"},
    "group": {"name": "group", "type": "choice", "choices": [{"value": "khong"}, {"value": "ho_ngheo"}]},
}


def test_rule_errors_name_the_problem_in_vietnamese() -> None:
    assert fee_rule_errors({"basis": "per_unit", "quantity_field": "copies"}, fields=FORM_FIELDS) == {}
    assert "số bản" in fee_rule_errors({"basis": "per_unit"}, fields=FORM_FIELDS)["quantity_field"][0]
    assert (
        "purpose"
        in fee_rule_errors({"basis": "per_unit", "quantity_field": "purpose"}, fields=FORM_FIELDS)["quantity_field"][0]
    )
    assert (
        "không tồn tại"
        in fee_rule_errors({"condition": {"field": "nope", "equals": "x"}}, fields=FORM_FIELDS)["condition"][0]
    )
    assert "“condition” phải có" in fee_rule_errors({"condition": {"equals": "x"}}, fields=FORM_FIELDS)["condition"][0]
    bad = fee_rule_errors(
        {
            "reductions": [
                {"when": {"field": "group", "equals": "ho_ngheo"}, "percent": 150, "reason": "hộ nghèo"},
                {"when": {"field": "group", "equals": "giau"}, "percent": 50, "reason": ""},
                "miễn",
            ]
        },
        fields=FORM_FIELDS,
    )["reductions"]
    assert any("từ 0 đến 100" in p for p in bad)
    assert any("lý do" in p for p in bad)
    assert any("giau" in p for p in bad)
    assert any("thứ 3" in p for p in bad)
    # Without the form only the shape is checked.
    assert fee_rule_errors({"condition": {"field": "nope", "equals": "x"}}, fields=None) == {}


def test_every_demo_fee_rule_reads_fields_of_its_own_form() -> None:
    procedures = json.loads(DEMO_CATALOG.read_text())["procedures"]
    forms = json.loads(DEMO_FORMS.read_text())
    ruled = 0
    for proc in procedures:
        for fee in proc.get("fees", []):
            if any(key in fee for key in ("basis", "condition", "reductions", "quantity_field")):
                ruled += 1
                fields = top_fields(forms[proc["code"]]) if proc["code"] in forms else {}
                assert fee_rule_errors(fee, fields=fields) == {}, proc["code"]
    assert ruled >= 5


def test_the_public_words_for_a_rule() -> None:
    assert fee_rule_text(COPY) == "8.000 đồng mỗi bản"
    online = Fee(pk=8, kind=FeeKind.FEE, name="Trực tuyến", amount=10000, channel=FeeChannel.ONLINE)
    assert fee_rule_text(online) == "10.000 đồng; áp dụng khi nộp trực tuyến"
    assert fee_rule_text(JUDICIAL) == "200.000 đồng; giảm 50% cho sinh viên; miễn cho hộ nghèo"


RULED: dict[str, Any] = {
    **copy.deepcopy(BIRTH),
    "payment_timing": "submission",
    "fees": [
        {"kind": "fee", "name": "Lệ phí", "amount": 0},
        {
            "kind": "charge",
            "name": "Phí bản sao",
            "amount": 8000,
            "basis": "per_unit",
            "quantity_field": "copies",
            "channel": "online",
            "condition": {"field": "case", "in": ["a", "b"]},
            "reductions": [{"when": {"field": "group", "equals": "ho_ngheo"}, "percent": 100, "reason": "hộ nghèo"}],
        },
    ],
}


@pytest.mark.django_db
def test_the_catalogue_carries_rules_and_timing_through_json_and_excel(agencies: Any) -> None:
    catalog_import(actor="test", document=catalog_document(RULED))
    version = Procedure.objects.get(code=BIRTH["code"]).current_version
    assert version is not None and version.payment_timing == PaymentTiming.SUBMISSION
    charge = version.fees.get(kind=FeeKind.CHARGE)
    assert (charge.basis, charge.quantity_field, charge.channel) == ("per_unit", "copies", "online")
    assert charge.condition == {"field": "case", "in": ["a", "b"]} and charge.reductions[0]["percent"] == 100
    exported = catalog_export()
    assert exported["procedures"][0]["payment_timing"] == "submission"
    assert exported["procedures"][0]["fees"][1]["reductions"] == RULED["fees"][1]["reductions"]
    assert "basis" not in exported["procedures"][0]["fees"][0], "default rules stay out of the content"
    parsed = read_excel(write_excel(exported))
    assert not parsed.errors
    assert parsed.document["procedures"][0]["fees"] == exported["procedures"][0]["fees"]
    assert catalog_import(actor="test", document=parsed.document).unchanged == [BIRTH["code"]]


@pytest.mark.django_db
def test_a_fee_without_rules_hashes_as_before_rules_existed(agencies: Any) -> None:
    catalog_import(actor="test", document=catalog_document())
    plain: dict[str, Any] = copy.deepcopy(BIRTH)
    plain["fees"][0].update(basis="fixed", channel="any", condition={}, reductions=[], quantity_field="")
    plain["payment_timing"] = "acceptance"
    assert catalog_import(actor="test", document=catalog_document(plain)).unchanged == [BIRTH["code"]]


@pytest.mark.django_db
def test_a_broken_rule_in_a_catalogue_file_is_refused_with_its_place(agencies: Any) -> None:
    broken = copy.deepcopy(RULED)
    broken["fees"][1]["reductions"] = [{"when": {"field": "group"}, "percent": 200, "reason": "x"}]
    broken["fees"][1]["channel"] = "fax"
    broken["payment_timing"] = "never"
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor="test", document=catalog_document(broken))
    places = {error.location for error in refused.value.errors}
    assert {
        "procedures[0].payment_timing",
        "procedures[0].fees[1].channel",
        "procedures[0].fees[1].reductions",
    } <= places


@pytest.mark.django_db
def test_the_admin_checks_a_fee_rule_against_the_versions_form() -> None:
    from motcua.catalog.admin import FeeAdminForm
    from motcua.catalog.models import ProcedureForm
    from motcua.catalog.services import procedure_version_clone
    from motcua.core.testing import load_catalog

    load_catalog()
    draft = procedure_version_clone(actor="test", procedure=Procedure.objects.get(code="1.001193"))
    ProcedureForm.objects.create(
        version=draft,
        schema={"version": 1, "title": "T", "pages": [{"id": "p", "title": "P", "fields": list(FORM_FIELDS.values())}]},
    )

    def form(**rule: Any) -> FeeAdminForm:
        data = {"kind": "charge", "name": "Phí bản sao", "amount": 8000, "basis": "fixed", "channel": "any"}
        data.update({k: json.dumps(v) if k in ("condition", "reductions") else v for k, v in rule.items()})
        return FeeAdminForm(data=data, instance=Fee(version=draft))

    assert form(basis="per_unit", quantity_field="copies").is_valid()
    wrong = form(basis="per_unit", quantity_field="purpose", condition={"field": "nope", "equals": "x"})
    assert not wrong.is_valid()
    assert "Tờ khai không có trường số “purpose”" in wrong.errors["quantity_field"][0]
    assert "không tồn tại" in wrong.errors["condition"][0]
    halved = form(reductions=[{"when": {"field": "group", "equals": "ho_ngheo"}, "percent": 101, "reason": "x"}])
    assert not halved.is_valid() and "từ 0 đến 100" in halved.errors["reductions"][0]


def test_a_free_line_gives_its_legal_reason_and_the_birth_copies_are_a_charge() -> None:
    by_law = Fee(pk=9, kind=FeeKind.FEE, name="Lệ phí", amount=0, exemption="khoản 1 Điều 11 Luật Hộ tịch 2014")
    assert quote(by_law).lines[0].explanation == "Không thu: khoản 1 Điều 11 Luật Hộ tịch 2014"
    # The demo birth registration: its free lệ phí names the law; its copies are a phí, and the
    # form's hint says so.
    birth = next(p for p in json.loads(DEMO_CATALOG.read_text())["procedures"] if p["code"] == "1.001193")
    free = next(Fee(**fee) for fee in birth["fees"] if fee["kind"] == "fee")
    assert "Điều 11 Luật Hộ tịch" in quote(free).lines[0].explanation
    assert {fee["kind"] for fee in birth["fees"] if fee.get("quantity_field") == "copies"} == {"charge"}
    copies = top_fields(json.loads(DEMO_FORMS.read_text())["1.001193"])["copies"]
    assert "phí cấp bản sao" in copies["help"] and "lệ phí" not in copies["help"]
