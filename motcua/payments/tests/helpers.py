"""Shared set-up of the payments tests: a ward dossier that owes a birth registration's copies."""

from motcua.catalog.models import Fee
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import fees_owed

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
    return fees_owed(dossier, 8000, [COPY_LINE])


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
