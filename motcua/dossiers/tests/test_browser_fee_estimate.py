"""On a phone, the e-form's fee box follows the number of copies as it is typed, quoted by the
server, before anything is saved (docs/fees.md)."""

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from motcua.catalog.models import Procedure
from motcua.core.testing import citizen
from motcua.dossiers import services
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.dossiers.testing import PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fee_box_follows_the_copies_typed(
    page: Page, live_server: Any, client: Any, real_birth_registration: Any
) -> None:
    father = citizen(email="hung@example.vn")
    version = Procedure.objects.get(code="1.001193").current_version
    assert version is not None
    dossier = services.dossier_start(applicant=father, version=version, unit_code="24121")
    answers = {**birth_registration_answers("Nguyễn Gia Bảo", birth_unit="24121"), "copies": 0}
    services.dossier_save_form(dossier=dossier, actor=father, data=answers, revision=None)
    client.force_login(father)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(live_server.url + reverse("dossiers:form_page", args=[dossier.pk, "cha-me"]))
    box = page.locator("[data-fee-estimate]")
    expect(box).to_contain_text("Không phải nộp phí, lệ phí")
    page.locator("#id_copies").fill("2")
    expect(box).to_contain_text("8.000 đồng × 2")
    expect(box).to_contain_text("16.000 đồng")
    page.locator("#id_copies").fill("")
    expect(box).to_contain_text("Không phải nộp phí, lệ phí")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
