"""Finance closes a reconciliation finding with a note of what was done about it."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.payments.models import ReconciliationFinding
from motcua.payments.receipts import fee_agencies, fees_forbidden


def finding_resolve(*, finding: ReconciliationFinding, officer: Any, note: str) -> ReconciliationFinding:
    text = note.strip()
    if not text:
        raise ApplicationError(_("Hãy ghi cách xử lý chênh lệch."), code="note_required")
    agencies = fee_agencies(officer)
    agency_id = finding.payment.dossier.agency_id if finding.payment is not None else None
    # A finding with no payment of ours belongs to no agency: the province-wide roles close it.
    if agencies is not None and (agency_id is None or not agencies.filter(pk=agency_id).exists()):
        raise fees_forbidden(officer=officer, obj=finding, attempted="finding_resolve")
    with transaction.atomic():
        locked = ReconciliationFinding.objects.select_for_update().get(pk=finding.pk)
        if locked.resolved_at is not None:
            raise ApplicationError(_("Chênh lệch này đã được xử lý."), code="finding_resolved")
        locked.resolved_at = timezone.now()
        locked.resolved_by = officer
        locked.resolution = text
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit_record(actor=officer, action="reconciliation.resolved", obj=locked, summary={"note": text})
        return locked
