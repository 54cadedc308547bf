"""Officers see a submitted dossier only in the agency it was sent to; the citizen sees only
their own; drafts stay private."""

import pytest
from django.http import Http404

from motcua.core.testing import citizen, small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.selectors import dossier_get_for_applicant, dossier_get_for_officer, dossier_list_for_officer
from motcua.dossiers.transitions import dossier_lock, dossier_transition

pytestmark = pytest.mark.django_db


def _officer(username: str, role: str, agency: str | None):  # type: ignore[no-untyped-def]
    return staff_ensure(
        actor="test", username=username, full_name="Cán Bộ Thử", password="x", roles=[(role, agency, None)]
    )


def _submitted(hung, version):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from motcua.dossiers.services import _dossier_hand_in

    dossier = services.dossier_start(applicant=hung, version=version, unit_code="24121")
    services.dossier_attach(
        dossier=dossier, actor=hung, component_id=version.components.get().pk, name="a.pdf", data=small_pdf()
    )
    dossier.refresh_from_db()
    services.dossier_set_delivery(
        dossier=dossier, actor=hung, method=DeliveryMethod.COUNTER, address="", revision=dossier.revision
    )
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status="awaiting_confirmation", actor=hung)
        _dossier_hand_in(dossier=locked, actor=hung)
    return locked


def test_right_agency_sees_it_and_no_other(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    commune_officer = _officer("xa", Role.RECEPTION, "UBND-24121")
    department_officer = _officer("stp", Role.RECEPTION, "STP")
    supervisor = _officer("gs", Role.SUPERVISOR, None)
    assert dossier_get_for_officer(user=commune_officer, pk=dossier.pk) == dossier
    assert dossier_get_for_officer(user=supervisor, pk=dossier.pk) == dossier
    with pytest.raises(Http404):
        dossier_get_for_officer(user=department_officer, pk=dossier.pk)
    assert not dossier_list_for_officer(user=department_officer).exists()


def test_drafts_are_invisible_to_officers(hung, birth_version) -> None:
    draft = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    officer = _officer("xa", Role.RECEPTION, "UBND-24121")
    with pytest.raises(Http404):
        dossier_get_for_officer(user=officer, pk=draft.pk)


def test_a_citizen_cannot_reach_another_citizens_dossier(hung, birth_version, client) -> None:
    dossier = _submitted(hung, birth_version)
    other = citizen(phone="0987654321", id_number="066181000202")
    with pytest.raises(Http404):
        dossier_get_for_applicant(user=other, pk=dossier.pk)
    client.force_login(other)
    assert client.get(f"/ho-so/{dossier.pk}/").status_code == 404
    assert client.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 404
    attachment = dossier.attachments.get()
    assert client.get(f"/ho-so/{dossier.pk}/tep/{attachment.pk}/").status_code == 404


def test_reception_queue_page_lists_only_own_agency(hung, birth_version, client) -> None:
    dossier = _submitted(hung, birth_version)
    client.force_login(_officer("xa", Role.RECEPTION, "UBND-24121"))
    assert dossier.code in client.get("/can-bo/tiep-nhan/").content.decode()
    client.force_login(_officer("stp", Role.RECEPTION, "STP"))
    assert dossier.code not in client.get("/can-bo/tiep-nhan/").content.decode()
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/").status_code == 404
