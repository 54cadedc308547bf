"""The demo citizen's answers to the birth-registration e-form (procedure 1.001193).

Kept apart from the demo loader and free of Django imports, so the sample dossiers, the
production-profile tests and the production benchmark all submit the same answers.
"""

from typing import Any

DEMO_HOME_UNIT = "24121"  # the ward of the demo citizens' address


def birth_registration_answers(child: str, *, birth_unit: str, home_unit: str = DEMO_HOME_UNIT) -> dict[str, Any]:
    """Nguyễn Văn Hùng registers `child`, born at a hospital of `birth_unit`; the mother is declared."""
    home = {"unit": home_unit, "detail": "Số 12 Y Ngông"}
    return {
        "applicant_full_name": "Nguyễn Văn Hùng",
        "applicant_id_number": "066094000103",
        "applicant_residence": home,
        "applicant_relationship": "cha",
        "child_full_name": child,
        "child_birth_date": "2026-11-20",
        "child_gender": "nam",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "birth_place_kind": "co_so_y_te",
        "birth_facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
        "birth_place": {"unit": birth_unit, "detail": "184 Trần Quý Cáp"},
        "birth_proof_kind": "chung_sinh_dien_tu",
        "surrogacy": False,
        "self_birth_year": 1994,
        "self_ethnicity": "Kinh",
        "self_nationality": "Việt Nam",
        "other_parent_status": "khai",
        "other_parent_full_name": "Trần Thị Mai",
        "other_parent_birth_year": 1996,
        "other_parent_ethnicity": "Kinh",
        "other_parent_nationality": "Việt Nam",
        "other_parent_residence": home,
    }
