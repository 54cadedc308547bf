"""Helpers for tests of dossiers: a dossier handed in without the SMS step, and staff."""

from typing import Any

from django.db import transaction

from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock, dossier_transition


def submitted_dossier(
    applicant: Any, version: Any, *, unit_code: str = "24121", delivery: str = DeliveryMethod.COUNTER
) -> Dossier:
    """A dossier with its paper attached, handed in to the receiving agency's queue."""
    dossier = services.dossier_start(applicant=applicant, version=version, unit_code=unit_code)
    for component in version.components.all():
        services.dossier_attach(
            dossier=dossier, actor=applicant, component_id=component.pk, name="giay-to.pdf", data=small_pdf()
        )
    dossier.refresh_from_db()
    address = "Số 1 Lê Duẩn, phường Tân Lập" if delivery == DeliveryMethod.POST else ""
    services.dossier_set_delivery(
        dossier=dossier, actor=applicant, method=delivery, address=address, revision=dossier.revision
    )
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.AWAITING_CONFIRMATION, actor=applicant)
        services._dossier_hand_in(dossier=locked, actor=applicant)
    return Dossier.objects.get(pk=dossier.pk)


def officer(username: str, agency: str = "UBND-24121", role: str = Role.RECEPTION, email: str = "") -> Any:
    user = staff_ensure(
        actor="test",
        username=username,
        full_name=f"Cán bộ {username}",
        password="x",  # noqa: S106 - test account
        roles=[(role, agency, None)],
    )
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user
