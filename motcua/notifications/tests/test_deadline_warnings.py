"""The periodic job warns officers once about steps due soon and once about overdue steps
(leaders too, for overdue ones), by e-mail through the notifications outbox, whatever the number
of workers running it; an SMTP outage only delays the warnings."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import StepStatus
from motcua.dossiers.models import DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.deadline_warnings import deadline_warnings_send
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


def _warnings_to(smtp, address):
    return [mail for mail in smtp.to(address) if "Cảnh báo hạn xử lý" in mail.subject]


def test_due_soon_then_overdue_each_warned_once(hung, birth_version, smtp_server) -> None:
    reception = officer("xa.tn")
    specialist = officer("xa.cv", role=Role.SPECIALIST, email="cv@ubnd.vn")
    officer("xa.ld", role=Role.LEADER, email="ld@ubnd.vn")
    with time_machine.travel(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False):
        dossier = submitted_dossier(hung, birth_version)
        dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
        step = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS, status=StepStatus.ACTIVE)
        assert step.assignee == specialist
        # Right after acceptance the step is due within the next working hours: "due soon".
        assert deadline_warnings_send() == {"due_soon": 1, "overdue": 0, "emails": 1}
        outbox_dispatch()
    [soon] = _warnings_to(smtp_server, "cv@ubnd.vn")
    assert dossier.code in soon.text and "sắp đến hạn" in soon.text
    assert _warnings_to(smtp_server, "ld@ubnd.vn") == []
    with time_machine.travel(datetime.datetime(2026, 12, 8, 9, 0, tzinfo=VN), tick=False):
        assert deadline_warnings_send()["overdue"] == 1
        assert deadline_warnings_send()["overdue"] == 0
        outbox_dispatch()
    late = _warnings_to(smtp_server, "cv@ubnd.vn")[1:] + _warnings_to(smtp_server, "ld@ubnd.vn")
    assert len(late) == 2 and all("quá hạn" in mail.text for mail in late)


def test_warnings_wait_out_an_smtp_outage(hung, birth_version, smtp_server) -> None:
    officer("xa.cv", role=Role.SPECIALIST, email="cv@ubnd.vn")
    start = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN)
    with time_machine.travel(start, tick=False) as clock:
        dossier = submitted_dossier(hung, birth_version)
        dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
        smtp_server.go_down()
        assert deadline_warnings_send()["emails"] == 1
        outbox_dispatch()
        [warning] = OutboxMessage.objects.filter(event=NotificationEvent.DEADLINE_WARNING)
        assert warning.status in ("pending", "failed") and warning.dossier is None, "kept in the outbox"
        assert smtp_server.received == []
        assert deadline_warnings_send()["emails"] == 0, "claimed once: the outbox keeps the e-mail"

        smtp_server.come_back()
        clock.move_to(timezone.now() + datetime.timedelta(minutes=10))
        outbox_dispatch()
    [mail] = _warnings_to(smtp_server, "cv@ubnd.vn")
    assert dossier.code in mail.text


def test_a_finished_step_is_never_warned(hung, birth_version) -> None:
    reception = officer("xa.tn", email="tn@ubnd.vn")
    with time_machine.travel(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False):
        dossier = submitted_dossier(hung, birth_version)
        dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    DossierStep.objects.filter(dossier=dossier).update(status=StepStatus.DONE)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0, tzinfo=VN), tick=False):
        assert deadline_warnings_send() == {"due_soon": 0, "overdue": 0, "emails": 0}
    assert not OutboxMessage.objects.filter(event=NotificationEvent.DEADLINE_WARNING).exists()
