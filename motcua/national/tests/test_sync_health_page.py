"""The sync-health page: backlog, errors, oldest unsynced event and sync rate per agency, for
leaders and agency administrators (their agencies) and province-wide roles; nobody else."""

import re

import pytest
from django.urls import reverse

from motcua.directory.constants import Role
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer
from motcua.national import services, wire
from motcua.national.tasks import national_reconcile

pytestmark = pytest.mark.django_db
URL = reverse("national:sync_health")


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_leaders_see_their_agency_and_who_may_not_is_refused(national_demo, birth_version, client) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    national_demo.submit()
    services.inbound_pull()  # two dossiers for the ward, nothing sent yet
    services.sync_dispatch()  # both submissions reach the portal
    reception = officer("xa.tn")
    from motcua.dossiers.models import Dossier

    first = Dossier.objects.order_by("pk").first()
    dossier_accept(dossier=first, officer=reception, revision=None)
    national_demo.fail("down")
    services.sync_dispatch()

    client.force_login(officer("xa.ld", role=Role.LEADER))
    page = _text(client.get(URL))
    assert "Bản ghi chờ đồng bộ 2" in page  # received + processing started of the first dossier
    assert "Bản ghi lỗi hoặc tạm giữ 1" in page
    assert "chờ 0 phút" in page and "minute" not in page  # Vietnamese, not Django's English timesince
    assert "UBND phường Tân Lập 2 1 50,0% 2 1" in page

    client.force_login(officer("stp.ld", agency="STP", role=Role.LEADER))
    assert "Tân Lập" not in _text(client.get(URL))
    client.force_login(officer("xa.cv", role=Role.SPECIALIST))
    assert client.get(URL).status_code == 403


def test_supervisors_see_the_last_reconciliation_findings(national_demo, birth_version, client) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    services.inbound_pull()
    services.sync_dispatch()
    national_demo.reset()  # the portal lost everything: reconciliation resends our records
    national_reconcile.call()
    client.force_login(officer("giamsat", agency="STP", role=Role.SUPERVISOR))
    page = _text(client.get(URL))
    # ...and reports the submission the portal no longer lists (only it can restore that).
    assert "đối soát 1 hồ sơ, tự sửa 1, cần xử lý 1" in page


def test_the_back_office_home_links_the_page_for_those_who_may_see_it(birth_version, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("xa.ld", role=Role.LEADER))
    assert URL in client.get(reverse("backoffice:home")).content.decode()
    client.force_login(officer("xa.cv", role=Role.SPECIALIST))
    assert URL not in client.get(reverse("backoffice:home")).content.decode()


def test_a_ward_leader_sees_held_records_of_the_ward_and_not_the_provinces_reconciliation(  # type: ignore[no-untyped-def]
    national_demo, birth_version, client
) -> None:
    # Two records no dossier can be made of (unknown procedure): one filed in Tân Lập, one elsewhere.
    national_demo.submit(wire.submission_sample(portal_id="G22.99-HELD01", procedure_code="9.999999"))
    national_demo.submit(
        wire.submission_sample(portal_id="G22.99-HELD02", procedure_code="9.999998", commune_code="99999")
    )
    services.inbound_pull()
    national_demo.reset()
    national_reconcile.call()

    client.force_login(officer("xa.ld", role=Role.LEADER))
    page = _text(client.get(URL))
    assert "Hồ sơ từ Cổng quốc gia đang tạm giữ 1" in page
    assert "đối soát" not in page.split("Đối soát gần nhất")[1].split("Tỉ lệ đồng bộ:")[0]
    assert "hồ sơ của đơn vị cần xử lý" in page

    client.force_login(officer("stp.ld", agency="STP", role=Role.LEADER))
    assert "đang tạm giữ" not in _text(client.get(URL))
    client.force_login(officer("giamsat", agency="STP", role=Role.SUPERVISOR))
    assert "Hồ sơ từ Cổng quốc gia đang tạm giữ 2" in _text(client.get(URL))
