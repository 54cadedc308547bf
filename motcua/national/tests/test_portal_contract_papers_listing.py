"""The contract of the two requests added for inbound papers and the period listing, run like
test_portal_contract.py against the simulator in process and over HTTP."""

import datetime

import pytest
from django.utils import timezone

from motcua.national import wire
from motcua.national.portal import PortalRefused, PortalUnavailable
from motcua.national.simulator import sample_pdf

pytestmark = pytest.mark.django_db  # the adapter reads the upload limit from settings


def test_a_submitted_paper_is_served_byte_for_byte(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    portal_id = state.submit()
    link = state.submissions[portal_id]["DanhSachTaiLieuNop"][0]["DuongDanTaiTepTin"]
    assert adapter.paper(link=link) == state.files[link] == sample_pdf()


def test_a_missing_paper_is_refused_and_a_failing_one_is_unavailable(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    with pytest.raises(PortalRefused, match="404"):
        adapter.paper(link=f"{wire.PATH_FILES}/none.pdf")
    state.submit()
    link = next(iter(state.files))
    for mode in ("error", "slow"):
        state.fail_files(mode)
        with pytest.raises(PortalUnavailable):
            adapter.paper(link=link)
    state.recover()
    assert adapter.paper(link=link).startswith(b"%PDF")


@pytest.mark.parametrize(
    "link",
    [
        "https://attacker.example/x.pdf",
        "http://127.0.0.1:1/x.pdf",
        "//attacker.example/x.pdf",
        "/tep-tin/../admin",
        "relative.pdf",
    ],
)
def test_a_link_outside_the_portal_is_never_fetched(portal, link) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    requests = state.requests
    with pytest.raises(PortalRefused, match="không thuộc Cổng quốc gia"):
        adapter.paper(link=link)
    assert state.requests == requests


def test_a_full_link_under_the_portals_address_is_fetched(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    state.submit()
    path = next(iter(state.files))
    # The in-process portal has no address: only paths; over HTTP its own address is accepted.
    origin = getattr(adapter, "base_url", "")
    if origin:
        assert adapter.paper(link=origin + path) == state.files[path]
    assert wire.paper_path(f"https://dichvucong.gov.vn/api{path}", origin="https://dichvucong.gov.vn/api") == path
    with pytest.raises(ValueError):
        wire.paper_path(f"https://dichvucong.gov.vn.evil{path}", origin="https://dichvucong.gov.vn")


def test_an_oversized_paper_is_cut_one_byte_past_the_limit(portal, settings) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1000
    state.files[f"{wire.PATH_FILES}/big.pdf"] = b"%PDF-1.7\n" + b"0" * 5000
    assert len(adapter.paper(link=f"{wire.PATH_FILES}/big.pdf")) == 1001


def test_the_listing_gives_the_periods_dossiers_acknowledged_or_not(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    now = timezone.now()
    old = state.submit(submitted_at=now - datetime.timedelta(days=30))
    waiting = state.submit()
    taken = state.submit()
    adapter.acknowledge(
        portal_id=taken, dossier_code="000.00.20.H15-261207-0001", body={"MaHoSo": "000.00.20.H15-261207-0001"}
    )

    listed = adapter.listing(since=now - datetime.timedelta(days=7), until=now + datetime.timedelta(minutes=1))
    by_id = {row.portal_id: row for row in listed}
    assert set(by_id) == {waiting, taken} and old not in by_id
    assert by_id[taken].dossier_code == "000.00.20.H15-261207-0001" and by_id[waiting].dossier_code == ""
    assert by_id[waiting].record == state.submissions[waiting]


@pytest.mark.parametrize("mode", ["down", "error", "slow"])
def test_the_listing_down_failing_or_silent_is_unavailable(portal, mode) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    state.fail(mode)
    now = timezone.now()
    with pytest.raises(PortalUnavailable):
        adapter.listing(since=now, until=now)
