"""The periodic job warns officers once about steps due soon and once about overdue steps
(leaders too, for overdue ones), by e-mail, whatever the number of workers running it."""

import datetime

import pytest
import time_machine
from django.core import mail

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import StepStatus
from motcua.dossiers.models import DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.warnings import deadline_warnings_send

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


def test_due_soon_then_overdue_each_warned_once(hung, birth_version) -> None:
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
        assert deadline_warnings_send() == {"due_soon": 0, "overdue": 0, "emails": 0}
    assert [m.to for m in mail.outbox] == [["cv@ubnd.vn"]]
    assert dossier.code in mail.outbox[0].body and "sắp đến hạn" in mail.outbox[0].body
    with time_machine.travel(datetime.datetime(2026, 12, 8, 9, 0, tzinfo=VN), tick=False):
        assert deadline_warnings_send()["overdue"] == 1
        assert deadline_warnings_send()["overdue"] == 0
    overdue_mails = mail.outbox[1:]
    assert sorted(m.to[0] for m in overdue_mails) == ["cv@ubnd.vn", "ld@ubnd.vn"]
    assert all("quá hạn" in m.body for m in overdue_mails)


def test_a_finished_step_is_never_warned(hung, birth_version) -> None:
    reception = officer("xa.tn", email="tn@ubnd.vn")
    with time_machine.travel(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False):
        dossier = submitted_dossier(hung, birth_version)
        dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    DossierStep.objects.filter(dossier=dossier).update(status=StepStatus.DONE)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0, tzinfo=VN), tick=False):
        assert deadline_warnings_send() == {"due_soon": 0, "overdue": 0, "emails": 0}
    assert mail.outbox == []
