"""Papers submitted with a dossier on the national portal: fetched through the adapter, checked
like every upload and attached to their components; a paper the portal cannot serve now keeps
the record waiting (no dossier, no acknowledgement) until it can; a hostile or oversized file
is refused with a Vietnamese reason the officer and the administrator see."""

import io
from typing import Any

import pikepdf
import pytest
from django.urls import reverse

from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.national import services, wire
from motcua.national.constants import InboundStatus
from motcua.national.models import InboundRecord
from motcua.national.simulator import sample_pdf
from motcua.national.tasks import national_sync_due

pytestmark = pytest.mark.django_db


def _pdf_with_javascript() -> bytes:
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(out)
    return out.getvalue()


def _with_papers(state: Any, portal_id: str, papers: list[tuple[str, str, bytes]]) -> str:
    """A submission whose papers (name, component code, content) the portal serves."""
    record = wire.submission_sample(portal_id=portal_id)
    record["DanhSachTaiLieuNop"] = []
    for name, component, content in papers:
        link = f"{wire.PATH_FILES}/{portal_id}/{name}"
        state.files[link] = content
        record["DanhSachTaiLieuNop"].append(
            {"TenTepDinhKem": name, "MaThanhPhanHoSo": component, "DuongDanTaiTepTin": link, "DuocSoHoa": 1}
        )
    return state.submit(record)


def test_papers_arrive_with_the_dossier_and_the_officer_sees_them(national_simulator, ward_staff, client) -> None:  # type: ignore[no-untyped-def]
    portal_id = national_simulator.state.submit()
    national_sync_due.call()
    record = InboundRecord.objects.get(portal_id=portal_id)
    assert record.status == InboundStatus.ACCEPTED and record.paper_problems == []
    dossier = record.dossier
    assert dossier.channel == Channel.NATIONAL_PORTAL and dossier.status == DossierStatus.SUBMITTED
    attachment = dossier.attachments.get()
    assert attachment.original_name == "to-khai.pdf" and attachment.content_type == "application/pdf"
    assert attachment.component == dossier.procedure_version.components.get(position=0)  # TP01
    with attachment.file.open("rb") as handle:
        assert pikepdf.open(io.BytesIO(handle.read())).pages  # a real PDF, stored
    assert national_simulator.state.acknowledgements[portal_id]["MaHoSo"] == dossier.code

    client.force_login(ward_staff["reception"])
    page = client.get(reverse("backoffice:dossier_detail", args=[dossier.pk])).content.decode()
    download = reverse("backoffice:attachment_download", args=[dossier.pk, attachment.pk])
    assert "to-khai.pdf" in page and download in page and "data-national-paper-problems" not in page
    assert client.get(download).status_code == 200


def test_a_paper_the_portal_fails_to_serve_keeps_the_record_waiting_until_it_does(
    national_simulator, ward_staff
) -> None:  # type: ignore[no-untyped-def]
    state = national_simulator.state
    portal_id = state.submit()
    state.fail_files("error")
    national_sync_due.call()
    record = InboundRecord.objects.get(portal_id=portal_id)
    assert record.status == InboundStatus.WAITING and record.dossier is None
    assert "Chưa tải được giấy tờ" in record.reason and "500" in record.reason
    assert not Dossier.objects.exists() and portal_id not in state.acknowledgements
    national_sync_due.call()  # still failing: still waiting, still nothing half-made
    assert not Dossier.objects.exists()

    state.recover()
    result = national_sync_due.call()
    assert result["inbound"]["waiting"] == 0
    record.refresh_from_db()
    assert record.status == InboundStatus.ACCEPTED and record.reason == ""
    assert record.dossier.attachments.get().original_name == "to-khai.pdf"
    assert state.acknowledgements[portal_id]["MaHoSo"] == record.dossier.code
    national_sync_due.call()
    assert Dossier.objects.count() == 1 and InboundRecord.objects.count() == 1


def test_a_hostile_an_oversized_and_an_unplaceable_paper_are_refused_with_reasons(
    national_demo, ward_staff, birth_version, settings, admin_user, client
) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_UPLOAD_MAX_BYTES = 20_000
    good = sample_pdf()
    declaration = birth_version.components.get(position=0)
    portal_id = _with_papers(
        national_demo,
        "G22.99-PAPERS",
        [
            ("to-khai.pdf", "TP01", good),
            ("ban-sao.pdf", str(declaration.pk), good),  # our own component id, as we send it
            ("script.pdf", "TP01", _pdf_with_javascript()),
            ("lon.pdf", "TP01", good + b"%" * 30_000),
            ("khac.pdf", "TP77", good),
        ],
    )
    services.inbound_pull()
    record = InboundRecord.objects.get(portal_id=portal_id)
    assert record.status == InboundStatus.ACCEPTED
    dossier = record.dossier
    attached = {a.original_name: a.component for a in dossier.attachments.all()}
    assert attached == {"to-khai.pdf": declaration, "ban-sao.pdf": declaration}
    problems = {problem["name"]: problem for problem in record.paper_problems}
    assert set(problems) == {"script.pdf", "lon.pdf", "khac.pdf"}
    assert problems["script.pdf"]["code"] == "upload_pdf_active_content"
    assert problems["lon.pdf"]["code"] == "upload_too_large"
    assert problems["khac.pdf"]["code"] == "unknown_component" and "TP77" in problems["khac.pdf"]["reason"]

    client.force_login(ward_staff["reception"])
    page = client.get(reverse("backoffice:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Giấy tờ nộp trên Cổng quốc gia chưa đính kèm được" in page
    for problem in problems.values():
        assert f'data-paper-problem="{problem["code"]}"' in page
    client.force_login(admin_user)
    listing = client.get(reverse("admin:national_inboundrecord_changelist")).content.decode()
    assert "upload_pdf_active_content" in listing and "TP77" in listing


def test_a_record_to_park_is_parked_for_its_own_reason_whatever_the_file_server_does(
    national_demo, birth_version
) -> None:  # type: ignore[no-untyped-def]
    portal_id = national_demo.submit(procedure_code="9.999999")
    national_demo.fail_files("error")
    services.inbound_pull()
    record = InboundRecord.objects.get(portal_id=portal_id)
    assert record.status == InboundStatus.PARKED and record.reason_code == "unknown_procedure"
    assert not Dossier.objects.exists()


def test_the_portal_e_form_answers_fill_the_declaration(national_simulator, ward_staff) -> None:  # type: ignore[no-untyped-def]
    """DuLieuToKhai becomes the dossier's declaration, as an online dossier's answers do."""
    portal_id = national_simulator.state.submit()
    national_sync_due.call()
    dossier = InboundRecord.objects.get(portal_id=portal_id).dossier
    assert dossier.form_data["child_full_name"] == "Nguyễn Gia Bảo"
    assert dossier.form_data["applicant_id_number"] == "066094000103"
