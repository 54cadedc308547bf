"""The reports' consumer of the domain events: the daily counts (`reports/aggregates.py`) and the
statutory report's (`reports/statutory_counts.py`); and of the two changes that reach the counts
without a dossier event: a record sent to the national portal, a VNeID account linked."""

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.accounts.sso import PROVIDER_ID as VNEID
from motcua.dossiers.models import Dossier
from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.national.signals import sync_item_sent
from motcua.reports.aggregates import dossier_recount, dossiers_recount
from motcua.reports.models import CountedDossier
from motcua.reports.statutory_counts import EVENT_INSTANTS, statutory_count_add


# Every kind: whatever an event changed (a reception, a result, a payment, a scan, a rating), the
# dossier's part is counted again and only the difference reaches the daily rows.
@subscriber()
def dossier_counts_refresh(event: DomainEvent) -> None:
    dossier_recount(event.dossier_id)


@subscriber(*EVENT_INSTANTS)
def statutory_count(event: DomainEvent) -> None:
    statutory_count_add(dossier=event.dossier, kind=event.kind)


@receiver(sync_item_sent)
def synced_dossier_recount(sender: Any, dossier_id: int, **kwargs: Any) -> None:
    # Only the first record a counted dossier has delivered changes its count (`synced`); the
    # sync sends one per event, so the others skip the recount. A dossier not yet counted is
    # counted with its delivered records at reception.
    if CountedDossier.objects.filter(dossier_id=dossier_id, synced=0).exists():
        dossiers_recount([dossier_id])


@receiver(post_save, sender=SocialAccount)
@receiver(post_delete, sender=SocialAccount)
def vneid_dossiers_recount(sender: Any, instance: SocialAccount, **kwargs: Any) -> None:
    """The applicant's dossiers count as "with VNeID" (indicator 4.5) while the account is linked."""
    if instance.provider == VNEID:
        dossiers_recount(Dossier.objects.filter(applicant_id=instance.user_id).values_list("pk", flat=True))
