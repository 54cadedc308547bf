"""Shared set-up of the payments tests: a ward dossier that owes a birth registration's copies."""

from motcua.catalog.models import Fee
from motcua.dossiers.models import Dossier

COPY_LINE = {
    "kind": "fee",
    "name": "Lệ phí cấp bản sao trích lục khai sinh",
    "quantity": 2,
    "unit_amount": 4000,
    "amount": 8000,
}


def owing(dossier: Dossier) -> Dossier:
    """The dossier owes 8,000 đ for two copies (what the fee rules freeze at submission)."""
    Fee.objects.filter(version=dossier.procedure_version).update(amount=8000)
    Dossier.objects.filter(pk=dossier.pk).update(fees_due=8000, fee_lines=[COPY_LINE])
    return Dossier.objects.get(pk=dossier.pk)


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
