"""Sample dossiers for the demo province, taken through the real services to every stage.

The demo citizen Nguyễn Văn Hùng registers births at his own ward, where the demo commune staff
work, so each back-office account finds something in its queue: one dossier waits for
reception, one for the specialist, one paused for a supplement, one for the chairman, one for
the clerk, one is returned online with its signed result in Hùng's document store, and one
waits at the counter for the one-stop officer to hand it over.
"""

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from motcua.accounts.models import OneTimeCode
from motcua.catalog.constants import StepKind
from motcua.catalog.models import Procedure
from motcua.directory.demo import demo_commune
from motcua.directory.models import Agency
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, Outcome, StepStatus
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.dossiers.fees import fees_unpaid
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    step_approve,
    step_forward,
    step_issue,
    step_request_supplement,
)
from motcua.dossiers.reception import dossier_accept

BIRTH = "1.001193"
# (child's name, how far the dossier goes, how the result is asked for, copies asked for (8,000 đ
# each, paid at submission), how they are paid); "issued" ends an online dossier and leaves a
# counter one waiting for its hand-over. The first still owes its copy: the counter takes the fee
# before it can accept the dossier.
SAMPLES = [
    ("Nguyễn Gia Huy", "submitted", DeliveryMethod.ONLINE, 1, None),
    ("Nguyễn Minh Anh", "specialist", DeliveryMethod.ONLINE, 0, None),
    ("Nguyễn Bảo Ngọc", "paused", DeliveryMethod.ONLINE, 0, None),
    ("Nguyễn Đức Thịnh", "leader", DeliveryMethod.ONLINE, 0, None),
    ("Nguyễn Khánh Linh", "clerk", DeliveryMethod.ONLINE, 0, None),
    ("Nguyễn Minh Khôi", "issued", DeliveryMethod.ONLINE, 2, "online"),
    ("Nguyễn Hoài An", "issued", DeliveryMethod.COUNTER, 1, "counter"),
]
# Pays a sample dossier's fees (payments.demo.demo_fees_pay, handed in by the demo loader).
FeesPay = Callable[..., object]
STAGES = ["submitted", "specialist", "paused", "leader", "clerk", "issued"]
# The texts the demo SMS plugin "sent" to a phone, newest first.
SmsInbox = Callable[[str], list[str]]
OTP_TEXT = re.compile(r"là (\d{6})\.")


def _submit(
    *, citizen: Any, version: Any, agency: Agency, child: str, delivery: str, copies: int, sms_inbox: SmsInbox
) -> Dossier:
    """Fill, attach the birth notice, submit and confirm with the SMS code.

    The notice is uploaded (a copy of the one in the citizen's store), not taken from the
    store: a notice sent from the store serves one registration
    (`stored_document_is_spent`), and the one in the store is kept for whoever tries the demo.
    """
    unit = agency.unit
    dossier = services.dossier_start(applicant=citizen, version=version, unit_code=unit.code)
    dossier = services.dossier_save_form(
        dossier=dossier,
        actor=citizen,
        data={**birth_registration_answers(child, birth_unit=unit.code), "copies": copies or None},
        revision=dossier.revision,
    )
    notice = citizen.stored_documents.order_by("pk").first()
    with notice.file.open("rb") as handle:
        content = handle.read()
    for component in version.components.filter(required=True):
        services.dossier_attach(
            dossier=dossier, actor=citizen, component_id=component.pk, name="giay-chung-sinh.pdf", data=content
        )
    dossier.refresh_from_db()
    dossier = services.dossier_set_delivery(
        dossier=dossier, actor=citizen, method=delivery, address="", revision=dossier.revision
    )
    dossier = services.dossier_submit(dossier=dossier, actor=citizen, declaration=True, revision=dossier.revision)
    confirmed = services.dossier_confirm(
        dossier=dossier, actor=citizen, code=_code_from_demo_inbox(sms_inbox(str(citizen.citizen.phone)))
    )
    # The used codes would count against the hourly limit of the person trying the demo next.
    OneTimeCode.objects.filter(phone=citizen.citizen.phone, used_at__isnull=False).delete()
    return confirmed


def _code_from_demo_inbox(texts: list[str]) -> str:
    """The confirmation code, read where the demo SMS plugin puts it, as the citizen would."""
    for text in texts[:5]:
        match = OTP_TEXT.search(text)
        if match:
            return match.group(1)
    raise RuntimeError("no confirmation code in the demo SMS inbox")


def _open_step(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def _advance(dossier: Dossier, stage: str, staff: dict[str, Any], *, paid: str | None, fees_pay: FeesPay) -> None:
    """Take a submitted dossier as far as `stage`, each step by the officer who does it."""
    if paid and fees_unpaid(dossier):
        fees_pay(dossier=dossier, officer=staff["xa.tiepnhan"], online=paid == "online")
    reached = STAGES.index(stage)
    if reached < STAGES.index("specialist"):
        return
    dossier_accept(dossier=dossier, officer=staff["xa.tiepnhan"], revision=None)
    specialist = staff["xa.chuyenvien"]
    if stage == "paused":
        step_request_supplement(
            step=_open_step(dossier, StepKind.PROCESS),
            officer=specialist,
            reasons="Giấy chứng sinh chụp bị mờ, đề nghị bổ sung bản rõ nét.",
            revision=None,
        )
        return
    if reached < STAGES.index("leader"):
        return
    step_forward(
        step=_open_step(dossier, StepKind.PROCESS),
        officer=specialist,
        note="Hồ sơ đầy đủ, hợp lệ.",
        draft="Đăng ký khai sinh theo tờ khai.",
        revision=None,
    )
    if reached < STAGES.index("clerk"):
        return
    step_approve(
        step=_open_step(dossier, StepKind.APPROVE),
        leader=staff["xa.lanhdao"],
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )
    if reached < STAGES.index("issued"):
        return
    step_issue(step=_open_step(dossier, StepKind.ISSUE), clerk=staff["xa.vanthu"], revision=None)


def demo_dossiers_ensure(*, sms_inbox: SmsInbox, sms_inbox_clear: Callable[[str], object], fees_pay: FeesPay) -> int:
    """Create the sample dossiers once (when the demo citizen has none submitted yet), only with
    the demo SMS plugin, whose inbox holds the confirmation codes: `sms_inbox(phone)` gives its
    texts to a phone, newest first, and `sms_inbox_clear(phone)` empties it afterwards (the
    notifications app owns that inbox, the payments app `fees_pay`; the caller hands them in)."""
    if settings.MOTCUA_PLUGINS.get("sms") != "demo":
        return 0
    User = get_user_model()
    citizen = User.objects.filter(username="0912345678").select_related("citizen").first()
    procedure = Procedure.objects.filter(code=BIRTH).select_related("current_version").first()
    agency = demo_commune()
    if citizen is None or procedure is None or procedure.current_version is None or agency is None:
        return 0
    if Dossier.objects.filter(applicant=citizen, submitted_at__isnull=False).exists():
        return 0
    staff = {user.username: user for user in User.objects.filter(username__startswith="xa.")}
    for child, stage, delivery, copies, paid in SAMPLES:
        dossier = _submit(
            citizen=citizen,
            version=procedure.current_version,
            agency=agency,
            child=child,
            delivery=delivery,
            copies=copies,
            sms_inbox=sms_inbox,
        )
        _advance(dossier, stage, staff, paid=paid, fees_pay=fees_pay)
    sms_inbox_clear(str(citizen.citizen.phone))
    return len(SAMPLES)
