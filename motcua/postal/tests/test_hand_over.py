"""The hand-over record of papers a post office received: made by the office's clerk for the
dossiers it received and not yet handed over, numbered per office and year, once for two clicks,
printed with both signature blocks; confirmed by the receiving ward's one-stop officer with the
papers counted and a discrepancy noted. Clerks of another office and officers without the
reception role of the receiving agency are refused, and the refusal is audited."""

import subprocess

import pytest
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.postal.models import PaperHandOver, PaperHandOverItem
from motcua.postal.record_pdf import hand_over_pdf
from motcua.postal.services import PostalForbidden, hand_over_confirm, hand_over_create
from motcua.postal.testing import post_office, postal_clerk, posted_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():  # type: ignore[no-untyped-def]
    return post_office()


@pytest.fixture
def clerk(office):  # type: ignore[no-untyped-def]
    return postal_clerk("bd.tanlap", office)


@pytest.fixture
def ward() -> Agency:
    return Agency.objects.get(code="UBND-24121")


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_records_are_numbered_per_office_and_year_and_count_each_dossiers_papers(
    hung, birth_version, office, clerk, ward
) -> None:
    first, second, third = (posted_dossier(hung, birth_version, clerk=clerk) for _ in range(3))
    elsewhere = post_office("BD-KHAC")
    other_clerk = postal_clerk("bd.khac", elsewhere)
    theirs = posted_dossier(hung, birth_version, clerk=other_clerk)

    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[second.pk, first.pk])
    later = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[third.pk])
    own_first = hand_over_create(clerk=other_clerk, post_office=elsewhere, agency_id=ward.pk, dossier_ids=[theirs.pk])

    year = timezone.localdate().year
    assert (record.year, record.number, later.number, own_first.number) == (year, 1, 2, 1)
    assert record.label == f"001/{year}/BBBG-BD-TANLAP"
    papers = birth_version.components.count()
    items = {item.dossier_id: item for item in record.items.all()}
    assert set(items) == {first.pk, second.pk}
    assert all(item.papers_sent == papers and item.papers_received is None for item in items.values())
    assert record.clerk_name == "Nhân viên bd.tanlap" and record.confirmed_at is None
    assert AuditEvent.objects.filter(action="postal.hand_over_created", object_id=str(record.pk)).exists()


def test_a_second_click_gets_the_first_record_back(hung, birth_version, office, clerk, ward) -> None:
    dossiers = [posted_dossier(hung, birth_version, clerk=clerk) for _ in range(2)]
    ids = [dossier.pk for dossier in dossiers]
    first = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=ids)
    again = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=list(reversed(ids)))
    assert again.pk == first.pk
    assert PaperHandOver.objects.count() == 1
    # One of them again with a new one: refused, the dossier's papers already travelled.
    extra = posted_dossier(hung, birth_version, clerk=clerk)
    with pytest.raises(ApplicationError) as refused:
        hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[ids[0], extra.pk])
    assert refused.value.code == "hand_over_taken"
    assert not PaperHandOverItem.objects.filter(dossier=extra).exists()


def test_only_the_offices_own_dossiers_for_that_agency_go_into_its_record(
    hung, birth_version, office, clerk, ward
) -> None:
    online = submitted_dossier(hung, birth_version)  # handed in online: no papers at the post office
    elsewhere = post_office("BD-KHAC")
    theirs = posted_dossier(hung, birth_version, clerk=postal_clerk("bd.khac", elsewhere))
    ours = posted_dossier(hung, birth_version, clerk=clerk)
    for chosen in ([online.pk], [theirs.pk], [ours.pk, online.pk]):
        with pytest.raises(ApplicationError) as refused:
            hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=chosen)
        assert refused.value.code == "hand_over_ineligible"
    with pytest.raises(ApplicationError) as wrong_agency:
        hand_over_create(
            clerk=clerk, post_office=office, agency_id=Agency.objects.get(code="STP").pk, dossier_ids=[ours.pk]
        )
    assert wrong_agency.value.code == "hand_over_ineligible"
    with pytest.raises(ApplicationError, match="ít nhất một hồ sơ"):
        hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[])
    assert PaperHandOver.objects.count() == 0
    # Another office's dossier already in its record: not this office's record to get back.
    hand_over_create(clerk=theirs.submitted_by, post_office=elsewhere, agency_id=ward.pk, dossier_ids=[theirs.pk])
    with pytest.raises(ApplicationError) as taken:
        hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[theirs.pk])
    assert taken.value.code == "hand_over_taken"


def test_a_clerk_of_another_office_or_an_officer_cannot_make_the_offices_record(
    hung, birth_version, office, clerk, ward
) -> None:
    ours = posted_dossier(hung, birth_version, clerk=clerk)
    stranger = postal_clerk("bd.khac", post_office("BD-KHAC"))
    for user in (stranger, officer("xa.tn")):
        with pytest.raises(PostalForbidden, match=office.name):
            hand_over_create(clerk=user, post_office=office, agency_id=ward.pk, dossier_ids=[ours.pk])
    assert PaperHandOver.objects.count() == 0
    assert AuditEvent.objects.filter(action="postal.forbidden", actor=stranger).exists()


def test_the_printed_record_names_both_sides_each_dossier_and_the_totals(
    hung, birth_version, office, clerk, ward
) -> None:
    dossiers = [posted_dossier(hung, birth_version, clerk=clerk) for _ in range(2)]
    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[d.pk for d in dossiers])
    text = _pdf_text(hand_over_pdf(record=record))
    assert "BIÊN BẢN BÀN GIAO HỒ SƠ" in text.upper()
    assert f"Số: {record.label}" in text
    assert "Bên giao: Bưu cục BD-TANLAP, Số 2 Lê Duẩn; nhân viên bưu điện: Nhân viên bd.tanlap." in text
    assert f"Bên nhận: Bộ phận Một cửa {ward.name}." in text
    for dossier in dossiers:
        assert dossier.code in text
    papers = 2 * birth_version.components.count()
    originals = sum(item.originals for item in record.items.all())
    assert f"Tổng cộng: 2 hồ sơ, {papers} giấy tờ (trong đó {originals} bản chính)." in text
    assert "Đại diện bên giao" in text and "Đại diện bên nhận" in text
    assert "Số nhận" not in text and "Sai lệch" not in text  # nothing counted by the unit yet


def test_the_printed_records_columns_keep_names_on_their_lines(hung, birth_version, office, clerk, ward) -> None:
    """A long procedure name and the applicant's name wrap by phrases, not one word a line."""
    long_name = "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
    ProcedureVersion.objects.filter(pk=birth_version.pk).update(name=long_name)
    dossier = posted_dossier(hung, birth_version, clerk=clerk)
    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[dossier.pk])
    sent = {dossier.pk: str(birth_version.components.count())}
    printed = [hand_over_pdf(record=record)]  # and once confirmed, with its column of papers received
    printed.append(
        hand_over_pdf(record=hand_over_confirm(officer=officer("xa.tn"), record=record, received=sent, notes={}))
    )
    for pdf in printed:
        out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
        lines = out.stdout.decode().splitlines()
        assert any(dossier.code in line and "Nguyễn Văn Hùng" in line for line in lines)
        assert any("Đăng ký khai sinh, đăng ký" in line for line in lines), "\n".join(lines)


def test_the_ward_confirms_with_a_discrepancy_noted_once(hung, birth_version, office, clerk, ward) -> None:
    first, second = (posted_dossier(hung, birth_version, clerk=clerk) for _ in range(2))
    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[first.pk, second.pk])
    sent = birth_version.components.count()
    reception = officer("xa.tn")
    received = {first.pk: str(sent), second.pk: str(sent - 1)}

    with pytest.raises(ApplicationError) as unexplained:
        hand_over_confirm(officer=reception, record=record, received=received, notes={})
    assert unexplained.value.code == "hand_over_discrepancy" and second.code in unexplained.value.message
    with pytest.raises(ApplicationError, match="số tự nhiên"):
        hand_over_confirm(officer=reception, record=record, received={first.pk: "-1"}, notes={})
    record.refresh_from_db()
    assert record.confirmed_at is None

    confirmed = hand_over_confirm(
        officer=reception, record=record, received=received, notes={second.pk: "Thiếu bản chính tờ khai"}
    )
    assert confirmed.confirmed_by == reception and confirmed.receiver_name == "Cán bộ xa.tn"
    items = {item.dossier_id: item for item in confirmed.items.all()}
    assert (items[first.pk].papers_received, items[first.pk].discrepancy) == (sent, "")
    assert (items[second.pk].papers_received, items[second.pk].discrepancy) == (sent - 1, "Thiếu bản chính tờ khai")
    with pytest.raises(ApplicationError) as twice:
        hand_over_confirm(officer=reception, record=record, received=received, notes={})
    assert twice.value.code == "hand_over_confirmed"
    text = _pdf_text(hand_over_pdf(record=confirmed))
    assert f"Sai lệch: – Hồ sơ {second.code}: Thiếu bản chính tờ khai." in text and "Cán bộ xa.tn" in text
    originals = 2 * items[first.pk].originals
    totals = f"Tổng cộng: 2 hồ sơ, {2 * sent} giấy tờ (trong đó {originals} bản chính); bên nhận đã nhận {2 * sent - 1}"
    assert totals in text


def test_only_the_receiving_agencys_reception_officer_confirms(hung, birth_version, office, clerk, ward) -> None:
    dossier = posted_dossier(hung, birth_version, clerk=clerk)
    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[dossier.pk])
    counts = {dossier.pk: str(birth_version.components.count())}
    for user in (officer("xa.cv", role=Role.SPECIALIST), officer("stp.tn", agency="STP"), clerk):
        with pytest.raises(PostalForbidden):
            hand_over_confirm(officer=user, record=record, received=counts, notes={})
    record.refresh_from_db()
    assert record.confirmed_at is None
    assert AuditEvent.objects.filter(action="postal.forbidden", object_id=str(record.pk)).count() == 3
