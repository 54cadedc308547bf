"""The electronic receipt as PDF, with the content Decree 123/2020/NĐ-CP (Article 32) and
Circular 78/2021/TT-BTC require of a receipt for fees and charges, and a QR code to its public
verification page (docs/receipts.md)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.core.money import amount_in_words
from motcua.documents.pdf import render_pdf
from motcua.documents.qr import qr_svg
from motcua.payments.models import Receipt


def receipt_verify_url(receipt: Receipt) -> str:
    return settings.MOTCUA_PUBLIC_URL.rstrip("/") + reverse("receipts:verify", args=[receipt.token])


def receipt_pdf(*, receipt: Receipt) -> bytes:
    url = receipt_verify_url(receipt)
    collector = receipt.issued_by
    context = {
        "receipt": receipt,
        "agency": receipt.agency,
        "dossier": receipt.dossier,
        "lines": list(receipt.lines.all()),
        "amount_words": amount_in_words(receipt.amount),
        "issued_on": timezone.localtime(receipt.issued_at),
        "collector_name": (collector.get_full_name() or collector.get_username()) if collector else "",
        "replaces": receipt.replaces,
        "qr_svg": qr_svg(url, scale=2),
        "verification_url": url,
    }
    return render_pdf(template="payments/receipt_pdf.html", context=context)
