"""Results and papers in a citizen's document store: listed, downloadable by their owner only,
shown on the dossier they came from."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from motcua.core.testing import citizen, directory_minimal, small_pdf
from motcua.documents.models import StoredDocument

pytestmark = pytest.mark.django_db


def _store(owner, title: str) -> StoredDocument:  # type: ignore[no-untyped-def]
    pdf = small_pdf()
    document = StoredDocument(
        owner=owner,
        title=title,
        title_folded=title.lower(),
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save("x.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def test_owner_lists_and_downloads_others_cannot(client) -> None:
    directory_minimal()
    hung = citizen()
    mai = citizen(phone="0987654321", id_number="066196000104")
    document = _store(hung, "Trích lục khai sinh")
    client.force_login(hung)
    assert "Trích lục khai sinh" in client.get("/kho-du-lieu/").content.decode()
    response = client.get(f"/kho-du-lieu/{document.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(mai)
    assert client.get(f"/kho-du-lieu/{document.pk}/").status_code == 404
    assert "Trích lục khai sinh" not in client.get("/kho-du-lieu/").content.decode()
