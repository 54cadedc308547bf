"""Each exchange is one log line naming who asked (role and agency, or the system itself), for
which dossier and why; the line keeps field names and a masked, keyed subject, never a personal
value (ID number, name, birth date), and nothing else the application logs does either."""

import json
import logging

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from motcua.exchange.constants import ExchangePurpose
from motcua.exchange.delivery import result_pushes_deliver
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import ExchangeContext, business_lookup, exchange_logged, population_lookup
from motcua.integrations.prefill import Prefill
from motcua.integrations.testing import HUNG

from .conftest import received_dossier, result_issued

pytestmark = pytest.mark.django_db

PERSONAL = (HUNG, "Nguyễn Văn Hùng", "Trần Thị Mai", "1994-", "Nguyễn Văn Hùng".upper())


def test_who_why_and_no_personal_values(exchange_simulator, versions, hung, reception, caplog):
    caplog.set_level(logging.DEBUG)
    Prefill.for_user(hung, looked_up_by=reception, reason={"dossier": None}).value("population.full_name")
    business = received_dossier(version=versions["business"], applicant=hung, officer=reception)
    business_lookup(officer=reception, dossier=business, tax_code="6001234562", purpose=ExchangePurpose.RECEPTION_CHECK)
    birth = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    result_issued(birth)
    result_pushes_deliver()

    rows = list(ExchangeLog.objects.order_by("id"))
    assert [(r.actor, r.actor_role, r.actor_agency, r.purpose) for r in rows] == [
        (reception, "Cán bộ tiếp nhận (một cửa)", "UBND phường Tân Lập", ExchangePurpose.PREFILL),
        (reception, "Cán bộ tiếp nhận (một cửa)", "UBND phường Tân Lập", ExchangePurpose.RECEPTION_CHECK),
        (None, "Hệ thống một cửa điện tử (tự động)", "UBND phường Tân Lập", ExchangePurpose.RESULT_UPDATE),
    ]
    assert [r.dossier_id for r in rows] == [None, business.pk, birth.pk]
    assert rows[0].subject_masked == "*********103" and rows[0].subject_user == hung

    stored = json.dumps(list(ExchangeLog.objects.values()), cls=DjangoJSONEncoder, ensure_ascii=False)
    logged = caplog.text
    for value in PERSONAL:
        assert value not in stored
        assert value not in logged
    assert "Nguyễn Văn Hùng" not in rows[1].response_fields  # the representative's name stays out


def test_purpose_is_required():
    with pytest.raises(ValueError, match="purpose"):
        exchange_logged(
            service="DKDN.TRACUU_MST",
            context=ExchangeContext(purpose="curiosity"),
            subject_kind="business",
            subject="6001234562",
            call=lambda: (None, "found", []),
        )


def test_log_lines_cannot_be_changed_or_deleted(exchange_simulator):
    population_lookup(id_number=HUNG, context=ExchangeContext(purpose=ExchangePurpose.PROCESSING_CHECK))
    entry = ExchangeLog.objects.get()
    entry.outcome = "not_found"
    with pytest.raises(RuntimeError, match="insert-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="insert-only"):
        entry.delete()
    assert ExchangeLog.objects.get().outcome == "found"
