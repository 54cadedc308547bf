"""Search folds Vietnamese: accents, case and đ/d are ignored."""

import pytest

from motcua.core.text import fold, search_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("đăng ký khai sinh", "dang ky khai sinh"),
        ("Đắk Lắk", "dak lak"),
        ("  Chứng thực   bản sao, từ bản chính! ", "chung thuc ban sao tu ban chinh"),
        ("Mã 1.001193", "ma 1.001193"),
    ],
)
def test_fold_removes_accents_case_and_d_stroke(text: str, expected: str) -> None:
    """The folded form is what both databases compare, so it must fold đ too."""
    assert fold(text) == expected


def test_decomposed_and_composed_input_fold_the_same() -> None:
    """A phone keyboard may send NFD; the result must match NFC input."""
    import unicodedata

    text = "Hộ tịch"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text)) == "ho tich"


def test_search_terms_deduplicate_in_order() -> None:
    assert search_terms("Khai sinh KHAI sinh đăng") == ["khai", "sinh", "dang"]
