"""Builders for tests: small, valid catalogue documents and directory rows."""

import copy
import string
from typing import Any

from motcua.catalog.exchange import FORMAT_ID
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency

BIRTH = {
    "code": "1.001193",
    "name": "Thủ tục đăng ký khai sinh",
    "field": "G15-TP07",
    "level": "commune",
    "implementing_agency": "Ủy ban nhân dân cấp xã",
    "managing_agency": "STP",
    "processing_time": 1,
    "processing_time_unit": "working_day",
    "online_level": "full",
    "fees": [{"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": 0, "description": "Miễn khi đúng hạn"}],
    "components": [{"name": "Tờ khai đăng ký khai sinh", "original_copies": 1, "copy_copies": 0, "required": True}],
    "steps": ["Nộp hồ sơ", "Nhận kết quả"],
    "results": ["Giấy khai sinh"],
    "legal_basis": [{"number": "60/2014/QH13", "title": "Luật Hộ tịch"}],
}


def procedure(code: str, name: str, **overrides: Any) -> dict[str, Any]:
    item = copy.deepcopy(BIRTH)
    item.update(code=code, name=name, **overrides)
    return item


def catalog_document(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT_ID,
        "fields": [
            {"code": "G15-TP07", "name": "Hộ tịch", "managing_agency": "STP"},
            {"code": "XD", "name": "Hoạt động xây dựng"},
        ],
        "procedures": list(procedures) or [copy.deepcopy(BIRTH)],
    }


def directory_minimal() -> dict[str, Agency]:
    """A province, one ward, the justice department, the service centre and a ward committee,
    each with a tax code and a receipt series in use."""
    from motcua.payments.receipts import receipt_series_ensure

    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    ward = AdministrativeUnit.objects.create(code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province)
    agencies = {
        "STP": Agency.objects.create(
            code="STP", electronic_id="000.00.01.H15", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, unit=province
        ),
        "TTPVHCC": Agency.objects.create(
            code="TTPVHCC",
            electronic_id="000.00.99.H15",
            name="Trung tâm Phục vụ hành chính công",
            kind=AgencyKind.SERVICE_CENTRE,
            unit=province,
        ),
        "UBND-24121": Agency.objects.create(
            code="UBND-24121",
            electronic_id="000.01.50.H15",
            name="UBND phường Tân Lập",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            unit=ward,
        ),
    }
    for number, agency in enumerate(agencies.values(), start=1):
        agency.tax_code = f"60990000{number:02d}"
        agency.save(update_fields=["tax_code"])
        receipt_series_ensure(agency=agency, actor="test")
    return agencies


def load_catalog(*procedures: dict[str, Any]) -> None:
    """The minimal directory plus a catalogue of `procedures` (birth registration if none)."""
    from motcua.catalog.services import catalog_import

    directory_minimal()
    catalog_import(actor="test", document=catalog_document(*procedures))


BIRTH_WITH_PARENTS = procedure("1.000689", "Thủ tục đăng ký khai sinh kết hợp nhận cha, mẹ, con")
DEATH = procedure("1.000656", "Thủ tục đăng ký khai tử", results=["Trích lục khai tử"])


# The production profile's environment with every safety refusal satisfied (motcua.conf.safety):
# tests that load the profile add what they need and spoil one thing at a time.
PRODUCTION_SAFE_ENV = {
    "DJANGO_SECRET_KEY": "test-key-" + string.ascii_letters,
    "DJANGO_ALLOWED_HOSTS": "dvc.example",
    "MOTCUA_PUBLIC_URL": "https://dvc.example",
    "POSTGRES_PASSWORD": "test-password",  # ignored by a server that trusts the tests' connections
}

CITIZEN_PASSWORD = "demo@2026"  # noqa: S105 - test fixture


def citizen(
    *, phone: str = "0912345678", id_number: str = "066094000103", unit_code: str = "24121", email: str = ""
) -> Any:
    """A citizen with a verified phone, living in `unit_code`."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from motcua.accounts.models import CitizenProfile

    user = get_user_model().objects.create_user(
        username=phone, password=CITIZEN_PASSWORD, first_name="Hùng", last_name="Nguyễn Văn"
    )
    CitizenProfile.objects.create(
        user=user,
        full_name="Nguyễn Văn Hùng",
        id_number=id_number,
        phone=phone,
        phone_verified_at=timezone.now(),
        email=email,
        address_unit=AdministrativeUnit.objects.filter(code=unit_code).first(),
    )
    return user


def small_pdf() -> bytes:
    """A real one-page PDF, as a scanner would produce."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, format="PDF")
    return out.getvalue()
