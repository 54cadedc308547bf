"""A result waiting at the one-stop unit is handed over at the counter to the applicant or an
authorised person who shows an identity paper: the dossier is returned (the applicant is told
and asked for a rating), the hand-over is recorded for the note both sign, and the paper's
number never reaches the audit trail. Bad input, a double click, a dossier not waiting for its
hand-over and an officer without the part are refused and change nothing."""

import json
from typing import Any

import pytest

from motcua.catalog.constants import StepKind
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.delivery.constants import IdPaperKind, RecipientKind
from motcua.delivery.models import HandOver
from motcua.delivery.services import DeliveryForbidden, handover_record
from motcua.delivery.testing import processed_dossier
from motcua.directory.constants import Role
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, StepStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.transitions import StaleDossier
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
ID_NUMBER = "066094000103"


def _hand_over(dossier: Dossier, user: Any, **overrides: Any) -> HandOver:
    values: dict[str, Any] = {
        "recipient_kind": RecipientKind.APPLICANT,
        "recipient_name": "Nguyễn Văn Hùng",
        "authorisation": "",
        "id_paper_kind": IdPaperKind.CITIZEN_ID,
        "id_paper_number": ID_NUMBER,
        "note": "",
        "revision": Dossier.objects.get(pk=dossier.pk).revision,
        **overrides,
    }
    return handover_record(dossier=dossier, officer=user, **values)


def _unchanged(dossier: Dossier) -> None:
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == DossierStatus.PROCESSED and fresh.revision == dossier.revision
    assert not HandOver.objects.exists()


def test_counter_hand_over_returns_the_dossier_and_asks_for_a_rating(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    reception = officer("xa.tn")
    record = _hand_over(dossier, reception, id_paper_number="0660 9400 0103", note="Nhận bản chính")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED and dossier.returned_at == record.handed_at
    assert record.id_paper_number == ID_NUMBER and record.officer == reception
    assert record.id_paper_masked == "*********103"
    step = dossier.steps.get(kind=StepKind.RETURN)
    assert step.status == StepStatus.DONE and step.finished_by == reception
    events = set(OutboxMessage.objects.filter(dossier=dossier).values_list("event", flat=True))
    assert {"completed", "rating_requested"} <= events
    audited = AuditEvent.objects.filter(object_id=str(dossier.pk))
    assert audited.filter(action="delivery.handed_over").exists()
    trail = json.dumps(list(AuditEvent.objects.values("summary", "object_repr")), ensure_ascii=False)
    assert ID_NUMBER not in trail and "Nguyễn Văn Hùng" not in trail
    history_notes = " ".join(dossier.history.values_list("note", flat=True))
    assert ID_NUMBER not in history_notes and "Hùng" not in history_notes


def test_an_authorised_person_with_a_passport(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    record = _hand_over(
        dossier,
        officer("xa.tn"),
        recipient_kind=RecipientKind.AUTHORISED,
        recipient_name="Trần Thị Mai",
        authorisation="Vợ; giấy ủy quyền ngày 01/12/2026",
        id_paper_kind=IdPaperKind.PASSPORT,
        id_paper_number="c1234567",
    )
    assert record.authorisation.startswith("Vợ") and record.id_paper_number == "C1234567"


def test_post_chosen_but_the_citizen_came_to_the_counter(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    _hand_over(dossier, officer("xa.tn"))
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"recipient_name": "  "}, "delivery_field_required"),
        ({"recipient_kind": ""}, "recipient_kind"),
        ({"recipient_kind": RecipientKind.AUTHORISED, "recipient_name": "Trần Thị Mai"}, "delivery_field_required"),
        ({"id_paper_kind": ""}, "id_paper_kind"),
        ({"id_paper_number": "12345"}, "id_paper_number"),
        ({"id_paper_kind": IdPaperKind.OTHER, "id_paper_number": "A-1"}, "id_paper_number"),
    ],
)
def test_bad_input_is_refused(hung, birth_version, overrides, code) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    with pytest.raises(ApplicationError) as refused:
        _hand_over(dossier, officer("xa.tn"), **overrides)
    assert refused.value.code == code and refused.value.message
    _unchanged(dossier)


def test_a_double_click_hands_over_once(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    revision = dossier.revision
    _hand_over(dossier, officer("xa.tn"), revision=revision)
    with pytest.raises(StaleDossier) as stale:
        _hand_over(dossier, officer("xa.tn"), revision=revision)
    assert "bấm hai lần" in stale.value.message
    assert HandOver.objects.count() == 1
    assert Dossier.objects.get(pk=dossier.pk).history.filter(to_status=DossierStatus.RETURNED).count() == 1


def test_a_dossier_still_in_progress_is_not_handed_over(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    from motcua.dossiers.reception import dossier_accept

    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=None)
    dossier.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        _hand_over(dossier, officer("xa.tn"))
    assert refused.value.code == "dossier_wrong_state"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("username", "agency", "role"),
    [("stp.tn", "STP", Role.RECEPTION), ("xa.cv", "UBND-24121", Role.SPECIALIST), ("xa.ld", "UBND-24121", Role.LEADER)],
)
def test_only_the_receiving_agency_one_stop_officer_hands_over(hung, birth_version, username, agency, role) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    intruder = officer(username, agency=agency, role=role)
    with pytest.raises(DeliveryForbidden):
        _hand_over(dossier, intruder)
    _unchanged(dossier)
    refusal = AuditEvent.objects.get(action="dossier.action_forbidden", actor=intruder)
    assert refusal.summary == {"attempted": "delivery.hand_over", "code": "delivery_forbidden"}


def test_a_colleague_does_not_take_over_a_held_return_step(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    # The only one-stop officer got the step; a colleague arriving later is not its holder.
    colleague = officer("xa.tn2")
    with pytest.raises(DeliveryForbidden) as refused:
        _hand_over(dossier, colleague)
    assert "Cán bộ xa.tn" in refused.value.message
    _unchanged(dossier)
