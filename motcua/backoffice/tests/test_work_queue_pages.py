"""The officer's pages: the work queue by view, the dossier page offering only the actions the
officer's role allows, actions posted through the page, a forged dossier or step id answered
with 404, and the control sheet and register downloads limited to the officer's agencies."""

import io

import pytest
from openpyxl import load_workbook

from motcua.catalog.constants import StepKind
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.directory.constants import Role
from motcua.dossiers.constants import StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():  # type: ignore[no-untyped-def]
    from motcua.catalog.models import Procedure

    load_catalog(BIRTH)
    version = Procedure.objects.get(code="1.001193").current_version
    reception = officer("xa.tn")
    specialist = officer("xa.cv", role=Role.SPECIALIST)
    dossier = submitted_dossier(citizen(), version)
    dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    return {"dossier": Dossier.objects.get(pk=dossier.pk), "reception": reception, "specialist": specialist}


def test_work_queue_views(client, received) -> None:
    client.force_login(received["specialist"])
    mine = client.get("/can-bo/viec/").content.decode()
    assert received["dossier"].code in mine and "Thẩm định, xử lý hồ sơ" in mine
    assert received["dossier"].code in client.get("/can-bo/viec/?xem=don-vi").content.decode()
    assert received["dossier"].code not in client.get("/can-bo/viec/?xem=qua-han").content.decode()
    # Another agency's officer sees nothing of it.
    client.force_login(officer("stp.cv", agency="STP", role=Role.SPECIALIST))
    assert received["dossier"].code not in client.get("/can-bo/viec/?xem=don-vi").content.decode()


def test_dossier_page_offers_only_the_officers_actions_and_posts_them(client, received) -> None:
    dossier = received["dossier"]
    client.force_login(received["reception"])
    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Hoàn thành và chuyển bước tiếp theo" not in page
    client.force_login(received["specialist"])
    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Hoàn thành và chuyển bước tiếp theo" in page and "Phiếu kiểm soát" in page
    step = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    response = client.post(
        f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/",
        {"action": "forward", "note": "Đủ điều kiện", "draft": "", "revision": dossier.revision},
        follow=True,
    )
    assert "Đã hoàn thành bước và chuyển hồ sơ." in response.content.decode()
    assert DossierStep.objects.get(pk=step.pk).status == StepStatus.DONE
    # The same form sent again (double click): a clear message, nothing changes twice.
    again = client.post(
        f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/",
        {"action": "forward", "note": "Đủ điều kiện", "draft": "", "revision": dossier.revision},
        follow=True,
    )
    assert "Hồ sơ đã được thay đổi" in again.content.decode()
    assert DossierStep.objects.filter(dossier=dossier, kind=StepKind.APPROVE).count() == 1


def test_forged_ids_get_404(client, received) -> None:
    dossier = received["dossier"]
    client.force_login(officer("stp.cv", agency="STP", role=Role.SPECIALIST))
    step = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/").status_code == 404
    assert client.post(f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/", {"action": "forward"}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/phieu-kiem-soat/").status_code == 404
    client.force_login(received["specialist"])
    assert client.post(f"/can-bo/ho-so/{dossier.pk}/buoc/999999/", {"action": "forward"}).status_code == 404
    assert DossierStep.objects.get(pk=step.pk).status == StepStatus.ACTIVE


def test_control_sheet_and_register_downloads(client, received) -> None:
    dossier = received["dossier"]
    client.force_login(received["reception"])
    sheet = client.get(f"/can-bo/ho-so/{dossier.pk}/phieu-kiem-soat/")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    form = client.get("/can-bo/so-theo-doi/").content.decode()
    assert "Từ ngày" in form and 'name="den"' in form
    register = client.get("/can-bo/so-theo-doi/?tai=1")
    assert register.status_code == 200
    workbook = load_workbook(io.BytesIO(register.content))
    cells = [str(cell.value) for row in workbook.active.iter_rows() for cell in row if cell.value]
    assert dossier.code in cells
    client.force_login(officer("stp.tn", agency="STP"))
    other = load_workbook(io.BytesIO(client.get("/can-bo/so-theo-doi/?tai=1").content))
    assert dossier.code not in [str(c.value) for row in other.active.iter_rows() for c in row if c.value]


def test_officer_opens_the_papers_of_dossiers_in_reach_only(client, received) -> None:
    dossier = received["dossier"]
    paper = dossier.attachments.first()
    client.force_login(received["reception"])
    response = client.get(f"/can-bo/ho-so/{dossier.pk}/giay-to/{paper.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other = submitted_dossier(citizen(phone="0987654321", id_number="066194000104"), dossier.procedure_version)
    foreign_paper = other.attachments.first()
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/giay-to/{foreign_paper.pk}/").status_code == 404
    client.force_login(officer("stp.cv", agency="STP", role=Role.SPECIALIST))
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/giay-to/{paper.pk}/").status_code == 404


def test_specialist_attaches_working_files_checked_by_content(client, received) -> None:
    from motcua.core.testing import small_pdf

    dossier = received["dossier"]
    step = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    url = f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/"
    client.force_login(received["specialist"])
    pdf = io.BytesIO(small_pdf())
    pdf.name = "bien-ban-tham-dinh.pdf"
    done = client.post(url, {"action": "file", "file": pdf}, follow=True).content.decode()
    assert "Đã đính kèm tệp vào bước xử lý." in done and "bien-ban-tham-dinh.pdf" in done
    attached = step.files.get()
    assert client.get(f"{url}tep/{attached.pk}/").status_code == 200
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "virus.pdf"
    refused = client.post(url, {"action": "file", "file": fake}, follow=True).content.decode()
    assert "virus.pdf" in refused and step.files.count() == 1
    client.force_login(received["reception"])
    other = io.BytesIO(small_pdf())
    other.name = "giay-to-khac.pdf"
    forbidden = client.post(url, {"action": "file", "file": other}, follow=True).content.decode()
    assert "Bạn không có vai trò" in forbidden and step.files.count() == 1
