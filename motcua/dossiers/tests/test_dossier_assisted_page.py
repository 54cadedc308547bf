"""The counter's "submit for a citizen" page: nothing from the population registry shows until
the citizen reads out the code, and then the registry lookup is audited."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers.models import Dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_demo", "real_birth_registration")]

# Hùng's wife in the demo population registry: what an officer must not learn by typing his number.
SPOUSE = "Trần Thị Mai"


@pytest.fixture
def officer_client(client):  # type: ignore[no-untyped-def]
    officer = staff_ensure(
        actor="t", username="tn", full_name="Cán Bộ", password="x", roles=[(Role.RECEPTION, "UBND-24121", None)]
    )
    client.force_login(officer)
    return client


def test_the_registry_shows_only_after_the_citizen_reads_out_the_code(
    officer_client, django_capture_on_commit_callbacks
) -> None:
    """As in the demo: the citizen reads the code from the demo SMS inbox, logged in on their phone."""
    hung = citizen()
    url = reverse("backoffice:assisted_start")
    form = {"procedure": "1.001193", "id_number": "066094000103", "full_name": "Bịa", "phone": "0987000111"}
    form["unit"] = "24121"
    page = officer_client.post(url, {**form, "start": "", "code": "000000"}, follow=True)
    assert not Dossier.objects.exists() and SPOUSE not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = officer_client.post(url, {**form, "send_code": ""})
    assert "091****678" in page.content.decode() and 'name="code"' in page.content.decode()
    phone = Client()
    phone.force_login(hung)
    inbox = phone.get(reverse("demo_sms_inbox")).content.decode()
    code = re.search(r"Mã xác nhận của bạn là (\d{6})", inbox).group(1)  # type: ignore[union-attr]
    page = officer_client.post(url, {**form, "start": "", "code": code}, follow=True)
    dossier = Dossier.objects.get()
    assert page.status_code == 200 and dossier.applicant == hung
    assert dossier.form_data["other_parent_full_name"] == SPOUSE, "pre-filled once the citizen is there"
    lookup = AuditEvent.objects.get(action="population.lookup")
    assert lookup.actor_label == "tn" and lookup.summary == {
        "id_number": "*********103",
        "found": True,
        "dossier": dossier.pk,
        "procedure": "1.001193",
    }


def test_a_wrong_code_is_refused_in_vietnamese(officer_client) -> None:
    citizen()
    url = reverse("backoffice:assisted_start")
    form = {"procedure": "1.001193", "id_number": "066094000103", "full_name": "Bịa", "phone": "", "unit": "24121"}
    officer_client.post(url, {**form, "send_code": ""})
    page = officer_client.post(url, {**form, "start": "", "code": "000000"})
    assert "Mã xác nhận không đúng. Bạn còn 4 lần thử." in page.content.decode()
    assert 'name="code"' in page.content.decode(), "the code box stays for the next try"
