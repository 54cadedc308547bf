"""The hostile-upload set of the security review (issue 17), kept closed.

Every file is built here, none is stored in the repository. Each is sent through every way an
upload enters: a citizen's attachment, an officer's working paper and the anonymous result
verification (service level, and one HTTP request per entry point). A refused file gets its exact
Vietnamese message and leaves no database row and no file in storage; an accepted one is stored
cleaned (no automatic PDF action, no GPS position).

The inspection runs under the limits of `limits` below (1 s of CPU, 64 MB): the worst crafted
file keeps the caller waiting at most `WORST_WAIT_SECONDS` (CPU limit + 1 s wall-clock grace +
start-up and a busy machine's margin), which every case here asserts.
"""

import functools
import io
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from motcua.core.errors import ApplicationError
from motcua.core.testing import small_pdf
from motcua.documents import verify_views
from motcua.documents.files import inspect_upload
from motcua.documents.services import verification_path
from motcua.documents.tests.test_bounded_inspection import (  # noqa: F401  (warm_forkserver is a fixture)
    WORST_WAIT_SECONDS,
    warm_forkserver,
)
from motcua.documents.tests.test_upload_inspection import png_with_declared_size
from motcua.documents.tests.test_verify_page import (  # noqa: F401  (fixtures)
    agency,
    ca_dir,
    doc,
    unsigned,
)
from motcua.dossiers import services
from motcua.dossiers.models import DossierAttachment, DossierStepFile
from motcua.dossiers.processing import step_file_add
from motcua.dossiers.testing import consulted_dossier

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PRINT_AGAIN = "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) rồi tải lên lại."
ONLY = "Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG."
GPS_IFD = 0x8825


# --- Builders ----------------------------------------------------------------------------


def pdf_with(change: Callable[[pikepdf.Pdf], None]) -> bytes:
    """A one-page PDF changed by `change`; streams are written as given (a bomb stays a bomb)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def open_action(kind: str, **entries: Any) -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        action = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name(f"/{kind}"), **entries)
        pdf.Root.OpenAction = pdf.make_indirect(action)

    return pdf_with(change)


def javascript_pdf() -> bytes:
    return open_action("JavaScript", JS=pikepdf.String("app.launchURL('https://xau.example/', true);"))


def uri_pdf() -> bytes:
    return open_action("URI", URI=pikepdf.String("https://xau.example/theo-doi"))


def submit_form_pdf() -> bytes:
    return open_action(
        "SubmitForm", F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F=pikepdf.String("https://xau.example/"))
    )


def goto_remote_pdf() -> bytes:
    return open_action(
        "GoToR", F=pikepdf.String("\\\\xau.example\\share\\x.pdf"), D=pikepdf.Array([0, pikepdf.Name.Fit])
    )


def launch_pdf() -> bytes:
    return open_action("Launch", F=pikepdf.String("cmd.exe"))


def embedded_file_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["hoa-don.exe"] = pikepdf.AttachedFileSpec(
            pdf, b"MZ\x90\x00", mime_type="application/x-msdos-program"
        )

    return pdf_with(change)


def page_actions_and_link_pdf() -> bytes:
    """A page that submits a form when opened, and a plain web link a citizen's PDF may carry."""

    def change(pdf: pikepdf.Pdf) -> None:
        submit = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://xau.example/"))
        page = pdf.pages[0].obj
        page.AA = pikepdf.Dictionary(O=pdf.make_indirect(submit))
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array([72, 72, 300, 90]),
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://dichvucong.gov.vn/")),
        )
        page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))

    return pdf_with(change)


@functools.cache  # built once: compressing 256 MB takes a moment
def deflate_bomb_pdf() -> bytes:
    """A page whose content stream inflates to 256 MB from about 3 KB (deflate applied twice)."""
    compressor = zlib.compressobj(1)
    block = b"\0" * MB
    once = b"".join(compressor.compress(block) for _ in range(256)) + compressor.flush()
    twice = zlib.compress(once, 9)

    def change(pdf: pikepdf.Pdf) -> None:
        stream = pikepdf.Stream(pdf, twice)
        stream.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
        pdf.pages[0].obj.Contents = pdf.make_indirect(stream)

    return pdf_with(change)


def broken_flate_pdf() -> bytes:
    """The shape of the 16.7 KB file that cost pypdf 17 s: FlateDecode streams whose data breaks
    off, which pypdf retried byte by byte (quadratic). qpdf reads them once and gives up."""
    text = b"".join(b"BT /F1 12 Tf 72 %d Td (dong %d) Tj ET\n" % (800 - i, i) for i in range(2000))
    broken = zlib.compress(text, 9)[:-40] + b"\xff" * 40

    def change(pdf: pikepdf.Pdf) -> None:
        for _ in range(4):
            stream = pikepdf.Stream(pdf, broken)
            stream.Filter = pikepdf.Name.FlateDecode
            pdf.pages[0].obj.Contents = pdf.make_indirect(stream)

    return pdf_with(change)


def pdf_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hoa-don.exe", b"MZ\x90\x00" + b"\0" * 64)
    return small_pdf() + archive.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """Four entries of 25 MB of zeros each, in about 500 KB: never opened, refused by its type."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for index in range(4):
            with zf.open(f"{index}.pdf", "w") as entry:
                for _ in range(25):
                    entry.write(b"\0" * MB)
    return archive.getvalue()


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML_PAGE = b"<!DOCTYPE html><html><body><script>fetch('/can-bo/')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 240


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "HangDienThoai"  # make
    exif[0x0112] = 6  # shown rotated: must stay upright
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (21.0, 1.0, 41.16), 3: "E", 4: (105.0, 50.0, 3.2)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def too_complex(name: str) -> str:
    return (
        f"Tệp quá phức tạp để kiểm tra: “{name}” cần hơn 1 giây xử lý hoặc 64 MB bộ nhớ. "
        "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) hoặc chụp lại ảnh rồi tải lên lại."
    )


# (name sent, builder, exact message). Builders are called in the test, not at import.
REFUSED: list[Any] = [
    pytest.param(
        "to-khai.pdf",
        javascript_pdf,
        f"Tệp “to-khai.pdf” chứa mã JavaScript nên không thể nhận vì lý do an toàn. {PRINT_AGAIN}",
        id="pdf-openaction-javascript",
    ),
    pytest.param(
        "to-khai.pdf",
        launch_pdf,
        f"Tệp “to-khai.pdf” chứa lệnh mở chương trình nên không thể nhận vì lý do an toàn. {PRINT_AGAIN}",
        id="pdf-openaction-launch",
    ),
    pytest.param(
        "to-khai.pdf",
        embedded_file_pdf,
        f"Tệp “to-khai.pdf” chứa tệp đính kèm nhúng bên trong nên không thể nhận vì lý do an toàn. {PRINT_AGAIN}",
        id="pdf-embedded-file",
    ),
    pytest.param(
        "hoa-don.pdf",
        lambda: HTML_PAGE,
        f"Tệp “hoa-don.pdf” là trang web (HTML), không phải tệp PDF, ảnh JPEG hay PNG. {ONLY}",
        id="html-named-pdf",
    ),
    pytest.param(
        "hoa-don.pdf",
        lambda: EXE,
        f"Tệp “hoa-don.pdf” là chương trình máy tính, không phải tệp PDF, ảnh JPEG hay PNG. {ONLY}",
        id="exe-named-pdf",
    ),
    pytest.param(
        "chan-dung.svg",
        lambda: SVG_WITH_SCRIPT,
        f"Tệp “chan-dung.svg” là ảnh vector SVG, không phải tệp PDF, ảnh JPEG hay PNG. {ONLY} "
        "Hãy lưu ảnh ở định dạng JPEG hoặc PNG rồi tải lên lại.",
        id="svg-with-script",
    ),
    pytest.param(
        "chan-dung.png",
        lambda: SVG_WITH_SCRIPT,
        f"Tệp “chan-dung.png” là ảnh vector SVG, không phải tệp PDF, ảnh JPEG hay PNG. {ONLY} "
        "Hãy lưu ảnh ở định dạng JPEG hoặc PNG rồi tải lên lại.",
        id="svg-named-png",
    ),
    pytest.param(
        "to-khai.pdf",
        pdf_zip_polyglot,
        f"Tệp “to-khai.pdf” vừa là tệp PDF vừa là tệp nén ZIP nên không thể nhận vì lý do an toàn. {PRINT_AGAIN}",
        id="pdf-zip-polyglot",
    ),
    pytest.param(
        "ho-so.pdf",
        zip_bomb,
        f"Tệp “ho-so.pdf” là tệp nén ZIP, không phải tệp PDF, ảnh JPEG hay PNG. {ONLY} "
        "Hãy giải nén và tải lên từng tệp PDF hoặc ảnh.",
        id="zip-bomb-named-pdf",
    ),
    pytest.param(
        "mat-truoc.png",
        lambda: png_with_declared_size(50_000, 50_000),
        "Ảnh “mat-truoc.png” có kích thước 50000×50000 điểm ảnh, vượt giới hạn 70 triệu điểm ảnh. "
        "Hãy giảm độ phân giải ảnh rồi tải lên lại.",
        id="pixel-bomb-png",
    ),
    pytest.param("bom.pdf", deflate_bomb_pdf, too_complex("bom.pdf"), id="pdf-deflate-bomb"),
    pytest.param(
        "invoice\u202efdp.exe",
        small_pdf,
        "Tệp “invoicefdp.exe” có đuôi .exe nhưng nội dung thực ra là tệp PDF. Hãy kiểm tra lại có chọn đúng "
        "tệp không, hoặc đổi đuôi tên tệp thành .pdf rồi tải lên lại.",
        id="rtl-override-name",
    ),
    pytest.param("rong.pdf", lambda: b"", "Tệp “rong.pdf” rỗng (0 byte). Hãy chọn lại tệp.", id="empty"),
    pytest.param(
        "lon.pdf",
        lambda: small_pdf() + b"\0" * (10 * MB),
        "Tệp “lon.pdf” lớn 10,0 MB, vượt giới hạn 10 MB. "
        "Hãy quét hoặc chụp lại với độ phân giải thấp hơn, hoặc chia thành nhiều tệp.",
        id="over-the-limit",
    ),
]


# --- Entry points ------------------------------------------------------------------------


@pytest.fixture
def limits(settings: Any, tmp_path: Path, warm_forkserver: None) -> Path:  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = 1
    settings.MOTCUA_UPLOAD_INSPECT_MEMORY_MB = 64
    settings.MOTCUA_UPLOAD_MAX_BYTES = 10 * MB
    assert verify_views.UPLOAD_MAX_BYTES == 10 * MB
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def rows() -> int:
    return DossierAttachment.objects.count() + DossierStepFile.objects.count()


@pytest.fixture
def consulted(hung: Any, birth_version: Any, limits: Path) -> dict[str, Any]:
    return consulted_dossier(applicant=hung, version=birth_version)


@pytest.fixture(params=["citizen", "officer", "verification"])
def entry(request: Any, hung: Any, birth_version: Any, limits: Path) -> Callable[[str, bytes], Any]:
    """Upload through one entry point at the service level; returns what was stored, if anything."""
    if request.param == "citizen":
        dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
        component = birth_version.components.get()
        return lambda name, data: services.dossier_attach(
            dossier=dossier, actor=hung, component_id=component.pk, name=name, data=data
        )
    if request.param == "officer":
        consulted = request.getfixturevalue("consulted")
        return lambda name, data: step_file_add(
            step=consulted["main"], officer=consulted["specialist"], name=name, data=data
        )
    # The anonymous verification page inspects with its own limit and stores nothing.
    return lambda name, data: inspect_upload(name=name, data=data, max_bytes=verify_views.UPLOAD_MAX_BYTES)


@pytest.mark.parametrize(("name", "build", "message"), REFUSED)
def test_hostile_files_are_refused_with_their_message_and_leave_nothing(
    entry: Callable[[str, bytes], Any], limits: Path, name: str, build: Callable[[], bytes], message: str
) -> None:
    data = build()
    before_files, before_rows = stored_files(limits), rows()
    started = time.monotonic()
    with pytest.raises(ApplicationError) as refused:
        entry(name, data)
    assert time.monotonic() - started < WORST_WAIT_SECONDS
    assert refused.value.message == message
    assert stored_files(limits) == before_files
    assert rows() == before_rows


def stored_pdf(stored: Any) -> pikepdf.Pdf:
    with stored.file.open("rb") as handle:
        return pikepdf.open(io.BytesIO(handle.read()))


def store(request: Any, where: str, name: str, data: bytes) -> Any:
    """Upload an acceptable file as a citizen's attachment or an officer's paper; the stored row."""
    if where == "citizen":
        hung, version = request.getfixturevalue("hung"), request.getfixturevalue("birth_version")
        dossier = services.dossier_start(applicant=hung, version=version, unit_code="24121")
        component = version.components.get()
        return services.dossier_attach(dossier=dossier, actor=hung, component_id=component.pk, name=name, data=data)
    consulted = request.getfixturevalue("consulted")
    return step_file_add(step=consulted["main"], officer=consulted["specialist"], name=name, data=data)


def stored_bytes(stored: Any) -> bytes:
    with stored.file.open("rb") as handle:
        return bytes(handle.read())


BOTH = pytest.mark.parametrize("where", ["citizen", "officer"])


@pytest.mark.parametrize("build", [uri_pdf, submit_form_pdf, goto_remote_pdf], ids=["uri", "submitform", "gotor"])
@BOTH
def test_an_open_action_that_reaches_out_is_removed_and_the_paper_kept(
    request: Any, limits: Path, where: str, build: Callable[[], bytes]
) -> None:
    """Decision: the paper is what the citizen meant to send, the automatic action is what nobody
    needs; so the action is removed and the cleaned PDF stored rather than the upload refused."""
    stored = store(request, where, "to-khai.pdf", build())
    content = stored_bytes(stored)
    assert b"xau.example" not in content
    assert stored.size == len(content)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert len(pdf.pages) == 1


@BOTH
def test_page_actions_are_removed_and_a_plain_web_link_is_kept(request: Any, limits: Path, where: str) -> None:
    """A scanned or exported paper may carry a link; only what runs by itself is taken out."""
    stored = store(request, where, "to-khai.pdf", page_actions_and_link_pdf())
    with pikepdf.open(io.BytesIO(stored_bytes(stored))) as pdf:
        page = pdf.pages[0].obj
        assert "/AA" not in page
        assert str(page.Annots[0].A.URI) == "https://dichvucong.gov.vn/"


@BOTH
def test_a_harmless_pdf_is_stored_byte_for_byte(request: Any, limits: Path, where: str) -> None:
    """Nothing to remove, nothing rewritten: a digitally signed PDF keeps a valid signature."""
    data = small_pdf()
    assert stored_bytes(store(request, where, "to-khai.pdf", data)) == data


@pytest.mark.parametrize(
    ("name", "kept"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("to\x00khai\x1b\u200b\r\n.pdf", "tokhai.pdf")],
    ids=["path-traversal", "control-characters"],
)
@BOTH
def test_hostile_names_are_cleaned_and_the_file_stored_under_a_random_name(
    request: Any, limits: Path, where: str, name: str, kept: str
) -> None:
    stored = store(request, where, name, small_pdf())
    assert stored.original_name == kept
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(limits.resolve())
    assert path.name != kept and path.suffix == ".pdf"


@BOTH
def test_the_quadratic_flate_pdf_costs_no_more_than_the_bound(request: Any, limits: Path, where: str) -> None:
    """Broken FlateDecode streams (pypdf's published quadratic flaw) are read once by qpdf and
    left as they are: the file is accepted, well within the bound; a parser that did spin would be
    stopped by it (test_bounded_inspection)."""
    data = broken_flate_pdf()
    assert len(data) < 20 * 1024
    started = time.monotonic()
    stored = store(request, where, "bao-cao.pdf", data)
    assert time.monotonic() - started < WORST_WAIT_SECONDS
    assert stored.size > 0


@BOTH
def test_a_photo_loses_its_gps_position_and_stays_upright(request: Any, limits: Path, where: str) -> None:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    stored = store(request, where, "anh.jpg", data)
    content = stored_bytes(stored)
    with Image.open(io.BytesIO(content)) as photo:
        exif = photo.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert dict(exif) == {0x0112: 6}  # orientation only: shown upright, nothing about the phone
        assert photo.size == (64, 48)
    assert b"HangDienThoai" not in content


# --- HTTP, one request per entry point ---------------------------------------------------


def flashed(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


JS_MESSAGE = f"Tệp “to-khai.pdf” chứa mã JavaScript nên không thể nhận vì lý do an toàn. {PRINT_AGAIN}"


def test_http_citizen_attachment_refuses_a_scripted_pdf(
    client: Client, hung: Any, birth_version: Any, limits: Path
) -> None:
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    client.force_login(hung)
    before = stored_files(limits)
    response = client.post(
        f"/ho-so/{dossier.pk}/giay-to/",
        {
            "action": "upload",
            "component": birth_version.components.get().pk,
            "files": SimpleUploadedFile("to-khai.pdf", javascript_pdf()),
        },
    )
    assert response.status_code == 302
    assert flashed(response) == [JS_MESSAGE]
    assert not dossier.attachments.exists()
    assert stored_files(limits) == before


def test_http_officer_upload_refuses_a_scripted_pdf(client: Client, consulted: dict[str, Any], limits: Path) -> None:
    main = consulted["main"]
    client.force_login(consulted["specialist"])
    before_files, before_rows = stored_files(limits), rows()
    response = client.post(
        f"/can-bo/ho-so/{main.dossier_id}/buoc/{main.pk}/",
        {"action": "file", "file": SimpleUploadedFile("to-khai.pdf", javascript_pdf())},
    )
    assert response.status_code == 302
    assert flashed(response) == [JS_MESSAGE]
    assert stored_files(limits) == before_files
    assert rows() == before_rows


@pytest.fixture
def issued(request: Any, settings: Any, ca_dir: Path, limits: Path) -> Any:  # noqa: F811
    """A result issued with the development CA, as on the verification page's own tests."""
    settings.VAR_DIR = ca_dir
    cache.clear()
    return request.getfixturevalue("doc")


@pytest.mark.urls("motcua.documents.tests.test_verify_page")
def test_http_verification_refuses_a_scripted_pdf(client: Client, issued: Any, limits: Path) -> None:
    before = stored_files(limits)
    response = client.post(
        verification_path(issued.verification_code), {"copy": SimpleUploadedFile("to-khai.pdf", javascript_pdf())}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["copy"] == [JS_MESSAGE]
    assert stored_files(limits) == before


def test_http_a_photo_uploaded_and_served_has_no_gps_position(
    client: Client, consulted: dict[str, Any], limits: Path
) -> None:
    """An officer's phone photo of a paper, uploaded and downloaded again: no GPS on the way out."""
    main = consulted["main"]
    client.force_login(consulted["specialist"])
    client.post(
        f"/can-bo/ho-so/{main.dossier_id}/buoc/{main.pk}/",
        {"action": "file", "file": SimpleUploadedFile("anh.jpg", jpeg_with_gps())},
    )
    paper = main.files.get()
    response = client.get(f"/can-bo/ho-so/{main.dossier_id}/buoc/{main.pk}/tep/{paper.pk}/")
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(served)) as photo:
        assert not photo.getexif().get_ifd(GPS_IFD)
    assert b"HangDienThoai" not in served
