"""Birth registration on a phone when the father registers (issue 12, items 3 and 4): the
parents page shows only what applies to him, the registry's pre-fill is trusted as it is and
passes, the paper the answers call for is required and enforced, and the dossier is submitted.
The journey itself is `dossiers.testing.birth_registration_by_father`, for tests that carry the
dossier further (the counter hand-over)."""

import pytest
from playwright.sync_api import Page

from motcua.accounts.testing import CALLBACK_PATH, provider_settings, register_client
from motcua.core.testing import small_pdf
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.testing import HUNG_VNEID_CLAIMS, PHONE_VIEWPORT, birth_registration_by_father, vneid_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_father_registers_a_birth_on_a_phone_trusting_the_prefill(
    page: Page,
    live_server,
    oidc_server,
    settings,
    sms_simulator,
    population_simulator,
    real_birth_registration,
    tmp_path,
) -> None:
    page.set_viewport_size(PHONE_VIEWPORT)
    provider = register_client(oidc_server, f"{live_server.url}{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(provider)
    provider.put_user("vneid-hung", HUNG_VNEID_CLAIMS)
    vneid_login(page, live_server.url, sub="vneid-hung")
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(small_pdf())

    dossier = birth_registration_by_father(page, live_server.url, sms=sms_simulator, scan=scan)

    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.form_data["applicant_relationship"] == "cha"
    assert dossier.form_data["other_parent_residence"] == {"unit": "24121", "detail": "Số 18, tổ dân phố 5"}
    assert [a.original_name for a in dossier.attachments.all()] == ["giay-chung-sinh.pdf"]
    # Nothing the page did not show was stored as an answer about "the father".
    assert not any(dossier.form_data.get(name) for name in ("father_status", "father_full_name", "mother_full_name"))
    # The page fitted the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
