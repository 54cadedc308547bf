"""A catalogue with one procedure per kind of exchange, a citizen, a reception officer, dossiers."""

from typing import Any

import pytest
from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.catalog.services import catalog_import
from motcua.core.testing import BIRTH, catalog_document, citizen, directory_minimal, procedure
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.exchange.testing import exchange_simulator  # noqa: F401
from motcua.integrations.testing import HUNG, MAI

BUSINESS = procedure("2.001610", "Đăng ký thành lập doanh nghiệp tư nhân", field="DKDN")
RESIDENCE = procedure("1.004194", "Đăng ký tạm trú", field="CUTRU")
BUILDING = procedure("1.013225", "Cấp giấy phép xây dựng", field="XD")


@pytest.fixture
def versions(db: Any) -> dict[str, Any]:
    """Current versions by kind: birth (civil status), business, residence, building (no system)."""
    directory_minimal()
    document = catalog_document(BIRTH, BUSINESS, RESIDENCE, BUILDING)
    document["fields"] += [
        {"code": "DKDN", "name": "Thành lập và hoạt động doanh nghiệp"},
        {"code": "CUTRU", "name": "Đăng ký, quản lý cư trú"},
    ]
    catalog_import(actor="test", document=document)
    codes = {"birth": BIRTH["code"], "business": "2.001610", "residence": "1.004194", "building": "1.013225"}
    return {kind: Procedure.objects.get(code=code).current_version for kind, code in codes.items()}


@pytest.fixture
def hung(versions: Any) -> Any:
    return citizen(id_number=HUNG)


@pytest.fixture
def mai(versions: Any) -> Any:
    return citizen(phone="0912000104", id_number=MAI)


@pytest.fixture
def reception(versions: Any) -> Any:
    return officer("tiepnhan")


def received_dossier(*, version: Any, applicant: Any, officer: Any) -> Any:
    dossier = submitted_dossier(applicant=applicant, version=version)
    dossier_accept(dossier=dossier, officer=officer, revision=dossier.revision)
    dossier.refresh_from_db()
    return dossier


def result_issued(dossier: Any) -> None:
    """Move a received dossier to "processed": the RESULT_ISSUED event, in its transaction."""
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.PROCESSED, actor="Kiểm thử")
