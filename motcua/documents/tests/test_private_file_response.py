"""Stored papers are served privately: right name and type, no sniffing, no caching, S3 by short-lived link."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404
from storages.backends.s3 import S3Storage

from motcua.documents.files import content_disposition, private_file_response

# Closing a file response sends request_finished, whose handler checks the database
# connections; pytest-django only allows that in tests with database access.
pytestmark = pytest.mark.django_db

PDF_CONTENT = b"%PDF-1.4\n% stand-in content\n"


def stored(content: bytes = PDF_CONTENT, name: str = "dossiers/2026/01/abc.pdf", storage: object = None) -> FieldFile:
    """A FieldFile like a model's: saved in local media, or only named when an S3 storage is given."""
    field = FileField(storage=storage or default_storage)  # type: ignore[arg-type]
    field.name = "file"
    if storage is None:
        name = default_storage.save(name, ContentFile(content))
    return FieldFile(None, field, name)  # type: ignore[arg-type]


def body(response: object) -> bytes:
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()  # type: ignore[attr-defined]
    return content


def test_a_local_file_is_streamed_with_protective_headers() -> None:
    """A local file is sent with its type, nosniff, private no-store caching and the right body."""
    response = private_file_response(file=stored(), download_name="to-khai.pdf", inline=False)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"] == "attachment; filename=\"to-khai.pdf\"; filename*=UTF-8''to-khai.pdf"
    assert body(response) == PDF_CONTENT


def test_vietnamese_names_use_rfc_5987_with_an_ascii_fallback() -> None:
    """A Vietnamese download name travels exactly in filename*, with an unaccented fallback."""
    response = private_file_response(file=stored(), download_name="Giấy khai sinh Đặng Thị Ánh.pdf", inline=True)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="Giay khai sinh Dang Thi Anh.pdf"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Giấy khai sinh Đặng Thị Ánh.pdf"
    assert disposition.isascii()
    body(response)


def test_inline_images_are_sandboxed_but_inline_pdfs_can_use_the_browser_viewer() -> None:
    """Inline images get CSP sandbox; inline PDFs do not, as Chrome and Safari refuse to show PDFs sandboxed."""
    image = private_file_response(file=stored(b"\xff\xd8\xff", "a/anh.jpg"), download_name="anh.jpg", inline=True)
    assert image["Content-Type"] == "image/jpeg"
    assert image["Content-Security-Policy"] == "sandbox"
    assert image["Content-Disposition"].startswith("inline;")
    body(image)
    pdf = private_file_response(file=stored(), download_name="a.pdf", inline=True)
    assert "Content-Security-Policy" not in pdf
    assert pdf["X-Content-Type-Options"] == "nosniff"
    body(pdf)


def test_unexpected_types_are_always_downloaded_as_octet_stream() -> None:
    """A name that is not PDF/JPEG/PNG is never shown inline, so stored HTML cannot run in our origin."""
    response = private_file_response(file=stored(b"<script>", "a/x.html"), download_name="x.html", inline=True)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    body(response)


def test_hostile_download_names_cannot_break_the_header() -> None:
    """Quotes, CR/LF and paths in the name cannot inject headers or parameters."""
    header = content_disposition('../..\\a"\r\nSet-Cookie: x=1;.pdf', inline=False)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2
    assert "/" not in header.split("filename*=", 1)[0]
    assert header.startswith('attachment; filename="a_ Set-Cookie_ x_1_.pdf"; ')


def test_a_missing_file_is_a_404() -> None:
    """A database row whose file has vanished gives “not found”, not a server error."""
    field = FileField()
    field.name = "file"
    with pytest.raises(Http404):
        private_file_response(file=FieldFile(None, field, "dossiers/missing.pdf"), download_name="a.pdf", inline=True)  # type: ignore[arg-type]


def s3_storage(**options: object) -> S3Storage:
    return S3Storage(
        bucket_name="motcua-test",
        endpoint_url="http://s3.test:9000",
        access_key="test-access",
        secret_key="test-secret",  # a dummy: presigning needs no network
        region_name="us-east-1",
        addressing_style="path",
        signature_version="s3v4",
        querystring_expire=120,
        **options,
    )


def test_s3_files_redirect_to_a_short_lived_presigned_url_with_the_download_name() -> None:
    """On S3 the browser is redirected to a signed URL valid briefly, carrying name, type and no-store."""
    storage = s3_storage()
    file = stored(name="dossiers/2026/01/abc.pdf", storage=storage)
    response = private_file_response(file=file, download_name="Giấy khai sinh.pdf", inline=False)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = urlsplit(response["Location"])
    assert url.netloc == "s3.test:9000"
    assert url.path == "/motcua-test/dossiers/2026/01/abc.pdf"
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["120"]
    assert "X-Amz-Signature" in query
    assert query["response-content-disposition"] == [content_disposition("Giấy khai sinh.pdf", inline=False)]
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-cache-control"] == ["private, no-store"]


def test_unsigned_s3_urls_are_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """If S3 is configured without signed URLs, the file is streamed through Django instead."""
    storage = s3_storage(querystring_auth=False)
    monkeypatch.setattr(storage, "open", lambda name, mode="rb": ContentFile(PDF_CONTENT, name=name))
    response = private_file_response(file=stored(storage=storage), download_name="a.pdf", inline=False)
    assert response.status_code == 200
    assert body(response) == PDF_CONTENT
