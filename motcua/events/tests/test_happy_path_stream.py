"""A dossier's whole life, from submission to the citizen's rating, is one ordered stream."""

import pytest

from motcua.events.constants import EventKind as K
from motcua.events.services import domain_events_of
from motcua.events.tests.journeys import kinds, returned_dossier
from motcua.reports.constants import Satisfaction
from motcua.reports.services import rating_submit

pytestmark = pytest.mark.django_db


def test_happy_path_produces_the_expected_ordered_kinds(hung, birth_version):
    """Every change of the usual path is an event, in the order it happened, numbered 1, 2, 3…"""
    dossier = returned_dossier(hung, birth_version)
    level = Satisfaction.values[0]
    rating_submit(dossier=dossier, actor=hung, agency_level=level, officer_level=level, result_level=level, comment="")
    assert kinds(dossier) == [
        K.SUBMITTED,
        K.ACKNOWLEDGED,
        K.RECEIVED,
        K.PROCESSING_STARTED,
        K.STEP_TAKEN,
        K.FORWARDED,
        K.APPROVED,
        K.RESULT_SIGNED,
        K.RESULT_ISSUED,
        K.RETURNED,
        K.RATED,
    ]
    events = list(domain_events_of(dossier.pk))
    assert [event.seq for event in events] == list(range(1, len(events) + 1)), "gapless per dossier"


def test_step_events_carry_the_national_progress_record(hung, birth_version):
    """A step's event says who did it, in what capacity, where, what, when and by when."""
    dossier = returned_dossier(hung, birth_version)
    forwarded = domain_events_of(dossier.pk, kinds=[K.FORWARDED]).get()
    payload = forwarded.payload
    assert payload["officer_name"] == "Cán bộ xa.cv"
    assert payload["officer_title"] == "Chuyên viên thụ lý"
    assert payload["agency_code"] == "UBND-24121"
    assert payload["note"] == "Hồ sơ hợp lệ"
    assert payload["step_code"] and payload["step_name"]
    assert payload["started_at"] and payload["finished_at"] and payload["due_at"]
    assert [opened["step_code"] for opened in payload["opened"]] == [
        dossier.steps.get(kind="approve").process_step.code
    ]
    signed = domain_events_of(dossier.pk, kinds=[K.RESULT_SIGNED]).get()
    assert signed.payload["verification_code"] == dossier.result_document.verification_code
    issued = domain_events_of(dossier.pk, kinds=[K.RESULT_ISSUED]).get()
    assert issued.payload["document_number"] == dossier.result_document.number
    assert issued.actor_label == "Cán bộ xa.vt"
