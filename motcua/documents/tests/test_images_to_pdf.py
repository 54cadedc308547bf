"""Phone photos of a paper are joined into one A4 PDF of reasonable size, upright, one page each."""

import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader

from motcua.core.errors import ApplicationError
from motcua.documents.files import MAX_IMAGES_PER_PDF, images_to_pdf, inspect_upload

A4_PORTRAIT = (595.28, 841.89)


def encode(image: Image.Image, fmt: str = "JPEG", **save: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def photo(size: tuple[int, int] = (400, 300), colour: str = "white") -> bytes:
    return encode(Image.new("RGB", size, colour))


def phone_photo_12mp() -> bytes:
    """A 4000×3000 photo with texture (gradient and sensor noise), as a phone would send it."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 12)
    rgb = Image.merge("RGB", (gradient, Image.blend(gradient, noise, 0.3), noise))
    return encode(rgb, quality=92)


def page_size(reader: PdfReader, index: int) -> tuple[float, float]:
    box = reader.pages[index].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def page_image(reader: PdfReader, index: int) -> Image.Image:
    images = reader.pages[index].images
    assert len(images) == 1
    image = images[0].image
    assert image is not None
    return image


def test_one_a4_page_per_photo() -> None:
    """Each photo becomes one A4 page: portrait photos on portrait pages, landscape on landscape."""
    pdf = images_to_pdf([photo((300, 400)), photo((400, 300)), encode(Image.new("RGB", (50, 50)), "PNG")])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert page_size(reader, 0) == A4_PORTRAIT
    assert page_size(reader, 1) == (A4_PORTRAIT[1], A4_PORTRAIT[0])
    assert page_size(reader, 2) == A4_PORTRAIT


def test_the_result_passes_upload_inspection() -> None:
    """The joined PDF is itself an acceptable upload: valid, no active content, right page count."""
    pdf = images_to_pdf([photo(), photo()])
    inspected = inspect_upload(name="anh-ghep.pdf", data=pdf)
    assert inspected.page_count == 2


def test_a_12_megapixel_photo_becomes_a_reasonable_size() -> None:
    """A 12 MP phone photo is resampled to at most 150 dpi on A4 and re-encoded, well under 1 MB."""
    original = phone_photo_12mp()
    pdf = images_to_pdf([original])
    assert len(pdf) < 1024 * 1024
    assert len(pdf) < len(original) / 2
    image = page_image(PdfReader(io.BytesIO(pdf)), 0)
    # Landscape A4 less 5 mm margins at 150 dpi is about 1695×1181 pixels.
    assert image.width <= 1700 and image.height <= 1185
    assert image.size == (1575, 1181)


def test_small_photos_are_not_enlarged_in_pixels() -> None:
    """A small photo keeps its pixels (the viewer scales it up); no bytes are wasted upscaling."""
    pdf = images_to_pdf([photo((200, 100))])
    assert page_image(PdfReader(io.BytesIO(pdf)), 0).size == (200, 100)


def test_exif_orientation_is_respected() -> None:
    """A photo stored sideways with EXIF orientation 6 appears upright on a portrait page."""
    stored = Image.new("RGB", (400, 200), "blue")
    stored.paste((255, 0, 0), (0, 0, 200, 200))  # left half red as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise: the stored left edge becomes the top
    pdf = images_to_pdf([encode(stored, exif=exif.tobytes(), quality=95)])
    reader = PdfReader(io.BytesIO(pdf))
    assert page_size(reader, 0) == A4_PORTRAIT
    shown = page_image(reader, 0).convert("RGB")
    assert shown.size == (200, 400)
    top_r, _top_g, top_b = shown.getpixel((100, 50))  # type: ignore[misc]
    bottom_r, _bottom_g, bottom_b = shown.getpixel((100, 350))  # type: ignore[misc]
    assert top_r > 200 and top_b < 60
    assert bottom_b > 200 and bottom_r < 60


def test_transparent_png_is_placed_on_white_paper() -> None:
    """Transparent areas of a PNG screenshot become white, not black."""
    pdf = images_to_pdf([encode(Image.new("RGBA", (100, 100), (0, 0, 0, 0)), "PNG")])
    assert page_image(PdfReader(io.BytesIO(pdf)), 0).convert("RGB").getpixel((50, 50)) == (255, 255, 255)


def test_greyscale_and_16_bit_images_are_accepted() -> None:
    """Greyscale scans stay greyscale; 16-bit PNGs (some scanner apps) are converted."""
    grey = encode(Image.new("L", (100, 100), 128))
    deep = encode(Image.new("I;16", (100, 100), 40000), "PNG")
    reader = PdfReader(io.BytesIO(images_to_pdf([grey, deep])))
    assert page_image(reader, 0).mode == "L"
    assert page_image(reader, 1).getpixel((10, 10)) == pytest.approx(156, abs=2)


def test_gps_and_other_exif_data_are_not_copied() -> None:
    """Re-encoding drops EXIF, so a photo's GPS position does not travel with the dossier."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    pdf = images_to_pdf([encode(Image.new("RGB", (64, 64)), exif=exif.tobytes())])
    assert b"PhoneMaker" not in pdf


def test_more_than_20_photos_are_refused() -> None:
    """At most 20 photos go into one PDF."""
    images_to_pdf([photo((20, 20))] * MAX_IMAGES_PER_PDF)
    with pytest.raises(ApplicationError) as caught:
        images_to_pdf([photo((20, 20))] * (MAX_IMAGES_PER_PDF + 1))
    assert caught.value.code == "images_too_many"
    assert "tối đa 20 ảnh" in caught.value.message


def test_no_photo_is_refused() -> None:
    """An empty list is refused with a message, not an empty PDF."""
    with pytest.raises(ApplicationError) as caught:
        images_to_pdf([])
    assert caught.value.code == "images_none"


def test_non_images_are_refused_with_their_position() -> None:
    """A PDF or any other file among the photos is refused, naming which one."""
    with pytest.raises(ApplicationError) as caught:
        images_to_pdf([photo(), b"%PDF-1.4 ..."])
    assert caught.value.code == "upload_type_not_allowed"
    assert "ảnh số 2" in caught.value.message


def test_given_names_label_the_photos_in_messages() -> None:
    """With `names`, messages use the citizen's own file names."""
    with pytest.raises(ApplicationError) as caught:
        images_to_pdf([photo(), photo()[:200]], names=["mat-truoc.jpg", "mat-sau.jpg"])
    assert caught.value.code == "upload_image_broken"
    assert "“mat-sau.jpg”" in caught.value.message


def test_decompression_bombs_are_refused() -> None:
    """A PNG declaring 50000×50000 pixels is refused before any decoding."""
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
    with pytest.raises(ApplicationError) as caught:
        images_to_pdf([bomb])
    assert caught.value.code == "upload_image_too_large_pixels"


def test_pillow_keeps_its_own_pixel_limit_beside_ours() -> None:
    """img2pdf can lift Pillow's decompression-bomb limit (its command line's --pillow-limit-break);
    imported as a library it must not, so both limits stay in force in the inspection child."""
    import img2pdf  # noqa: F401

    from motcua.documents.files import MAX_IMAGE_PIXELS

    assert Image.MAX_IMAGE_PIXELS is not None
    assert MAX_IMAGE_PIXELS <= Image.MAX_IMAGE_PIXELS
