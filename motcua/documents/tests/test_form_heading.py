"""The agency's name in the heading of the national forms: one name part a line, place names
never broken, a step smaller rather than broken when it is long."""

from types import SimpleNamespace

from motcua.documents.templatetags.pdf_forms import NBSP, heading_lines

PROVINCE = SimpleNamespace(name="Tỉnh Đắk Lắk", parent=None)


def _ward(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, parent=PROVINCE)


def test_the_place_name_is_a_line_of_its_own_that_never_breaks() -> None:
    assert heading_lines("Ủy ban nhân dân phường Tuy Hòa", _ward("Phường Tuy Hòa")) == (
        ["Ủy ban nhân dân", f"phường{NBSP}Tuy{NBSP}Hòa"],
        12,
    )
    # The province among the unit's parents.
    assert heading_lines("Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk", PROVINCE)[0][-1] == f"tỉnh{NBSP}Đắk{NBSP}Lắk"
    # Only the whole name of the unit.
    assert heading_lines("Ủy ban nhân dân phường Tân An", _ward("Phường An"))[0] == ["Ủy ban nhân dân phường Tân An"]


def test_a_long_name_is_set_a_step_smaller_and_cut_between_words_only_then() -> None:
    lines, size = heading_lines("Trung tâm Phục vụ hành chính công phường Buôn Ma Thuột", _ward("Phường Buôn Ma Thuột"))
    assert (lines, size) == (["Trung tâm Phục vụ", "hành chính công", f"phường{NBSP}Buôn{NBSP}Ma{NBSP}Thuột"], 11)
    assert heading_lines("Sở Nông nghiệp và Môi trường", PROVINCE) == (["Sở Nông nghiệp và Môi trường"], 11)
    # After a comma rather than inside "Thể thao".
    assert heading_lines("Sở Văn hóa, Thể thao và Du lịch", PROVINCE)[0] == ["Sở Văn hóa,", "Thể thao và Du lịch"]
