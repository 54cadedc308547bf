"""Helpers for tests of the post office: offices, their clerks, dossiers received there."""

from typing import Any

from motcua.directory.constants import Role
from motcua.directory.models import Agency, PostOffice
from motcua.directory.services import post_office_assign, staff_ensure
from motcua.dossiers.constants import Channel, DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import submitted_dossier


def post_office(code: str = "BD-TANLAP", *, serves: tuple[str, ...] = ("UBND-24121",)) -> PostOffice:
    agencies = list(Agency.objects.filter(code__in=serves))
    office, _ = PostOffice.objects.get_or_create(
        code=code, defaults={"name": f"Bưu cục {code}", "address": "Số 2 Lê Duẩn", "unit": agencies[0].unit}
    )
    office.agencies.add(*agencies)
    return office


def postal_clerk(username: str, office: PostOffice) -> Any:
    user = staff_ensure(
        actor="test",
        username=username,
        full_name=f"Nhân viên {username}",
        password=None,
        roles=[(Role.POSTAL, None, None)],
    )
    post_office_assign(actor="test", user=user, post_office=office)
    return user


def posted_dossier(applicant: Any, version: Any, *, clerk: Any, delivery: str = DeliveryMethod.COUNTER) -> Dossier:
    """A dossier the clerk received at the post office for the applicant (the assisted channel,
    whose identity check has its own tests), waiting for the ward's reception."""
    dossier = submitted_dossier(applicant, version, delivery=delivery)
    Dossier.objects.filter(pk=dossier.pk).update(channel=Channel.POST_OFFICE, submitted_by=clerk)
    return Dossier.objects.get(pk=dossier.pk)
