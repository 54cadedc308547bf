"""The reception officer looks up a business by tax code while receiving a business procedure's
dossier: through the platform, with a purpose, logged; nobody else may, and not for other dossiers."""

import pytest
from django.urls import reverse

from motcua.core.errors import ApplicationError
from motcua.dossiers.testing import officer
from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, ExchangeService, SubjectKind
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import business_lookup

from .conftest import received_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def business_dossier(versions, hung, reception):
    return received_dossier(version=versions["business"], applicant=hung, officer=reception)


def test_found_and_not_found(exchange_simulator, business_dossier, reception):
    found = business_lookup(
        officer=reception, dossier=business_dossier, tax_code="6007654323", purpose=ExchangePurpose.RECEPTION_CHECK
    )
    assert found is not None and found["name"] == "HỢP TÁC XÃ NÔNG NGHIỆP EA KAO"
    assert found["status"] == "Đang hoạt động"
    missing = business_lookup(
        officer=reception, dossier=business_dossier, tax_code="0100233488", purpose=ExchangePurpose.RECEPTION_CHECK
    )
    assert missing is None
    outcomes = list(ExchangeLog.objects.order_by("id").values_list("service", "subject_kind", "outcome"))
    assert outcomes == [
        (ExchangeService.BUSINESS_LOOKUP, SubjectKind.BUSINESS, ExchangeOutcome.FOUND),
        (ExchangeService.BUSINESS_LOOKUP, SubjectKind.BUSINESS, ExchangeOutcome.NOT_FOUND),
    ]


def test_bad_tax_code_never_sent(exchange_simulator, business_dossier, reception):
    with pytest.raises(ApplicationError, match="chữ số kiểm tra"):
        business_lookup(
            officer=reception, dossier=business_dossier, tax_code="6001234563", purpose=ExchangePurpose.RECEPTION_CHECK
        )
    assert exchange_simulator.requests == 0 and not ExchangeLog.objects.exists()


def test_purpose_required(exchange_simulator, business_dossier, reception):
    with pytest.raises(ApplicationError) as raised:
        business_lookup(officer=reception, dossier=business_dossier, tax_code="6001234562", purpose="")
    assert raised.value.code == "purpose_required" and exchange_simulator.requests == 0


def test_only_reception_of_a_business_dossier(exchange_simulator, versions, hung, reception, business_dossier):
    """A specialist of the same agency, and a birth registration's dossier, are refused."""
    specialist = officer("chuyenvien", role="specialist")
    with pytest.raises(ApplicationError) as raised:
        business_lookup(
            officer=specialist, dossier=business_dossier, tax_code="6001234562", purpose=ExchangePurpose.RECEPTION_CHECK
        )
    assert raised.value.code == "business_lookup_forbidden"
    birth = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    with pytest.raises(ApplicationError):
        business_lookup(
            officer=reception, dossier=birth, tax_code="6001234562", purpose=ExchangePurpose.RECEPTION_CHECK
        )
    assert exchange_simulator.requests == 0


def test_panel_shows_the_answer_and_logs_the_purpose(exchange_simulator, client, business_dossier, reception):
    client.force_login(reception)
    detail = client.get(reverse("backoffice:dossier_detail", args=[business_dossier.pk]))
    url = reverse("exchange:business_lookup", args=[business_dossier.pk])
    assert url in detail.content.decode()
    page = client.post(url, {"tax_code": "6001234562", "purpose": ExchangePurpose.RECEPTION_CHECK})
    html = page.content.decode()
    assert page.status_code == 200 and "CÔNG TY TNHH CÀ PHÊ BUÔN ĐÔN XANH" in html
    entry = ExchangeLog.objects.get()
    assert (entry.actor, entry.dossier_id, entry.purpose) == (
        reception,
        business_dossier.pk,
        ExchangePurpose.RECEPTION_CHECK,
    )
    exchange_simulator.fail("down")
    failed = client.post(url, {"tax_code": "6001234562", "purpose": ExchangePurpose.RECEPTION_CHECK})
    assert "Hệ thống của cơ quan liên thông đang gặp sự cố" in failed.content.decode()
