"""Uploaded papers are judged by their content: only sound PDF, JPEG and PNG files are kept.

Every test builds real files (Pillow, pypdf, zipfile, hand-made PNG headers) rather than
relying on stored fixtures, so the checks meet the same bytes a citizen's browser would send.
"""

import hashlib
import io
import struct
import unicodedata
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from motcua.core.errors import ApplicationError
from motcua.documents.files import (
    MAX_NAME_LENGTH,
    InspectedFile,
    inspect_upload,
    safe_file_name,
)

MB = 1024 * 1024


# --- Builders ----------------------------------------------------------------------------


def pdf_bytes(writer: PdfWriter | None = None, pages: int = 1) -> bytes:
    if writer is None:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def writer_with_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def image_bytes(fmt: str, size: tuple[int, int] = (120, 80), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "RGBA" else (0, 0, 0, 0)).save(out, fmt, **save)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_declared_size(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims `width`×`height` pixels: a decompression bomb's calling card."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_declared_size(width: int, height: int) -> bytes:
    """A real JPEG whose start-of-frame header is rewritten to claim another size."""
    data = bytearray(image_bytes("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def reject(name: str, data: object, **kwargs: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        inspect_upload(name=name, data=data, **kwargs)  # type: ignore[arg-type]
    return caught.value


class CountingReader:
    """A stream with no size and no seek, like a network body; records how much was read."""

    def __init__(self, total: int) -> None:
        self.remaining = total
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= size
        self.read_bytes += size
        return b"%" * size


# --- Accepted files ----------------------------------------------------------------------


def test_a_real_pdf_is_accepted_with_its_facts() -> None:
    """A sound PDF is kept, with its type, size, SHA-256, page count and a safe name."""
    data = pdf_bytes(pages=3)
    inspected = inspect_upload(name="Đơn đề nghị.pdf", data=data)
    assert isinstance(inspected, InspectedFile)
    assert inspected.content == data
    assert inspected.content_type == "application/pdf"
    assert inspected.extension == "pdf"
    assert inspected.size == len(data)
    assert len(inspected.sha256) == 64
    assert inspected.page_count == 3
    assert inspected.width is None and inspected.height is None
    assert inspected.safe_name == "Đơn đề nghị.pdf"


def test_a_pdf_saved_by_pillow_from_a_scan_is_accepted() -> None:
    """Scanner software that writes image-only PDFs produces acceptable papers."""
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(out, "PDF", resolution=150)
    assert inspect_upload(name="scan.pdf", data=out.getvalue()).page_count == 1


def test_jpeg_and_png_are_accepted_with_their_dimensions() -> None:
    """Phone photos (JPEG) and screenshots (PNG) are kept, with width and height."""
    jpeg = inspect_upload(name="cccd.JPEG", data=image_bytes("JPEG", (120, 80)))
    assert (jpeg.content_type, jpeg.extension, jpeg.width, jpeg.height) == ("image/jpeg", "jpg", 120, 80)
    assert jpeg.safe_name == "cccd.jpg"
    assert jpeg.page_count is None
    png = inspect_upload(name="chup-man-hinh.png", data=image_bytes("PNG", (33, 44)))
    assert (png.content_type, png.extension, png.width, png.height) == ("image/png", "png", 33, 44)


def test_exif_rotated_photo_reports_its_displayed_size() -> None:
    """A phone photo stored sideways with an EXIF orientation reports the size people see."""
    exif = Image.Exif()
    exif[0x0112] = 6
    data = image_bytes("JPEG", (400, 300), exif=exif.tobytes())
    inspected = inspect_upload(name="anh.jpg", data=data)
    assert (inspected.width, inspected.height) == (300, 400)


def test_a_jpeg_keeps_its_pixels_and_loses_its_metadata() -> None:
    """The stored photo is the same picture (same quantisation: no visible loss) with only its
    orientation and colour profile left: no GPS, camera, time or comment."""
    photo = Image.linear_gradient("L").resize((256, 192)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "HangDienThoai"
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 41.16)})
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, exif=exif.tobytes(), comment=b"ghi chu rieng", icc_profile=b"icc-profile")
    inspected = inspect_upload(name="anh.jpg", data=out.getvalue())
    with Image.open(io.BytesIO(inspected.content)) as kept, Image.open(out) as original:
        assert not kept.getexif()
        assert "comment" not in kept.info
        assert kept.info["icc_profile"] == b"icc-profile"
        assert kept.quantization == original.quantization
        difference = ImageChops.difference(kept.convert("L"), original.convert("L"))
        assert difference.getextrema()[1] <= 2
    assert inspected.sha256 == hashlib.sha256(inspected.content).hexdigest()
    assert inspected.size == len(inspected.content)


def test_a_png_loses_its_text_and_exif_chunks() -> None:
    """Screenshots and scanner apps write text chunks (XMP with a position, author, software)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van A")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta><exif:GPSLatitude>21,1.686N</exif:GPSLatitude></x:xmpmeta>")
    exif = Image.Exif()
    exif[0x010F] = "HangDienThoai"
    data = image_bytes("PNG", (40, 30), pnginfo=info, exif=exif.tobytes())
    inspected = inspect_upload(name="chup-man-hinh.png", data=data)
    for secret in (b"Nguyen Van A", b"GPSLatitude", b"HangDienThoai"):
        assert secret in data and secret not in inspected.content
    with Image.open(io.BytesIO(inspected.content)) as kept:
        assert kept.size == (40, 30)


def test_content_decides_the_extension_when_the_name_has_none() -> None:
    """A name without an extension, or with a dot that is not one, gets the detected type's."""
    assert inspect_upload(name="giay-to", data=pdf_bytes()).safe_name == "giay-to.pdf"
    assert inspect_upload(name="Nguyen.Van.A", data=image_bytes("PNG")).safe_name == "Nguyen.Van.A.png"


def test_uploaded_file_objects_are_read() -> None:
    """Django's UploadedFile (what views receive) is read from the start, whatever was read before."""
    upload = SimpleUploadedFile("to-khai.pdf", pdf_bytes(), content_type="application/octet-stream")
    upload.read(10)
    assert inspect_upload(name=upload.name or "", data=upload).page_count == 1


# --- Size --------------------------------------------------------------------------------


def test_a_30_mb_upload_is_refused_with_its_size_and_the_limit() -> None:
    """A 30 MB file over the 10 MB default gets “Tệp “x.pdf” lớn 30,0 MB, vượt giới hạn 10 MB.”"""
    error = reject("x.pdf", b"%PDF-" + b"0" * (30 * MB - 5))
    assert error.code == "upload_too_large"
    assert error.message.startswith("Tệp “x.pdf” lớn 30,0 MB, vượt giới hạn 10 MB.")


def test_an_uploaded_file_over_the_limit_is_refused_before_reading() -> None:
    """An UploadedFile declaring 30 MB is refused from its size, without reading its content."""
    upload = SimpleUploadedFile("ho-so.pdf", b"%PDF-")
    upload.size = 30 * MB
    error = reject("ho-so.pdf", upload)
    assert error.code == "upload_too_large"
    assert "30,0 MB" in error.message
    assert upload.file.tell() == 0


def test_a_stream_of_unknown_size_is_not_read_past_the_limit() -> None:
    """A 30 MB stream is never read fully into memory: reading stops just after the limit."""
    stream = CountingReader(30 * MB)
    error = reject("lon.pdf", stream, max_bytes=MB)
    assert error.code == "upload_too_large"
    assert "vượt giới hạn 1 MB" in error.message
    assert stream.read_bytes <= MB + 64 * 1024


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    """The limit is inclusive: a file of exactly `max_bytes` passes the size check."""
    data = pdf_bytes()
    assert inspect_upload(name="a.pdf", data=data, max_bytes=len(data)).size == len(data)
    assert reject("a.pdf", data, max_bytes=len(data) - 1).code == "upload_too_large"


def test_the_limit_comes_from_settings(settings: object) -> None:
    """`MOTCUA_UPLOAD_MAX_BYTES` sets the default limit."""
    settings.MOTCUA_UPLOAD_MAX_BYTES = 2 * MB  # type: ignore[attr-defined]
    error = reject("a.pdf", b"%PDF-" + b"0" * (3 * MB))
    assert "lớn 3,0 MB, vượt giới hạn 2 MB" in error.message


def test_an_empty_file_is_refused() -> None:
    """A zero-byte file (a failed phone upload) gets a clear message."""
    error = reject("trong.pdf", b"")
    assert error.code == "upload_empty"
    assert "rỗng" in error.message


# --- Types -------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_as_a_type_not_allowed() -> None:
    """A zip (here one inflating to 100 MB) is not a PDF/JPEG/PNG and is never opened."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bom.txt", b"\0" * (100 * MB))
    assert len(out.getvalue()) < MB
    error = reject("ho-so.pdf", out.getvalue())
    assert error.code == "upload_type_not_allowed"
    assert "tệp nén ZIP" in error.message
    assert "Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG." in error.message


def test_a_word_document_is_named_and_the_citizen_told_how_to_fix_it() -> None:
    """A .docx (a zip inside) is recognised as Word, with advice to save it as PDF."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    error = reject("don.docx", out.getvalue())
    assert error.code == "upload_type_not_allowed"
    assert "tài liệu Word" in error.message
    assert "PDF" in error.message


def test_an_html_file_renamed_pdf_is_refused_saying_what_it_is() -> None:
    """HTML disguised with a .pdf name is refused, and the message says it is a web page."""
    error = reject("giay-phep.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    assert error.code == "upload_type_not_allowed"
    assert "trang web (HTML)" in error.message
    assert error.extra["detected"] == "trang web (HTML)"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 100, "chương trình"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 100, "chương trình"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b"GIF89a" + b"\0" * 20, "GIF"),
        (b"Rar!\x1a\x07\x00" + b"\0" * 20, "RAR"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Office"),
        ("Chỉ là văn bản".encode(), "văn bản"),
    ],
)
def test_other_types_are_refused_and_named(data: bytes, label: str) -> None:
    """SVG, programs, iPhone HEIC photos, GIF, archives, old Office files and text are refused by name."""
    error = reject("tep.pdf", data)
    assert error.code == "upload_type_not_allowed"
    assert label in error.message


def test_unrecognisable_binary_is_refused_without_guessing() -> None:
    """Bytes of no known kind are refused with the list of accepted types."""
    error = reject("x.bin", bytes(range(256)) * 4)
    assert error.code == "upload_type_not_allowed"
    assert error.message == "Tệp “x.bin” không phải tệp PDF, ảnh JPEG hay PNG. Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG."


def test_a_jpeg_named_png_is_refused_saying_what_it_really_is() -> None:
    """A file whose content is not what its name says is refused, naming the real content."""
    error = reject("anh.png", image_bytes("JPEG"))
    assert error.code == "upload_type_mismatch"
    assert "đuôi .png" in error.message
    assert "ảnh JPEG" in error.message
    assert ".jpg" in error.message
    assert error.extra == {"claimed": "png", "detected": "image/jpeg"}


def test_a_pdf_named_docx_or_jpg_is_refused_as_mismatched() -> None:
    """Any known extension that disagrees with the content is refused."""
    assert reject("don.docx", pdf_bytes()).code == "upload_type_mismatch"
    error = reject("scan.jpg", pdf_bytes())
    assert error.code == "upload_type_mismatch"
    assert "tệp PDF" in error.message


# --- PDF active content ------------------------------------------------------------------


def test_a_pdf_with_open_action_javascript_is_refused() -> None:
    """A PDF running JavaScript when opened (/OpenAction) is refused as active content."""
    writer = writer_with_page()
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('xin chao');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    error = reject("to-khai.pdf", pdf_bytes(writer))
    assert error.code == "upload_pdf_active_content"
    assert "JavaScript" in error.message
    assert {"JS", "JavaScript"} <= set(error.extra["found"])


def test_a_pdf_with_document_javascript_is_refused() -> None:
    """Document-level JavaScript (a /Names /JavaScript name tree) is refused."""
    writer = writer_with_page()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("js0"), writer._add_object(action)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    assert reject("a.pdf", pdf_bytes(writer)).code == "upload_pdf_active_content"


def test_a_pdf_with_an_embedded_file_is_refused() -> None:
    """Files hidden inside a PDF (/EmbeddedFiles) are refused: they could carry anything."""
    writer = writer_with_page()
    writer.add_attachment("virus.exe", b"MZ...")
    error = reject("a.pdf", pdf_bytes(writer))
    assert error.code == "upload_pdf_active_content"
    assert "tệp đính kèm nhúng" in error.message


@pytest.mark.parametrize(
    ("place", "key", "value", "found"),
    [
        (
            "root",
            "/OpenAction",
            DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}),
            "Launch",
        ),
        ("root", "/AcroForm", DictionaryObject({NameObject("/XFA"): ArrayObject()}), "XFA"),
        (
            "page",
            "/Annots",
            ArrayObject([DictionaryObject({NameObject("/Subtype"): NameObject("/RichMedia")})]),
            "RichMedia",
        ),
    ],
)
def test_other_active_pdf_features_are_refused(place: str, key: str, value: object, found: str) -> None:
    """/Launch, XFA forms and /RichMedia are refused as active content."""
    writer = writer_with_page()
    target = writer._root_object if place == "root" else writer.pages[0]
    target[NameObject(key)] = value  # type: ignore[index]
    error = reject("a.pdf", pdf_bytes(writer))
    assert error.code == "upload_pdf_active_content"
    assert found in error.extra["found"]


def handmade_pdf(catalog_extra: bytes) -> bytes:
    """A minimal uncompressed PDF, with `catalog_extra` written as-is into the catalogue."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def test_obfuscated_javascript_names_are_caught() -> None:
    """/J#61vaScript and /J#53 (hex-escaped names) are recognised as JavaScript."""
    data = handmade_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    error = reject("a.pdf", data)
    assert error.code == "upload_pdf_active_content"
    assert "JavaScript" in error.extra["found"]


def test_a_pdf_mentioning_javascript_in_its_text_is_accepted() -> None:
    """Page text that merely mentions /JavaScript (inside a content stream) is not active content."""
    writer = writer_with_page()
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (/JavaScript /JS /AA /Launch) Tj ET")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    assert inspect_upload(name="bai-viet.pdf", data=pdf_bytes(writer)).page_count == 1


def test_a_harmless_open_action_is_accepted() -> None:
    """/OpenAction that just opens page 1 (very common) is not refused."""
    writer = writer_with_page()
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    assert inspect_upload(name="a.pdf", data=pdf_bytes(writer)).page_count == 1


@pytest.mark.parametrize("user_password", ["", "matkhau"])
def test_an_encrypted_pdf_is_refused(user_password: str) -> None:
    """Password-protected or merely encrypted PDFs cannot be checked or stamped, so are refused."""
    writer = writer_with_page()
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-128")
    error = reject("bao-mat.pdf", pdf_bytes(writer))
    assert error.code == "upload_pdf_encrypted"
    assert "mật khẩu" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\nthis is not a pdf at all",
        pdf_bytes(PdfWriter()),  # parses, but has no page
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_a_broken_pdf_is_refused(data: bytes) -> None:
    """A file that starts like a PDF but cannot be read (or has no page) is refused as broken."""
    error = reject("hong.pdf", data)
    assert error.code == "upload_pdf_broken"
    assert "bị hỏng" in error.message


# --- Images ------------------------------------------------------------------------------


def test_a_png_declaring_50000_by_50000_pixels_is_refused_before_decoding() -> None:
    """A decompression bomb (tiny file, 2.5 billion pixels declared) is refused from its header."""
    data = png_with_declared_size(50_000, 50_000)
    assert len(data) < 200
    error = reject("bom.png", data)
    assert error.code == "upload_image_too_large_pixels"
    assert "50000×50000" in error.message


def test_a_jpeg_declaring_too_many_pixels_is_refused() -> None:
    """JPEG headers are checked too: 9000×9000 (81 MP) passes Pillow's own guard but not ours."""
    error = reject("anh.jpg", jpeg_with_declared_size(9000, 9000))
    assert error.code == "upload_image_too_large_pixels"
    assert "9000×9000" in error.message


def test_pillow_decompression_bomb_error_is_turned_into_the_same_refusal() -> None:
    """Sizes beyond Pillow's hard limit (65000×65000) raise DecompressionBombError, reported alike."""
    error = reject("anh.jpg", jpeg_with_declared_size(65_000, 65_000))
    assert error.code == "upload_image_too_large_pixels"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cat.jpg", image_bytes("JPEG", (200, 200))[:300]),
        ("cat.png", image_bytes("PNG", (200, 200))[:60]),
        ("crc.png", image_bytes("PNG", (20, 20))[:-5] + b"XXXXX"),
        ("rong.png", b"\x89PNG\r\n\x1a\n"),
        ("rong.jpg", b"\xff\xd8\xff"),
    ],
)
def test_truncated_or_corrupt_images_are_refused(name: str, data: bytes) -> None:
    """A photo cut short by a bad connection or corrupted is refused as broken."""
    error = reject(name, data)
    assert error.code == "upload_image_broken"
    assert "bị hỏng" in error.message


# --- Names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("/var/www/../a.pdf", "a.pdf"),
        ("C:\\Users\\An\\Desktop\\CCCD.pdf", "CCCD.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("ho\x1bso\r\n.pdf", "hoso.pdf"),
        ("hoso\u202efdp.exe", "hosofdp.exe"),
        ("..", "tep"),
        ("", "tep"),
        ("   ", "tep"),
        (".pdf", "tep.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ('ten "la" <1>?.pdf', "ten _la_ _1.pdf"),
        ("Giấy   khai...sinh.PDF", "Giấy khai.sinh.pdf"),
    ],
)
def test_safe_file_name_strips_paths_and_dangerous_characters(raw: str, expected: str) -> None:
    """Directories, traversal, NUL and control characters, reserved names and empty names are neutralised."""
    assert safe_file_name(raw) == expected


def test_safe_file_name_keeps_vietnamese_in_nfc() -> None:
    """Vietnamese letters are kept, and names from macOS (NFD) are normalised to NFC."""
    decomposed = unicodedata.normalize("NFD", "Giấy chứng nhận quyền sử dụng đất.pdf")
    result = safe_file_name(decomposed)
    assert result == "Giấy chứng nhận quyền sử dụng đất.pdf"
    assert unicodedata.is_normalized("NFC", result)


def test_safe_file_name_limits_length_and_keeps_the_extension() -> None:
    """Names are at most 120 characters, cut in the stem so the extension survives."""
    result = safe_file_name("Đ" * 500 + ".pdf")
    assert len(result) <= MAX_NAME_LENGTH
    assert result.endswith(".pdf")
    assert len(result.encode()) <= 255


def test_safe_file_name_normalises_the_extension_to_the_detected_type() -> None:
    """With the detected extension, a known wrong or odd extension is replaced, an unknown suffix kept."""
    assert safe_file_name("anh.JPEG", extension="jpg") == "anh.jpg"
    assert safe_file_name("to-khai.docx", extension="pdf") == "to-khai.pdf"
    assert safe_file_name("Nguyen.Van.A", extension="pdf") == "Nguyen.Van.A.pdf"
    assert safe_file_name("../../", extension="png") == "tep.png"


def test_inspected_safe_name_never_carries_the_path() -> None:
    """An upload named with path traversal is kept under its bare, cleaned name."""
    inspected = inspect_upload(name="../../../etc/cron.d/x.png", data=image_bytes("PNG"))
    assert inspected.safe_name == "x.png"
    error = reject("../../secret/x.pdf", b"")
    assert "../" not in error.message
    assert "“x.pdf”" in error.message


@settings(max_examples=300, deadline=None)
@given(name=st.text(), extension=st.sampled_from([None, "pdf", "jpg", "png"]))
def test_safe_file_name_is_always_safe(name: str, extension: str | None) -> None:
    """For any input, the name has no "/", "\\", "..", NUL or control character, and is never empty."""
    for candidate in (name, "../" + name, name + "\\..\\", "\x00" + name + "\x1f"):
        result = safe_file_name(candidate, extension=extension)
        assert result
        assert "/" not in result and "\\" not in result
        assert ".." not in result
        assert all(unicodedata.category(ch)[0] != "C" for ch in result)
        assert len(result) <= MAX_NAME_LENGTH
        assert result == unicodedata.normalize("NFC", result)
        assert result.strip() == result
        if extension:
            assert result.endswith("." + extension)


def test_inspected_file_repr_does_not_dump_the_content() -> None:
    """Logging an InspectedFile shows its facts, not megabytes of a citizen's paper."""
    inspected = inspect_upload(name="a.pdf", data=pdf_bytes())
    assert "content=" not in repr(inspected)
