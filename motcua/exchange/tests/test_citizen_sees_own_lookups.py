"""The citizen's account page lists who looked up or sent their personal data, when and why:
their own entries only, and someone else's dossier code never."""

import pytest
from django.urls import reverse

from motcua.accounts.models import ExternalIdentity
from motcua.core.testing import citizen
from motcua.dossiers.testing import officer
from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, ExchangeService, SubjectKind
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import ExchangeContext, population_lookup, subject_digest
from motcua.integrations.prefill import Prefill
from motcua.integrations.testing import HUNG, MAI

from .conftest import received_dossier

pytestmark = pytest.mark.django_db

HEADING = "Ai đã tra cứu thông tin của tôi"
ENTRY = '<td data-label="Mục đích">'  # one per entry listed


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_citizen_sees_only_their_own(exchange_simulator, versions, hung, mai, reception, client):
    dossier = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    Prefill.for_user(hung, looked_up_by=reception, reason={"dossier": dossier.pk}).value("population.full_name")
    Prefill.for_user(mai).value("population.full_name")

    hung_page = _page(client, hung)
    assert HEADING in hung_page
    assert "Cán bộ tiếp nhận (một cửa)" in hung_page and "UBND phường Tân Lập" in hung_page
    assert dossier.code in hung_page
    assert "Điền sẵn tờ khai theo đề nghị của người nộp hồ sơ" in hung_page
    assert hung_page.count(ENTRY) == 1

    mai_page = _page(client, mai)
    assert mai_page.count(ENTRY) == 1
    assert dossier.code not in mai_page and "Cán bộ tiếp nhận" not in mai_page


def test_matching_by_id_number_only_once_confirmed_by_vneid(exchange_simulator, versions, hung, client):
    """A look-up of Hùng's ID number made outside his account (an officer's check in another
    person's dossier) shows only when his ID number is confirmed, and without that dossier's code."""
    someone = citizen(phone="0912999999", id_number=MAI)
    other = received_dossier(version=versions["birth"], applicant=someone, officer=officer("tn2"))
    population_lookup(
        id_number=HUNG, context=ExchangeContext(purpose=ExchangePurpose.PROCESSING_CHECK, dossier_id=other.pk)
    )
    assert ExchangeLog.objects.get().subject_digest == subject_digest(HUNG)
    assert "Chưa có lần tra cứu nào." in _page(client, hung)

    ExternalIdentity.objects.create(user=hung, issuer="https://vneid.example", subject="hung")
    page = _page(client, hung)
    assert "Xác minh thông tin trong quá trình giải quyết hồ sơ" in page
    assert "Hồ sơ của người khác" in page and other.code not in page


def test_business_lookups_are_not_personal_entries(versions, hung, client):
    ExchangeLog.objects.create(
        service=ExchangeService.BUSINESS_LOOKUP,
        actor_role="x",
        purpose=ExchangePurpose.RECEPTION_CHECK,
        subject_kind=SubjectKind.BUSINESS,
        subject_digest=subject_digest("6001234562"),
        subject_masked="*******562",
        subject_user=hung,
        outcome=ExchangeOutcome.FOUND,
    )
    assert "Chưa có lần tra cứu nào." in _page(client, hung)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
