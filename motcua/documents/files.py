"""Safe handling of the papers citizens upload.

Every upload is judged by its content, never by its name or the browser's declared type:
only PDF, JPEG and PNG are kept, each checked for the tricks that make an upload dangerous
(active content in PDFs, decompression bombs in images, oversized or mislabelled files,
hostile file names). Stored files are served only through `private_file_response`, after the
calling view has checked permissions.

Every refusal is an `ApplicationError` with a stable code (for APIs and tests) and a
Vietnamese message the citizen can act on.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import img2pdf
import pikepdf
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from motcua.core.errors import ApplicationError
from motcua.documents.bounded import run_bounded

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# Canonical extension for each accepted type, and the other spellings a name may use for it.
CANONICAL_EXTENSIONS: dict[str, str] = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
EXTENSION_ALIASES: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif", "pjpeg", "pjp"}),
    PNG: frozenset({"png"}),
}
# Suffixes that are clearly a file-type claim. Anything else after the last dot ("Nguyen.Van.A")
# is part of the name, not an extension, and is not held against the content.
KNOWN_EXTENSIONS: frozenset[str] = frozenset(
    {
        *(ext for aliases in EXTENSION_ALIASES.values() for ext in aliases),
        *("doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt", "csv"),
        *("xml", "json", "html", "htm", "xhtml", "svg", "svgz", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif"),
        *("avif", "ico", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "exe", "dll", "msi", "bat", "cmd"),
        *("com", "scr", "ps1", "vbs", "js", "jar", "apk", "sh", "py", "php"),
    }
)

CHUNK_SIZE = 64 * 1024
MB = 1024 * 1024
# Enough for 64-megapixel phone cameras; decoding one such image takes about 200 MB of memory.
MAX_IMAGE_PIXELS = 70_000_000
# Containers (dictionaries and arrays) walked in one PDF; real papers have a few thousand.
MAX_PDF_OBJECTS = 200_000
MAX_NAME_LENGTH = 120
# Also bounded in UTF-8 bytes: file systems limit a name to 255 bytes, and a Vietnamese
# letter such as "ệ" takes three.
MAX_NAME_BYTES = 240
FALLBACK_NAME = "tep"

MAX_IMAGES_PER_PDF = 20
# A4 in PostScript points (1/72 inch) and the resolution phone photos are resampled to.
A4_POINTS = (595.28, 841.89)
PDF_DPI = 150
PDF_MARGIN_POINTS = 14.17  # 5 mm, so printers do not clip the paper's edges
PDF_JPEG_QUALITY = 80
EXIF_ORIENTATION = 0x0112

# PDF features refused whole, wherever they are in the file, by the names that carry them (as
# keys, or as values of /S, /Type or /Subtype): scripts, launching programs, embedded files,
# multimedia and XFA forms. Removing them could change what the paper shows or silently drop a
# paper the citizen meant to send, and no scanner or "print to PDF" produces them.
PDF_REFUSED_KEYS: frozenset[str] = frozenset(
    {
        "JavaScript",
        "JS",
        "Launch",
        "EmbeddedFiles",
        "EmbeddedFile",
        "EF",
        "RichMedia",
        "RichMediaContent",
        "RichMediaExecute",
        "XFA",
    }
)
PDF_REFUSED_VALUES: frozenset[str] = frozenset(
    {"JavaScript", "Launch", "EmbeddedFile", "FileAttachment", "RichMedia", "RichMediaExecute", "GoToE", "Rendition"}
)
# Clicked actions (links, buttons, bookmarks) that send the form's data somewhere or open a
# file outside the paper: removed, the link or button itself kept.
PDF_OUTGOING_ACTIONS: frozenset[str] = frozenset({"SubmitForm", "GoToR", "ImportData"})


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class InspectedFile:
    """An upload that passed every check, with what was learnt about it."""

    content: bytes = field(repr=False)
    content_type: str  # application/pdf, image/jpeg or image/png
    extension: str  # canonical, without the dot: pdf, jpg or png
    size: int
    sha256: str
    safe_name: str  # the citizen's name, cleaned, ending in `extension`
    page_count: int | None = None  # PDFs only
    width: int | None = None  # images only, as displayed (after EXIF rotation)
    height: int | None = None
    # PDF actions taken out ("OpenAction", "AA", "SubmitForm"…); `content` is then the cleaned
    # file. Images always lose their metadata (GPS position…), so it is not listed.
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Inspected:
    """What the bounded child learnt: the content to store (cleaned) and its facts."""

    content: bytes = field(repr=False)
    page_count: int | None = None
    width: int | None = None
    height: int | None = None
    removed: tuple[str, ...] = ()


# --- Names -------------------------------------------------------------------------------

_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*/\\]')
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"\.{2,}")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)


def _visible(text: str) -> str:
    """Drop invisible and control characters and neutralise characters forbidden in names."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Zl", "Zp") or ch in "\t\n\r\x0b\x0c":
            kept.append(" ")
        elif category[0] == "C":
            # Cc controls, Cf format characters (the right-to-left override used to disguise
            # "hoso\u202efdp.exe"), surrogates, private-use and unassigned code points.
            continue
        else:
            kept.append(ch)
    return _WINDOWS_FORBIDDEN.sub("_", "".join(kept)).strip()


def _tidy(text: str) -> str:
    """Collapse runs of dots and spaces; no leading or trailing dot, space or underscore."""
    return _SPACES.sub(" ", _DOTS.sub(".", text)).strip(" ._")


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and ext and len(ext) <= 10 and ext.isascii() and ext.isalnum():
        return stem, ext.lower()
    return name, ""


def _truncate(text: str, max_chars: int, max_bytes: int) -> str:
    text = text[:max_chars]
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text.rstrip(" ._")


def safe_file_name(name: str, *, extension: str | None = None) -> str:
    """Return a harmless file name keeping the citizen's wording (Vietnamese letters in NFC).

    Directories and traversal are dropped ("../../etc/passwd" -> "passwd", "C:\\x\\a.pdf" ->
    "a.pdf"), control and invisible characters removed, runs of dots collapsed, length limited
    to 120 characters. With `extension` (the detected type's, e.g. "pdf"), the name is made to
    end in it: a known extension is replaced, an unknown suffix is kept as part of the name.
    Never empty: "tep" stands in for a name with nothing usable left.
    """
    text = unicodedata.normalize("NFC", name.replace("\x00", ""))
    # Both separators, whatever the server's OS: the name comes from any client.
    text = _visible(text.replace("\\", "/").rsplit("/", 1)[-1])
    stem, ext = _split_extension(text)
    if extension is not None:
        if ext and ext not in KNOWN_EXTENSIONS:
            stem = text
        ext = re.sub(r"[^a-z0-9]", "", extension.lower())
    suffix = f".{ext}" if ext else ""
    stem = _truncate(_tidy(stem), MAX_NAME_LENGTH - len(suffix), MAX_NAME_BYTES - len(suffix)) or FALLBACK_NAME
    if stem.upper().split(".")[0] in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}{suffix}"


# --- Content detection -------------------------------------------------------------------


def _sniff(head: bytes) -> str | None:
    """Return the accepted MIME type that `head` starts with, if any."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _describe_other(content: bytes) -> tuple[str | None, str]:
    """Name the refused kind of content for the citizen, plus a hint on what to do instead."""
    head = content[:4096]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        if b"word/" in content:
            return _("tài liệu Word (.docx)"), _office_hint()
        if b"xl/" in content:
            return _("bảng tính Excel (.xlsx)"), _office_hint()
        if b"ppt/" in content:
            return _("bản trình chiếu PowerPoint (.pptx)"), _office_hint()
        if b"application/vnd.oasis.opendocument" in head:
            return _("tài liệu OpenDocument"), _office_hint()
        return _("tệp nén ZIP"), _archive_hint()
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("tài liệu Office cũ (.doc, .xls)"), _office_hint()
    if head.startswith(b"Rar!\x1a\x07"):
        return _("tệp nén RAR"), _archive_hint()
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return _("tệp nén 7z"), _archive_hint()
    if head.startswith(b"\x1f\x8b"):
        return _("tệp nén GZIP"), _archive_hint()
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        return _("chương trình máy tính"), ""
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("ảnh GIF"), _image_hint()
    if head.startswith(b"BM"):
        return _("ảnh BMP"), _image_hint()
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _("ảnh TIFF"), _image_hint()
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _("ảnh WebP"), _image_hint()
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
        return _("ảnh HEIC/HEIF (định dạng ảnh của iPhone)"), _(
            "Hãy chuyển ảnh sang JPEG, hoặc trên iPhone chọn Cài đặt → Camera → Định dạng → Tương thích nhất."
        )
    if head.startswith(b"{\\rtf"):
        return _("văn bản RTF"), _office_hint()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text:
        return _("ảnh vector SVG"), _image_hint()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in text:
        return _("trang web (HTML)"), ""
    if text.startswith(b"<?xml"):
        return _("tệp XML"), ""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None, ""
    return _("văn bản thuần (text)"), ""


def _office_hint() -> str:
    return _("Hãy lưu tài liệu thành PDF (Tệp → Lưu thành → PDF) rồi tải lên lại.")


def _archive_hint() -> str:
    return _("Hãy giải nén và tải lên từng tệp PDF hoặc ảnh.")


def _image_hint() -> str:
    return _("Hãy lưu ảnh ở định dạng JPEG hoặc PNG rồi tải lên lại.")


def _kind_label(content_type: str) -> str:
    return {PDF: _("tệp PDF"), JPEG: _("ảnh JPEG"), PNG: _("ảnh PNG")}[content_type]


def _mb(size: int, *, decimals: bool) -> str:
    """Format a size in MB the Vietnamese way (decimal comma): 30,0 or 10."""
    value = size / MB
    if not decimals and value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


# --- Reading -----------------------------------------------------------------------------


def _declared_size(data: _Readable) -> int | None:
    size = getattr(data, "size", None)
    if isinstance(size, int):
        return size
    seek, tell = getattr(data, "seek", None), getattr(data, "tell", None)
    if seek is None or tell is None:
        return None
    try:
        start = tell()
        end = seek(0, io.SEEK_END)
        seek(start)
    except (OSError, ValueError):
        return None
    return int(end) - int(start) if isinstance(end, int) else None


def _read_limited(data: bytes | bytearray | memoryview | _Readable, *, display: str, max_bytes: int) -> bytes:
    """Read at most `max_bytes`, refusing as soon as the limit is passed."""
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
        if len(content) > max_bytes:
            raise _too_large(display, len(content), max_bytes)
        return content
    seek = getattr(data, "seek", None)
    if seek is not None:
        with contextlib.suppress(OSError, ValueError):
            seek(0)
    declared = _declared_size(data)
    if declared is not None and declared > max_bytes:
        raise _too_large(display, declared, max_bytes)
    buffer = bytearray()
    while True:
        chunk = data.read(CHUNK_SIZE)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > max_bytes:
            raise _too_large(display, None, max_bytes)
    return bytes(buffer)


def _too_large(display: str, size: int | None, max_bytes: int) -> ApplicationError:
    limit = _mb(max_bytes, decimals=False)
    if size is None:
        message = _("Tệp “%(name)s” vượt giới hạn %(limit)s MB.") % {"name": display, "limit": limit}
    else:
        message = _("Tệp “%(name)s” lớn %(size)s MB, vượt giới hạn %(limit)s MB.") % {
            "name": display,
            "size": _mb(size, decimals=True),
            "limit": limit,
        }
    hint = _("Hãy quét hoặc chụp lại với độ phân giải thấp hơn, hoặc chia thành nhiều tệp.")
    return ApplicationError(f"{message} {hint}", code="upload_too_large", extra={"size": size, "limit": max_bytes})


# --- PDF ---------------------------------------------------------------------------------


def _pdf_name(value: object) -> str | None:
    return str(value)[1:] if isinstance(value, pikepdf.Name) else None


def _pdf_containers(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary, stream and array in the file, nested direct ones included.

    Starts from every object in the cross-reference table, not only those reachable from the
    catalogue, in case a viewer's repair mode would find an unreferenced one.
    """
    stack: list[Any] = [pdf.trailer, *pdf.objects]
    walked = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            children = list(obj.stream_dict.values())
        elif isinstance(obj, pikepdf.Dictionary):
            children = list(obj.values())
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise ValueError("PDF too complex")
        yield obj
        # Indirect children are in `pdf.objects` and walked from there.
        stack.extend(
            child
            for child in children
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
        )


def _refused_names(obj: pikepdf.Object) -> set[str]:
    found = {str(key)[1:] for key in obj if str(key)[1:] in PDF_REFUSED_KEYS}
    for key in ("/S", "/Type", "/Subtype"):
        name = _pdf_name(obj.get(key))
        if name in PDF_REFUSED_VALUES:
            found.add(name)
    return found


def _action_types(action: object) -> set[str]:
    """The /S of an action and of every action chained to it by /Next."""
    types: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [action]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
            continue
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if (kind := _pdf_name(item.get("/S"))) is not None:
            types.add(kind)
        if "/Next" in item:
            stack.append(item.get("/Next"))
    return types


def _pdf_refused(display: str, found: set[str]) -> ApplicationError:
    labels = []
    if found & {"JavaScript", "JS"}:
        labels.append(_("mã JavaScript"))
    if found & {"Launch"}:
        labels.append(_("lệnh mở chương trình"))
    if found & {"EmbeddedFiles", "EmbeddedFile", "EF", "FileAttachment", "GoToE"}:
        labels.append(_("tệp đính kèm nhúng bên trong"))
    if found & {"RichMedia", "RichMediaContent", "RichMediaExecute", "Rendition"}:
        labels.append(_("nội dung đa phương tiện"))
    if found & {"XFA"}:
        labels.append(_("biểu mẫu XFA"))
    return ApplicationError(
        _(
            "Tệp “%(name)s” chứa %(what)s nên không thể nhận vì lý do an toàn. "
            "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) rồi tải lên lại."
        )
        % {"name": display, "what": ", ".join(labels)},
        code="upload_pdf_active_content",
        extra={"found": sorted(found)},
    )


def _pdf_broken(display: str) -> ApplicationError:
    return ApplicationError(
        _("Tệp “%(name)s” bị hỏng hoặc không phải PDF hợp lệ nên không đọc được. Hãy xuất lại tệp PDF rồi tải lên lại.")
        % {"name": display},
        code="upload_pdf_broken",
    )


def _pdf_encrypted(display: str) -> ApplicationError:
    return ApplicationError(
        _(
            "Tệp “%(name)s” được đặt mật khẩu hoặc mã hoá nên không thể kiểm tra và xử lý. "
            "Hãy gỡ mật khẩu (hoặc in ra một tệp PDF mới) rồi tải lên lại."
        )
        % {"name": display},
        code="upload_pdf_encrypted",
    )


def _decode_streams(pdf: pikepdf.Pdf) -> None:
    """Decode every stream once, so a decompression bomb meets the child's memory limit here
    rather than in an officer's viewer. Streams that do not decode are inert: viewers skip them."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        try:
            obj.read_bytes()
        except pikepdf.PdfError as exc:
            # qpdf reports an allocation over the child's memory limit as a decoding error.
            if "bad_alloc" in str(exc):
                raise MemoryError(str(exc)) from exc
        except NotImplementedError:
            pass


def _inspect_pdf(content: bytes, display: str) -> _Inspected:
    """Check a PDF, remove the actions it would take by itself, and return it with its page count.

    Refused: scripts, launching programs, embedded files, multimedia and XFA forms, anywhere in
    the file (see `PDF_REFUSED_KEYS`). Removed, the rest of the paper kept: every automatic action
    (/AA of the document, pages, annotations and form fields; an /OpenAction other than "go to a
    page"), and clicked actions that send data or open another file (`PDF_OUTGOING_ACTIONS`).
    Links to web addresses stay: a viewer asks before following one. A PDF with nothing to remove
    is kept byte for byte (so digital signatures stay valid); otherwise qpdf rewrites it, streams
    copied as they are.
    """
    if zipfile.is_zipfile(io.BytesIO(content)):
        # A PDF/ZIP polyglot: harmless as a PDF, but saved under another name it unpacks its
        # payload. The archive's directory sits at the end where PDF readers ignore it.
        raise ApplicationError(
            _(
                "Tệp “%(name)s” vừa là tệp PDF vừa là tệp nén ZIP nên không thể nhận vì lý do an toàn. "
                "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) rồi tải lên lại."
            )
            % {"name": display},
            code="upload_pdf_polyglot",
        )
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError as exc:
        raise _pdf_encrypted(display) from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise _pdf_broken(display) from exc
    with pdf:
        if pdf.is_encrypted:
            raise _pdf_encrypted(display)
        found: set[str] = set()
        removals: list[tuple[pikepdf.Object, str]] = []
        removed: set[str] = set()
        try:
            page_count = len(pdf.pages)
            for obj in _pdf_containers(pdf):
                if isinstance(obj, pikepdf.Array):
                    continue
                found |= _refused_names(obj)
                if "/AA" in obj:
                    removals.append((obj, "/AA"))
                    removed.add("AA")
                if "/A" in obj and (outgoing := _action_types(obj.get("/A")) & PDF_OUTGOING_ACTIONS):
                    removals.append((obj, "/A"))
                    removed |= outgoing
            open_action = pdf.Root.get("/OpenAction")
            if isinstance(open_action, pikepdf.Dictionary) and _action_types(open_action) - {"GoTo"}:
                removals.append((pdf.Root, "/OpenAction"))
                removed.add("OpenAction")
            _decode_streams(pdf)
        except MemoryError:
            raise
        except Exception as exc:
            raise _pdf_broken(display) from exc
        if page_count < 1:
            raise _pdf_broken(display)
        if found:
            raise _pdf_refused(display, found)
        if not removals:
            return _Inspected(content=content, page_count=page_count)
        for obj, key in removals:
            if key in obj:
                del obj[key]
        out = io.BytesIO()
        # Streams are copied without decoding: rewriting must not cost what a bomb would.
        pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True)
    return _Inspected(content=out.getvalue(), page_count=page_count, removed=tuple(sorted(removed)))


# --- Images ------------------------------------------------------------------------------


def _too_many_pixels(display: str, width: int | None, height: int | None) -> ApplicationError:
    limit = MAX_IMAGE_PIXELS // 1_000_000
    if width and height:
        message = _(
            "Ảnh “%(name)s” có kích thước %(width)d×%(height)d điểm ảnh, vượt giới hạn %(limit)d triệu điểm ảnh. "
            "Hãy giảm độ phân giải ảnh rồi tải lên lại."
        ) % {"name": display, "width": width, "height": height, "limit": limit}
    else:
        message = _(
            "Ảnh “%(name)s” vượt giới hạn %(limit)d triệu điểm ảnh. Hãy giảm độ phân giải ảnh rồi tải lên lại."
        ) % {"name": display, "limit": limit}
    return ApplicationError(message, code="upload_image_too_large_pixels", extra={"width": width, "height": height})


def _image_broken(display: str) -> ApplicationError:
    return ApplicationError(
        _("Ảnh “%(name)s” bị hỏng hoặc tải lên chưa trọn vẹn nên không đọc được. Hãy chụp hoặc chọn lại ảnh.")
        % {"name": display},
        code="upload_image_broken",
    )


def _png_header_size(content: bytes) -> tuple[int, int] | None:
    """Width and height from the PNG IHDR chunk, read before Pillow decodes anything."""
    if len(content) < 24 or content[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", content[16:24])
    return int(width), int(height)


def _check_pixels(display: str, width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(display, width, height)


def _open_image(content: bytes, content_type: str, display: str) -> Image.Image:
    """Open (header only) after the pixel-count check; the caller loads or verifies."""
    if content_type == PNG:
        size = _png_header_size(content)
        if size is None:
            raise _image_broken(display)
        _check_pixels(display, *size)
    try:
        image = Image.open(io.BytesIO(content), formats=["PNG" if content_type == PNG else "JPEG"])
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(display, None, None) from exc
    except Exception as exc:
        raise _image_broken(display) from exc
    try:
        _check_pixels(display, *image.size)
    except ApplicationError:
        image.close()
        raise
    return image


def _orientation(image: Image.Image) -> int | None:
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION)
    except Exception:
        return None
    return orientation if orientation in range(2, 9) else None


def _displayed_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    if _orientation(image) in (5, 6, 7, 8):
        return height, width
    return width, height


def _without_metadata(image: Image.Image, content_type: str) -> bytes:
    """Save the decoded image again carrying only its orientation and colour profile.

    Drops EXIF (the GPS position, the phone's serial number, the time taken), XMP, IPTC and
    comments. The EXIF orientation is kept rather than applied, so a JPEG keeps its quantisation
    tables ("keep": no visible loss) and is still shown upright.
    """
    keep: dict[str, Any] = {}
    if icc := image.info.get("icc_profile"):
        keep["icc_profile"] = icc
    if orientation := _orientation(image):
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = orientation
        keep["exif"] = exif.tobytes()
    out = io.BytesIO()
    if content_type == JPEG:
        image.save(out, "JPEG", quality="keep", subsampling="keep", comment=b"", **keep)
    else:
        image.save(out, "PNG", **keep)  # lossless; text, time and eXIf chunks are not copied
    return out.getvalue()


def _inspect_image(content: bytes, content_type: str, display: str) -> _Inspected:
    """Check an image decodes completely; return it without its metadata, and its displayed size."""
    image = _open_image(content, content_type, display)
    try:
        with image:
            image.verify()  # PNG: chunk checksums; must come straight after opening
        with _open_image(content, content_type, display) as image:
            width, height = _displayed_size(image)
            image.load()  # every byte decoded: a truncated or corrupt image fails here
            cleaned = _without_metadata(image, content_type)
    except ApplicationError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(display, None, None) from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise _image_broken(display) from exc
    return _Inspected(content=cleaned, width=width, height=height)


# --- Inspection --------------------------------------------------------------------------


def _inspect_content(content: bytes, content_type: str, display: str) -> _Inspected:
    """The parsing and cleaning part of the inspection, run in a bounded child."""
    if content_type == PDF:
        return _inspect_pdf(content, display)
    return _inspect_image(content, content_type, display)


def inspect_upload(
    *, name: str, data: bytes | bytearray | memoryview | _Readable, max_bytes: int | None = None
) -> InspectedFile:
    """Check an uploaded paper by its content and return it cleaned, with a safe name.

    The returned `content` is what to store: images without their metadata (GPS position…),
    PDFs without the actions they would take by themselves (see `_inspect_pdf`). `data` is
    bytes or anything with `read()` (a Django UploadedFile, an open file); it is read in chunks
    and refused as soon as it passes `max_bytes` (default `settings.MOTCUA_UPLOAD_MAX_BYTES`).
    Raises `ApplicationError` with codes upload_empty,
    upload_too_large, upload_type_not_allowed, upload_type_mismatch, upload_pdf_encrypted,
    upload_pdf_broken, upload_pdf_active_content, upload_pdf_polyglot, upload_image_broken,
    upload_image_too_large_pixels, upload_too_complex (parsing took more than the CPU time or
    memory allowed, see `bounded.run_bounded`).
    """
    limit = settings.MOTCUA_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    display = safe_file_name(name)
    content = _read_limited(data, display=display, max_bytes=limit)
    if not content:
        raise ApplicationError(
            _("Tệp “%(name)s” rỗng (0 byte). Hãy chọn lại tệp.") % {"name": display}, code="upload_empty"
        )

    content_type = _sniff(content[:16])
    if content_type is None:
        kind, hint = _describe_other(content)
        if kind is None:
            message = _("Tệp “%(name)s” không phải tệp PDF, ảnh JPEG hay PNG.") % {"name": display}
        else:
            message = _("Tệp “%(name)s” là %(kind)s, không phải tệp PDF, ảnh JPEG hay PNG.") % {
                "name": display,
                "kind": kind,
            }
        accepted = _("Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.")
        raise ApplicationError(
            " ".join(part for part in (message, accepted, hint) if part),
            code="upload_type_not_allowed",
            extra={"detected": kind},
        )

    canonical = CANONICAL_EXTENSIONS[content_type]
    _stem, claimed = _split_extension(display)
    if claimed in KNOWN_EXTENSIONS and claimed not in EXTENSION_ALIASES[content_type]:
        raise ApplicationError(
            _(
                "Tệp “%(name)s” có đuôi .%(claimed)s nhưng nội dung thực ra là %(kind)s. "
                "Hãy kiểm tra lại có chọn đúng tệp không, hoặc đổi đuôi tên tệp thành .%(expected)s rồi tải lên lại."
            )
            % {"name": display, "claimed": claimed, "kind": _kind_label(content_type), "expected": canonical},
            code="upload_type_mismatch",
            extra={"claimed": claimed, "detected": content_type},
        )

    inspected = run_bounded(_inspect_content, content, content_type, display, display=display)
    return InspectedFile(
        content=inspected.content,
        content_type=content_type,
        extension=canonical,
        size=len(inspected.content),
        sha256=hashlib.sha256(inspected.content).hexdigest(),
        safe_name=safe_file_name(name, extension=canonical),
        page_count=inspected.page_count,
        width=inspected.width,
        height=inspected.height,
        removed=inspected.removed,
    )


# --- Phone photos to PDF -----------------------------------------------------------------


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or greyscale, transparency composed on white paper."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


# Each photo on an A4 page of its own shape, shown as large as the printable area allows and
# centred; small photos are enlarged by the viewer, not resampled, so they cost no extra bytes.
_A4_LAYOUT = img2pdf.get_layout_fun(
    pagesize=A4_POINTS,
    border=(PDF_MARGIN_POINTS, PDF_MARGIN_POINTS),
    fit=img2pdf.FitMode.into,
    auto_orient=True,
)


def _page_jpeg(image: Image.Image) -> bytes:
    """Resample to at most 150 dpi in A4's printable area; JPEG with no metadata."""
    page_w, page_h = (A4_POINTS[1], A4_POINTS[0]) if image.width > image.height else A4_POINTS
    box_w, box_h = page_w - 2 * PDF_MARGIN_POINTS, page_h - 2 * PDF_MARGIN_POINTS
    max_px_w, max_px_h = round(box_w / 72 * PDF_DPI), round(box_h / 72 * PDF_DPI)
    if image.width > max_px_w or image.height > max_px_h:
        scale = min(max_px_w / image.width, max_px_h / image.height)
        target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=PDF_JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def images_to_pdf(images: list[bytes], *, names: list[str] | None = None) -> bytes:
    """Join phone photos (JPEG or PNG) into one A4 PDF, one page per photo.

    Each photo is turned upright (EXIF orientation), placed on a portrait or landscape A4 page
    to match its shape, resampled to at most 150 dpi and re-encoded as JPEG (quality 80), so a
    12-megapixel photo takes a few hundred kilobytes; img2pdf embeds that JPEG as it is. EXIF
    data (GPS position included) is not copied. `names` label the photos in error messages.
    Decoding runs in a child process under the upload inspection limits. Raises
    `ApplicationError`: images_none, images_too_many, upload_type_not_allowed,
    upload_image_broken, upload_image_too_large_pixels, upload_too_complex.
    """
    display = ", ".join(safe_file_name(name) for name in names) if names else _("các ảnh đã chọn")
    return run_bounded(_join_images, images, names, display=display)


def _join_images(images: list[bytes], names: list[str] | None) -> bytes:
    if not images:
        raise ApplicationError(_("Chưa có ảnh nào để ghép thành tệp PDF."), code="images_none")
    if len(images) > MAX_IMAGES_PER_PDF:
        raise ApplicationError(
            _("Chỉ ghép được tối đa %(max)d ảnh vào một tệp PDF; bạn đã chọn %(count)d ảnh.")
            % {"max": MAX_IMAGES_PER_PDF, "count": len(images)},
            code="images_too_many",
        )
    pages: list[bytes] = []
    for index, content in enumerate(images, start=1):
        given = names[index - 1] if names and index <= len(names) else ""
        display = safe_file_name(given) if given else _("ảnh số %(n)d") % {"n": index}
        content_type = _sniff(content[:16])
        if content_type not in (JPEG, PNG):
            raise ApplicationError(
                _("“%(name)s” không phải ảnh JPEG hay PNG nên không ghép được vào tệp PDF.") % {"name": display},
                code="upload_type_not_allowed",
            )
        image = _open_image(content, content_type, display)
        try:
            with image:
                if content_type == JPEG:
                    # Decode straight at 1/2, 1/4 or 1/8 scale, keeping both sides at least the
                    # printable area's short side: the fitted image never needs more pixels than
                    # that on its short side, whatever its rotation, and a 12 MP photo then takes
                    # a quarter of the memory.
                    shortest = round((A4_POINTS[0] - 2 * PDF_MARGIN_POINTS) / 72 * PDF_DPI)
                    image.draft(image.mode, (shortest, shortest))
                upright = ImageOps.exif_transpose(image) or image
                pages.append(_page_jpeg(_flatten(upright)))
        except ApplicationError:
            raise
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(display, None, None) from exc
        except Exception as exc:
            raise _image_broken(display) from exc
    return img2pdf.convert(pages, layout_fun=_A4_LAYOUT)


# --- Serving -----------------------------------------------------------------------------

_SERVED_TYPES: dict[str, str] = {
    ext: content_type for content_type, aliases in EXTENSION_ALIASES.items() for ext in aliases
}


def _ascii_fallback(name: str) -> str:
    """For clients that ignore filename*: Vietnamese without accents, only safe characters."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", ascii_only).strip(" ._")
    return cleaned or FALLBACK_NAME


def content_disposition(download_name: str, *, inline: bool) -> str:
    """RFC 6266 header with an ASCII fallback and the exact UTF-8 name (RFC 5987 filename*)."""
    name = safe_file_name(download_name)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def private_file_response(*, file: FieldFile, download_name: str, inline: bool) -> HttpResponseBase:
    """Serve a stored file the caller has already checked the user may see.

    Local (and any other non-S3) storage: streamed by Django. S3 storage with signed URLs: a
    redirect to a presigned URL valid for the storage's `querystring_expire` seconds, S3
    being told the same name, type and no-cache policy. Only PDF, JPEG and PNG are shown
    inline; anything else is always a download.
    """
    name = safe_file_name(download_name)
    _stem, ext = _split_extension(name)
    content_type = _SERVED_TYPES.get(ext, "application/octet-stream")
    inline = inline and content_type != "application/octet-stream"
    disposition = content_disposition(name, inline=inline)
    storage = file.storage
    if not file.name:
        raise Http404(_("Không tìm thấy tệp."))

    # Imported here: boto3 is slow to import and only production uses it.
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage) and storage.querystring_auth:
        url = storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "private, no-store"
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect

    try:
        handle = storage.open(file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Không tìm thấy tệp.")) from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if not (inline and content_type == PDF):
        # A sandboxed document cannot run scripts or reach our origin. Not for PDFs shown
        # inline: Chrome and Safari refuse to start their PDF viewer in a sandbox (no token
        # re-enables it), and Chrome strips CSP from PDF responses anyway. Such PDFs were
        # refused at upload if they held JavaScript.
        response["Content-Security-Policy"] = "sandbox"
    return response
