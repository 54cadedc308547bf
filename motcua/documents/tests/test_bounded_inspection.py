"""Uploads are inspected in a child process under hard CPU-time and memory limits.

A parser flaw (pypdf 6.1.1 spent 17 s of CPU on a 16.7 KB PDF) must cost one refusal, not a
web worker. The inspectors below stand in for the next such flaw: they are sent to the child by
name, so they are module-level functions.
"""

import io
import struct
import time
import zlib
from typing import Any

import pytest
from PIL import Image

from motcua.core.errors import ApplicationError
from motcua.core.testing import small_pdf
from motcua.documents import bounded, files
from motcua.documents.files import images_to_pdf, inspect_upload

# The worst file may keep the caller waiting for the CPU limit plus the wall-clock grace, plus
# starting the child (about 50 ms warm, under 2 s for the forkserver's first start), plus a
# margin for a busy test machine.
CPU_SECONDS = 1
WORST_WAIT_SECONDS = CPU_SECONDS + bounded.WALL_GRACE_SECONDS + 3.0


def spinning_inspector(content: bytes, content_type: str, display: str) -> Any:
    """A parser caught in an endless loop, as a quadratic-time flaw looks from outside."""
    while True:
        pass


def sleeping_inspector(content: bytes, content_type: str, display: str) -> Any:
    """A parser blocked without using CPU: only the parent's deadline stops it."""
    time.sleep(60)


def hungry_inspector(content: bytes, content_type: str, display: str) -> Any:
    """A parser that allocates without end, as a decompression flaw does."""
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def expected_message(name: str, seconds: int, memory_mb: int) -> str:
    return (
        f"Tệp quá phức tạp để kiểm tra: “{name}” cần hơn {seconds} giây xử lý hoặc {memory_mb} MB bộ nhớ. "
        "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) hoặc chụp lại ảnh rồi tải lên lại."
    )


def huge_png(width: int, height: int) -> bytes:
    """A valid all-black RGB PNG: a few hundred KB that decode to width × height × 4 bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def warm_forkserver() -> None:
    """The bound is measured from a started forkserver, as in a web worker (see motcua/wsgi.py)."""
    assert bounded.run_bounded(len, b"abc", display="") == 3


@pytest.fixture
def limits(settings: Any, warm_forkserver: None) -> Any:
    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = CPU_SECONDS
    settings.MOTCUA_UPLOAD_INSPECT_MEMORY_MB = 64
    return settings


def refused_within_bound(name: str, data: bytes) -> ApplicationError:
    started = time.monotonic()
    with pytest.raises(ApplicationError) as refused:
        inspect_upload(name=name, data=data)
    elapsed = time.monotonic() - started
    assert elapsed < WORST_WAIT_SECONDS, f"the caller waited {elapsed:.1f} s"
    return refused.value


def test_an_inspection_that_spins_is_stopped_by_the_cpu_limit(limits: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(files, "_inspect_content", spinning_inspector)
    error = refused_within_bound("to-khai.pdf", small_pdf())
    assert error.code == "upload_too_complex"
    assert error.message == expected_message("to-khai.pdf", CPU_SECONDS, 64)


def test_an_inspection_that_blocks_is_stopped_by_the_wall_clock_deadline(limits: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(files, "_inspect_content", sleeping_inspector)
    assert refused_within_bound("anh.jpg", image_bytes("JPEG")).code == "upload_too_complex"


def test_an_inspection_that_allocates_without_end_is_stopped_by_the_memory_limit(
    settings: Any, monkeypatch: Any, warm_forkserver: None
) -> None:
    """With the default 512 MB: the child fails to allocate, long before the machine runs out."""
    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = 5
    monkeypatch.setattr(files, "_inspect_content", hungry_inspector)
    started = time.monotonic()
    with pytest.raises(ApplicationError) as refused:
        inspect_upload(name="to-khai.pdf", data=small_pdf())
    assert time.monotonic() - started < 5 + bounded.WALL_GRACE_SECONDS + 3.0
    assert refused.value.message == expected_message("to-khai.pdf", 5, 512)


def test_a_png_that_decodes_to_more_memory_than_allowed_is_refused(limits: Any) -> None:
    """64 megapixels is under the pixel limit, but decoding takes 256 MB, over the 64 MB allowed here.

    Before the inspection ran in a bounded child this file was accepted, whatever it cost.
    """
    png = huge_png(8000, 8000)
    assert len(png) < 1024 * 1024
    error = refused_within_bound("mat-truoc.png", png)
    assert error.code == "upload_too_complex"
    assert error.message == expected_message("mat-truoc.png", CPU_SECONDS, 64)


def test_refusals_from_the_child_keep_their_code_and_message(limits: Any) -> None:
    """The checks themselves still run, in the child, and their refusals come back unchanged."""
    with pytest.raises(ApplicationError) as refused:
        inspect_upload(name="hong.jpg", data=image_bytes("JPEG")[:200])
    assert refused.value.code == "upload_image_broken"
    assert "“hong.jpg” bị hỏng" in refused.value.message


def test_normal_files_pass_under_the_limits(limits: Any) -> None:
    assert inspect_upload(name="to-khai.pdf", data=small_pdf()).page_count == 1
    photo = inspect_upload(name="anh.jpg", data=image_bytes("JPEG"))
    assert (photo.width, photo.height) == (64, 48)
    assert inspect_upload(name="anh.png", data=image_bytes("PNG")).content_type == "image/png"
    joined = images_to_pdf([image_bytes("JPEG"), image_bytes("PNG")], names=["a.jpg", "b.png"])
    assert inspect_upload(name="ghep.pdf", data=joined).page_count == 2


def test_joining_photos_is_bounded_too(limits: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        images_to_pdf([huge_png(8000, 8000)], names=["mat-truoc.png"])
    assert refused.value.code == "upload_too_complex"
