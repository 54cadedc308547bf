"""The officer's dossier page offers the hand-over once the result is issued: the counter form
(and the post form when the applicant chose post) for the one-stop officer holding the return
step only; the recorded hand-over shows the identity paper masked and links the note, whose PDF
names the dossier, procedure, result number, recipient and both signers. A refused officer gets
403, a stale form the Vietnamese message."""

import io
import unicodedata

import pytest
from django.utils import timezone
from pypdf import PdfReader

from motcua.delivery.models import HandOver
from motcua.delivery.testing import processed_dossier
from motcua.directory.constants import Role
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db
ID_NUMBER = "066094000103"


def _form(dossier: Dossier, **overrides: str) -> dict[str, str]:
    return {
        "revision": str(dossier.revision),
        "recipient_kind": "authorised",
        "recipient_name": "Trần Thị Mai",
        "authorisation": "Vợ; giấy ủy quyền ngày 01/12/2026",
        "id_paper_kind": "citizen_id",
        "id_paper_number": ID_NUMBER,
        "note": "",
        **overrides,
    }


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_hand_over_from_the_dossier_page_and_print_the_note(client, hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    client.force_login(officer("xa.tn"))
    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Trả kết quả tại quầy" in page and "Gửi kết quả qua bưu chính" not in page
    response = client.post(f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/tai-quay/", _form(dossier), follow=True)
    html = response.content.decode()
    assert "Đã trả kết quả tại quầy" in html
    assert "*********103" in html and ID_NUMBER not in html
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED
    note = client.get(f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/bien-ban/")
    assert note.status_code == 200 and note["Content-Type"] == "application/pdf"
    text = _pdf_text(note.content)
    document = Dossier.objects.get(pk=dossier.pk).result_document
    assert document is not None and document.number
    for expected in (
        "BIÊN BẢN GIAO NHẬN KẾT QUẢ",
        dossier.code,
        birth_version.name,
        f"số {document.number}",
        "Trần Thị Mai (người được ủy quyền; Vợ; giấy ủy quyền ngày 01/12/2026)",
        f"Thẻ căn cước / Căn cước công dân số {ID_NUMBER}",
        "Người nhận kết quả",
        "Người trả kết quả",
        "Cán bộ xa.tn",
    ):
        assert expected in text, expected
    # Stale form (double click): the message, nothing twice.
    again = client.post(f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/tai-quay/", _form(dossier), follow=True)
    assert "bấm hai lần" in again.content.decode() and HandOver.objects.count() == 1


def test_post_forms_show_the_address_in_names(client, hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    client.force_login(officer("xa.tn"))
    html = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Gửi kết quả qua bưu chính" in html and "Số 1 Lê Duẩn, phường Tân Lập" in html
    client.post(
        f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/buu-chinh/",
        {"revision": dossier.revision, "carrier": "Bưu điện (VNPost)", "tracking_number": "EB1234VN", "sent_on": ""},
    )
    assert not dossier.shipments.exists()
    dossier.refresh_from_db()
    response = client.post(
        f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/buu-chinh/",
        {"revision": dossier.revision, "tracking_number": "EB1234VN", "sent_on": str(timezone.localdate())},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã ghi nhận gửi kết quả qua bưu chính." in html and "Đang gửi qua bưu chính" in html
    assert "Xác nhận bưu chính đã giao" in html and "Trả kết quả tại quầy" not in html
    dossier.refresh_from_db()
    response = client.post(
        f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/buu-chinh/da-giao/",
        {"revision": dossier.revision, "recipient_name": "", "delivered_at": ""},
        follow=True,
    )
    assert "Hãy nhập họ và tên người nhận bưu gửi." in response.content.decode()
    response = client.post(
        f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/buu-chinh/da-giao/",
        {
            "revision": dossier.revision,
            "recipient_name": "Nguyễn Văn Hùng",
            "delivered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "hồ sơ đã trả kết quả" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED


@pytest.mark.parametrize(
    ("username", "agency", "role", "status"),
    [
        ("stp.tn", "STP", Role.RECEPTION, 404),  # cannot even read the dossier
        ("xa.cv", "UBND-24121", Role.SPECIALIST, 403),
        ("xa.ld", "UBND-24121", Role.LEADER, 403),
    ],
)
def test_other_officers_see_no_form_and_are_refused(  # type: ignore[no-untyped-def]
    client, hung, birth_version, username, agency, role, status
) -> None:
    from motcua.core.models import AuditEvent

    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    intruder = officer(username, agency=agency, role=role)
    client.force_login(intruder)
    if status == 403:
        assert "Trả kết quả tại quầy" not in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    for path in ("tai-quay/", "buu-chinh/", "buu-chinh/da-giao/", "buu-chinh/tra-lai/"):
        response = client.post(f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/{path}", _form(dossier))
        assert response.status_code == status, path
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    assert not dossier.shipments.exists() and not HandOver.objects.exists()
    refusals = AuditEvent.objects.filter(action="dossier.action_forbidden", actor=intruder).count()
    assert refusals == (4 if status == 403 else 0)
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/tra-ket-qua/bien-ban/").status_code == 404


def test_the_step_form_no_longer_returns_a_dossier_without_the_evidence(client, hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    """The return step is finished through the hand-over or the delivery only, never by a bare note."""
    dossier = processed_dossier(hung, birth_version)
    step = dossier.steps.get(kind="return", status="active")
    client.force_login(officer("xa.tn"))
    response = client.post(
        f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/",
        {"action": "hand_over", "note": "Trao tận tay", "revision": dossier.revision},
        follow=True,
    )
    assert "Thao tác không hợp lệ." in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
