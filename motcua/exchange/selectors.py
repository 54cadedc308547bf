from django.db.models import Q, QuerySet

from motcua.accounts.models import CitizenProfile, User
from motcua.accounts.services import citizen_profile_id_number_locked
from motcua.exchange.constants import SubjectKind
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import subject_digest

# Entries shown on the account page, newest first.
CITIZEN_LOG_LIMIT = 50


def exchange_log_for_citizen(*, user: User) -> QuerySet[ExchangeLog]:
    """The exchanges about `user`'s own personal data: those recorded for their account, and, once
    their ID number is confirmed by the national identity (not merely typed in), those made for it
    elsewhere (an officer's check for someone else's dossier naming them)."""
    mine = Q(subject_user=user)
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile and profile.id_number and citizen_profile_id_number_locked(user=user):
        mine |= Q(subject_digest=subject_digest(profile.id_number))
    return (
        ExchangeLog.objects.filter(mine, subject_kind=SubjectKind.PERSON)
        .select_related("dossier")
        .order_by("-at", "-id")[:CITIZEN_LOG_LIMIT]
    )
