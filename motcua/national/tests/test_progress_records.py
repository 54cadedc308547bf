"""The progress record (TienDoXuLy) of the counter's decisions names the officer, the capacity
and the receiving agency, from the event itself: a record rebuilt later (reconciliation, an
administrator's retry) says what was true when it happened."""

import pytest

from motcua.directory.models import StaffRole
from motcua.dossiers.reception import dossier_refuse, dossier_request_supplement
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.national import services
from motcua.national.models import SyncItem

pytestmark = pytest.mark.django_db


def test_the_counters_decisions_name_the_officer_and_agency_even_when_rebuilt_later(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    counter = officer("xa.tn")
    refused = submitted_dossier(hung, birth_version)
    dossier_refuse(dossier=refused, officer=counter, reasons="Không thuộc thẩm quyền của phường.", revision=None)
    asked = submitted_dossier(hung, birth_version)
    dossier_request_supplement(dossier=asked, officer=counter, reasons="Thiếu bản sao giấy chứng sinh.", revision=None)

    for dossier, kind, note in (
        (refused, EventKind.REJECTED, "Không thuộc thẩm quyền của phường."),
        (asked, EventKind.SUPPLEMENT_REQUESTED, "Thiếu bản sao giấy chứng sinh."),
    ):
        event = DomainEvent.objects.get(dossier=dossier, kind=kind)
        progress = SyncItem.objects.get(event=event).body["TienDoXuLy"]
        assert progress["NguoiXuLy"] == "Cán bộ xa.tn" and progress["TaiKhoanXuLy"] == "xa.tn"
        assert progress["ChucDanh"] == "Cán bộ tiếp nhận (một cửa)"
        assert progress["DonViXuLy"] == dossier.agency.name == "UBND phường Tân Lập"
        assert progress["NoiDungXuLy"] == f"{kind.label}: {note}"
        # The officer moves on (no role left anywhere): a record rebuilt now still says who,
        # in what capacity and where the decision was made.
        StaffRole.objects.filter(user=counter).delete()
        rebuilt = services.sync_record_build(event, dossier)["TienDoXuLy"]
        assert (rebuilt["NguoiXuLy"], rebuilt["ChucDanh"], rebuilt["DonViXuLy"]) == (
            "Cán bộ xa.tn",
            "Cán bộ tiếp nhận (một cửa)",
            "UBND phường Tân Lập",
        )
