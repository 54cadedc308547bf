"""Demo citizens (fictional people of the demo population registry) with verified phones; Hùng
lives in the ward the demo commune staff serve (`directory.demo.demo_commune`)."""

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import CitizenProfile
from motcua.core.audit import audit_record
from motcua.core.text import fold
from motcua.directory.demo import DEMO_PASSWORD
from motcua.directory.models import AdministrativeUnit
from motcua.documents.models import StoredDocument
from motcua.documents.pdf import render_pdf
from motcua.dossiers.demo_answers import DEMO_HOME_UNIT

DEMO_CITIZENS = [
    # (phone, full name, ID number, birth date, commune code, address detail, e-mail)
    (
        "0912345678",
        "Nguyễn Văn Hùng",
        "066094000103",
        "1994-03-12",
        DEMO_HOME_UNIT,
        "Số 12 Y Ngông",
        "hung.demo@example.vn",
    ),
    ("0987654321", "H'Lan Niê", "066181000202", "1981-07-02", "24280", "Buôn Ea Kmar", ""),
]


def demo_citizens_ensure(*, actor: Any, password: str | None = DEMO_PASSWORD) -> list[Any]:
    """Create the demo citizens once, with a birth certificate (giấy chứng sinh) in Hùng's store;
    with `password`, or with no usable password when None."""
    User = get_user_model()
    users = []
    for phone, full_name, id_number, birth_date, unit_code, detail, email in DEMO_CITIZENS:
        with transaction.atomic():
            user = User.objects.filter(username=phone).first()
            if user is None:
                family, _, given = full_name.rpartition(" ")
                user = User.objects.create_user(
                    username=phone, password=password, first_name=given, last_name=family, email=email
                )
                CitizenProfile.objects.create(
                    user=user,
                    full_name=full_name,
                    birth_date=birth_date,
                    id_number=id_number,
                    phone=phone,
                    phone_verified_at=timezone.now(),
                    email=email,
                    address_unit=AdministrativeUnit.objects.filter(code=unit_code).first(),
                    address_detail=detail,
                )
                audit_record(actor=actor, action="citizen.demo_create", obj=user)
            users.append(user)
    _store_birth_certificate(users[0])
    return users


def _store_birth_certificate(user: Any) -> None:
    title = "Giấy chứng sinh"
    if StoredDocument.objects.filter(owner=user, title=title).exists():
        return
    pdf = render_pdf(template="documents/demo_birth_certificate.html", context={"father": user.citizen.full_name})
    document = StoredDocument(
        owner=user,
        title=title,
        title_folded=fold(title),
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save("giay-chung-sinh.pdf", ContentFile(pdf), save=False)
    document.save()
