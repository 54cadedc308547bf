"""Dossier codes: <agency electronic ID>-<yymmdd of reception>-<4-digit daily sequence>."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.directory.models import Agency
from motcua.dossiers.models import DossierCodeSequence


def dossier_code_issue(*, agency: Agency, day: datetime.date) -> str:
    """The next code of `agency` for `day`, unique under concurrency.

    The sequence row is locked until the caller's transaction ends, so two submissions at the
    same moment get consecutive numbers and never the same one.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, _created = DossierCodeSequence.objects.select_for_update().get_or_create(
                    agency=agency, day=day
                )
                sequence.last += 1
                sequence.save(update_fields=["last"])
                break
        except IntegrityError:
            continue  # another transaction created the day's row first: lock that one
    else:
        raise RuntimeError("could not allocate a dossier code sequence")
    return settings.MOTCUA_DOSSIER_CODE_FORMAT.format(agency=agency.electronic_id, date=day, seq=sequence.last)
