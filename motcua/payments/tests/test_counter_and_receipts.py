"""Counter payments, their electronic receipts (legal content, QR verification, download),
cancel and replace, and who may do each."""

import shutil
import subprocess
from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.money import amount_in_words
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.events.constants import EventKind
from motcua.payments.constants import PaymentMethod, PaymentStatus, ReceiptStatus
from motcua.payments.counter import counter_payment_record
from motcua.payments.models import Payment, Receipt, ReceiptLine
from motcua.payments.receipt_pdf import receipt_pdf
from motcua.payments.receipts import FeesForbidden, receipt_cancel_replace
from motcua.payments.tests.helpers import owing, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(hung, birth_version):
    reception = officer("xa.tn")
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=reception, revision=None)
    return owing(dossier), reception


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "Không đồng"),
        (8000, "Tám nghìn đồng"),
        (15, "Mười lăm đồng"),
        (105, "Một trăm linh năm đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (234_500, "Hai trăm ba mươi tư nghìn năm trăm đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
    ],
)
def test_amounts_are_written_in_vietnamese_words(value, words) -> None:
    assert amount_in_words(value) == words


def test_a_counter_payment_issues_a_numbered_receipt_with_the_legal_content(accepted, settings) -> None:
    dossier, reception = accepted
    receipt = counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    payment = receipt.payment
    assert (payment.method, payment.status, payment.recorded_by, payment.amount) == (
        PaymentMethod.CASH,
        PaymentStatus.PAID,
        reception,
        8000,
    )
    assert receipt.number == 1 and receipt.issued_by == reception
    assert list(ReceiptLine.objects.filter(receipt=receipt).values_list("name", "amount")) == [
        ("Lệ phí cấp bản sao trích lục khai sinh", 8000)
    ]
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.fees_paid_at is not None
    assert after.events.filter(kind=EventKind.FEES_PAID).count() == 1

    text = " ".join(pdf_text(receipt_pdf(receipt=receipt)).split())
    agency = dossier.agency
    for expected in [
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Ký hiệu mẫu biên lai: 1",
        f"Ký hiệu biên lai: {receipt.series.symbol}",
        "Số: 0000001",
        agency.name.upper(),
        f"Mã số thuế: {agency.tax_code}",
        f"Tên người nộp: {receipt.payer_name}",
        "Hình thức thanh toán: Tiền mặt tại Bộ phận Một cửa",
        "Lệ phí: Lệ phí cấp bản sao trích lục khai sinh",
        "4.000",
        "8.000",
        "Số tiền bằng chữ: Tám nghìn đồng",
        "Người thu tiền",
        "Cán bộ xa.tn",
    ]:
        assert expected in text, expected
    # The look-up address under the QR code (wrapped across lines in the narrow column).
    assert f"/bien-lai/{receipt.token}/" in text.replace(" ", "")


def test_a_double_submit_is_one_payment_and_one_receipt(accepted) -> None:
    dossier, reception = accepted
    revision = dossier.revision
    counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CARD, revision=revision)
    with pytest.raises(ApplicationError) as stale:
        counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CARD, revision=revision)
    assert stale.value.code == "dossier_stale"
    with pytest.raises(ApplicationError) as paid:
        counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    assert paid.value.code == "fees_already_paid" and paid.value.message == "Hồ sơ đã nộp đủ phí, lệ phí."
    assert Payment.objects.filter(dossier=dossier).count() == 1
    assert Receipt.objects.filter(dossier=dossier).count() == 1


def test_the_counter_closes_an_open_online_attempt(accepted) -> None:
    dossier, reception = accepted
    online = Payment.objects.create(
        dossier=dossier, reference="TTOPEN", method=PaymentMethod.GATEWAY, gateway="demo", amount=8000
    )
    counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    online.refresh_from_db()
    assert online.status == PaymentStatus.SUPERSEDED


@pytest.mark.parametrize(
    ("username", "agency", "role"),
    [
        ("xa.cv", "UBND-24121", Role.SPECIALIST),
        ("xa.ld", "UBND-24121", Role.LEADER),
        ("stp.tn", "STP", Role.RECEPTION),
        ("stp.kt", "STP", Role.FINANCE),
    ],
)
def test_only_the_agencys_counter_or_finance_staff_take_its_fees(accepted, username, agency, role) -> None:
    dossier, _ = accepted
    intruder = officer(username, agency=agency, role=role)
    with pytest.raises(FeesForbidden):
        counter_payment_record(dossier=dossier, officer=intruder, method=PaymentMethod.CASH, revision=None)
    assert Dossier.objects.get(pk=dossier.pk).fees_paid_at is None
    assert not Payment.objects.exists()
    assert AuditEvent.objects.filter(action="payments.forbidden", actor=intruder).exists()


def test_the_agencys_finance_officer_takes_fees_and_no_fees_means_nothing_to_take(accepted, hung) -> None:
    dossier, _ = accepted
    finance = officer("xa.kt", role=Role.FINANCE)
    with pytest.raises(ApplicationError) as bad_method:
        counter_payment_record(dossier=dossier, officer=finance, method="bitcoin", revision=None)
    assert bad_method.value.code == "method_invalid"
    assert counter_payment_record(dossier=dossier, officer=finance, method=PaymentMethod.CARD, revision=None).number
    from motcua.catalog.models import Fee

    Fee.objects.filter(version=dossier.procedure_version).update(amount=0)
    free = submitted_dossier(hung, dossier.procedure_version)
    with pytest.raises(ApplicationError) as none:
        counter_payment_record(dossier=free, officer=finance, method=PaymentMethod.CASH, revision=None)
    assert none.value.code == "fees_none"


def test_a_receipt_is_cancelled_with_a_reason_and_replaced(accepted, client) -> None:
    dossier, reception = accepted
    first = counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    with pytest.raises(ApplicationError) as no_reason:
        receipt_cancel_replace(receipt=first, officer=reception, reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(FeesForbidden):
        receipt_cancel_replace(receipt=first, officer=officer("stp.kt", agency="STP", role=Role.FINANCE), reason="x")
    finance = officer("xa.kt", role=Role.FINANCE)
    second = receipt_cancel_replace(
        receipt=first, officer=finance, reason="Ghi sai tên người nộp", payer="Trần Thị Mai", address="12 Y Ngông"
    )
    first.refresh_from_db()
    assert (first.status, first.cancel_reason, first.cancelled_by) == (
        ReceiptStatus.CANCELLED,
        "Ghi sai tên người nộp",
        finance,
    )
    assert (second.number, second.replaces, second.status, second.payment) == (
        2,
        first,
        ReceiptStatus.ISSUED,
        first.payment,
    )
    assert second.lines.count() == first.lines.count() == 1
    with pytest.raises(ApplicationError) as twice:
        receipt_cancel_replace(receipt=first, officer=finance, reason="Lần nữa")
    assert twice.value.code == "receipt_already_cancelled"
    assert AuditEvent.objects.filter(action="receipt.cancelled", object_id=str(first.pk)).count() == 1

    replacement_text = " ".join(pdf_text(receipt_pdf(receipt=second)).split())
    assert f"Thay thế biên lai ký hiệu {first.series.symbol} số 0000001" in replacement_text
    # The replacement prints the corrected payer; the cancelled one keeps what it said.
    assert "Tên người nộp: Trần Thị Mai" in replacement_text and "Địa chỉ: 12 Y Ngông" in replacement_text
    assert first.payer_name != "Trần Thị Mai"
    cancelled_text = " ".join(pdf_text(receipt_pdf(receipt=first)).split())
    assert "BIÊN LAI ĐÃ BỊ HỦY" in cancelled_text and "Ghi sai tên người nộp" in cancelled_text

    page = client.get(f"/bien-lai/{first.token}/").content.decode()
    assert "Biên lai đã bị hủy" in page and "số 0000002" in page


def test_the_verification_page_shows_the_receipt_but_not_the_payer(accepted, client, hung) -> None:
    dossier, reception = accepted
    receipt = counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    page = client.get(f"/bien-lai/{receipt.token}/").content.decode()
    for shown in ["Biên lai hợp lệ", dossier.agency.name, dossier.agency.tax_code, "0000001", "8.000"]:
        assert shown in page, shown
    profile = hung.citizen
    for hidden in [receipt.payer_name, profile.id_number, dossier.code]:
        assert hidden not in page, hidden
    assert client.get("/bien-lai/khong-co-ma-nay/").status_code == 404


def test_the_applicant_and_the_agency_download_the_receipt_and_nobody_else(accepted, client, hung) -> None:
    dossier, reception = accepted
    receipt = counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    url = f"/bien-lai/{receipt.token}/tai/"
    assert client.get(url).status_code == 302  # to the login page
    for allowed in [hung, reception]:
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "Tám nghìn đồng" in pdf_text(response.content)
    for refused in [citizen(phone="0987654321", id_number="066181000202"), officer("sxd.tn", agency="STP")]:
        client.force_login(refused)
        assert client.get(url).status_code == 404
    client.force_login(hung)
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert url in page


def test_receipts_and_their_lines_are_never_deleted(accepted) -> None:
    dossier, reception = accepted
    receipt = counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    import_module("motcua.payments.migrations.0002_receipts_never_deleted").install_triggers(connection)
    for model in (ReceiptLine, Receipt):
        table = connection.ops.quote_name(model._meta.db_table)
        with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
    assert Receipt.objects.filter(pk=receipt.pk).exists() and receipt.lines.exists()


def test_fees_owed_at_submission_are_taken_at_the_counter_before_acceptance_and_an_ended_dossier_pays_nothing(  # type: ignore[no-untyped-def]
    hung, birth_version, client
) -> None:
    from motcua.dossiers.reception import dossier_refuse

    reception = officer("xa.tn")
    waiting = owing(submitted_dossier(hung, birth_version))
    client.force_login(reception)
    assert 'data-testid="counter-payment"' in client.get(f"/can-bo/ho-so/{waiting.pk}/").content.decode()
    counter_payment_record(dossier=waiting, officer=reception, method=PaymentMethod.CASH, revision=None)

    refused = owing(submitted_dossier(hung, birth_version))
    dossier_refuse(dossier=refused, officer=reception, reasons="Không thuộc thẩm quyền của phường.", revision=None)
    with pytest.raises(ApplicationError) as ended:
        counter_payment_record(dossier=refused, officer=reception, method=PaymentMethod.CASH, revision=None)
    assert ended.value.code == "fees_not_payable" and "Từ chối tiếp nhận" in ended.value.message
    assert 'data-testid="counter-payment"' not in client.get(f"/can-bo/ho-so/{refused.pk}/").content.decode()


def test_the_counter_sees_what_it_takes_the_home_page_leads_to_the_finance_page_and_tracking_to_paying(  # type: ignore[no-untyped-def]
    hung, birth_version, client
) -> None:
    from motcua.dossiers.tracking import dossier_track, tracking_public_data

    waiting = owing(submitted_dossier(hung, birth_version))
    client.force_login(officer("xa.tn"))
    page = client.get(f"/can-bo/ho-so/{waiting.pk}/").content.decode()
    assert "Thu 8.000 đồng tại quầy và lập biên lai" in page and "Lệ phí cấp bản sao trích lục khai sinh" in page
    assert "/can-bo/thu-phi/" in client.get("/can-bo/").content.decode()
    client.force_login(officer("xa.cv", role=Role.SPECIALIST))
    assert "/can-bo/thu-phi/" not in client.get("/can-bo/").content.decode()

    tracked = dossier_track(code=str(waiting.code), client_ip="203.0.113.9")
    assert tracked is not None and tracking_public_data(tracked)["pay_url"] == f"/ho-so/{waiting.pk}/"
    counter_payment_record(dossier=waiting, officer=officer("xa.tn"), method=PaymentMethod.CASH, revision=None)
    # Paying changes the dossier's revision: the kept public view is made again.
    tracked = dossier_track(code=str(waiting.code), client_ip="203.0.113.9")
    assert tracked is not None and tracking_public_data(tracked)["pay_url"] == ""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_receipt_pdf_prints_its_lookup_address_whole_clear_of_the_signature(hung, birth_version, settings) -> None:  # type: ignore[no-untyped-def]
    from motcua.payments.services import payment_paid

    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.daklak.gov.vn"
    dossier = owing(submitted_dossier(hung, birth_version))
    payment = Payment.objects.create(
        dossier=dossier,
        reference="TTPDFLAYOUT2345",
        method=PaymentMethod.GATEWAY,
        gateway="demo",
        amount=dossier.fees_due,
        lines=dossier.fee_lines,
    )
    with transaction.atomic():
        receipt = payment_paid(payment=payment, actor="demo", transaction_no="DEMOPDF")
    pdf = receipt_pdf(receipt=receipt)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    address = f"https://dichvucong.daklak.gov.vn/bien-lai/{receipt.token}/"
    [line] = [line for line in layout.splitlines() if "Tra cứu biên lai" in line]
    assert line.strip() == f"Tra cứu biên lai: {address}"
    assert "Thu trực tuyến" in layout and not any(
        "Thu trực tuyến" in row and ("http" in row or "bien-lai" in row) for row in layout.splitlines()
    )
