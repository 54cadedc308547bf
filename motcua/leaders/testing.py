"""A generated data set with known counts for the dashboard's tests: dossiers of two agencies
across every channel and outcome, made directly in the tables (their journeys are the
dossiers app's tests), then the daily counts rebuilt from them as `reports_rebuild` does."""

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from motcua.catalog.constants import StepKind
from motcua.directory.constants import OrgUnitKind, Role
from motcua.directory.models import Agency, OrgUnit
from motcua.dossiers.constants import (
    AttachmentSource,
    Channel,
    DeliveryMethod,
    DossierStatus,
    SlipKind,
    StepStatus,
)
from motcua.dossiers.models import Dossier, DossierAttachment, DossierSlip, DossierStep
from motcua.dossiers.testing import officer
from motcua.payments.constants import PaymentMethod, PaymentStatus
from motcua.payments.models import Payment
from motcua.reports.aggregates import daily_counts_rebuild
from motcua.reports.constants import Satisfaction
from motcua.reports.models import SatisfactionRating

VN = datetime.timezone(datetime.timedelta(hours=7))
FIRST_DAY = datetime.date(2026, 11, 2)
DAYS = 12
# What happens to each dossier, in turn: finished early / on time / late,
# still open within or past its appointment, stopped, withdrawn.
OUTCOMES = ["early", "on_time", "late", "open", "overdue", "stopped", "withdrawn"]


@dataclass(frozen=True)
class DataSet:
    dossiers: list[Dossier]
    ward: Agency
    justice: Agency
    unit: OrgUnit
    reception: Any  # receives the ward's dossiers
    specialist: Any  # handles every third ward dossier
    stp_reception: Any


def data_set_made(*, applicant: Any, version: Any, count: int = 56) -> DataSet:
    reception = officer("xa.tn")
    specialist = officer("xa.cv", role=Role.SPECIALIST)
    stp_reception = officer("stp.tn", agency="STP")
    ward = Agency.objects.get(code="UBND-24121")
    justice = Agency.objects.get(code="STP")
    unit, _ = OrgUnit.objects.get_or_create(
        code="UBND-24121-PTP", defaults={"agency": ward, "name": "Phòng Tư pháp", "kind": OrgUnitKind.DIVISION}
    )
    component = version.components.first()
    channels = itertools.cycle(Channel.values)
    outcomes = itertools.cycle(OUTCOMES)
    made = []
    for number in range(count):
        agency = ward if number % 3 else justice
        received_at = datetime.datetime.combine(
            FIRST_DAY + datetime.timedelta(days=number % DAYS), datetime.time(9, number % 60), tzinfo=VN
        )
        made.append(
            _dossier(
                number=number,
                applicant=applicant,
                procedure_version=version,
                agency=agency,
                channel=next(channels),
                outcome=next(outcomes),
                received_at=received_at,
                received_by=reception if agency == ward else stp_reception,
            )
        )
    for number, dossier in enumerate(made):
        started_at, received_by = dossier.received_at, dossier.received_by
        assert started_at is not None and received_by is not None
        if number % 3 == 1 and dossier.agency == ward:
            DossierStep.objects.create(
                dossier=dossier,
                kind=StepKind.PROCESS,
                name="Thẩm định",
                agency=ward,
                org_unit=unit,
                role=Role.SPECIALIST,
                assignee=specialist,
                status=StepStatus.RETURNED if number % 2 else StepStatus.DONE,
                started_at=started_at,
                due_at=started_at + datetime.timedelta(days=3),
            )
        if number % 4 == 0:
            dossier.fees_due = 50000
            dossier.save(update_fields=["fees_due"])
            Payment.objects.create(
                dossier=dossier,
                reference=f"LD{number:06d}",
                method=PaymentMethod.GATEWAY if number % 8 == 0 else PaymentMethod.CASH,
                amount=50000,
                status=PaymentStatus.PAID,
            )
        if number % 5 == 0 and component is not None:
            DossierAttachment.objects.create(
                dossier=dossier,
                component=component,
                file="dossiers/x.pdf",
                original_name="x.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                source=AttachmentSource.SCAN if number % 10 == 0 else AttachmentSource.UPLOAD,
                uploaded_by=received_by,
            )
        if number % 6 == 0:
            DossierSlip.objects.create(
                dossier=dossier,
                kind=SlipKind.SUPPLEMENT,
                form_set="03/2025/TT-VPCP",
                form_number="02",
                file="slips/x.pdf",
                issued_by=received_by,
            )
        if dossier.processed_at is not None and number % 2 == 0:
            level = Satisfaction.DISSATISFIED if number % 4 == 0 else Satisfaction.SATISFIED
            SatisfactionRating.objects.create(
                dossier=dossier,
                agency=dossier.agency,
                officer=dossier.received_by,
                agency_level=level,
                officer_level=Satisfaction.SATISFIED,
                result_level=Satisfaction.SATISFIED,
            )
    daily_counts_rebuild()
    return DataSet(made, ward, justice, unit, reception, specialist, stp_reception)


def _dossier(*, number: int, outcome: str, received_at: datetime.datetime, **values: Any) -> Dossier:
    due_at = received_at + datetime.timedelta(days=5, hours=8)
    processed_at = {
        "early": received_at + datetime.timedelta(days=1),
        "on_time": due_at - datetime.timedelta(hours=1),
        "late": due_at + datetime.timedelta(days=2),
    }.get(outcome)
    if outcome == "open":
        due_at = datetime.datetime(2099, 1, 1, tzinfo=VN)
    status = {
        "open": DossierStatus.IN_PROGRESS,
        "overdue": DossierStatus.IN_PROGRESS,
        "stopped": DossierStatus.STOPPED,
        "withdrawn": DossierStatus.WITHDRAWN,
    }.get(outcome, DossierStatus.RETURNED)
    online_return = processed_at is not None and number % 2 == 0
    return Dossier.objects.create(
        code=f"LD-{number:05d}",
        status=status,
        submitted_at=received_at,
        received_at=received_at,
        due_at=due_at,
        processed_at=processed_at,
        returned_at=processed_at,
        delivery_method=DeliveryMethod.ONLINE if online_return else DeliveryMethod.COUNTER,
        **values,
    )
