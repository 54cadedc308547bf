"""A citizen's attachment whose inspection passes the CPU or memory bound is refused and not stored."""

from pathlib import Path
from typing import Any

import pytest

from motcua.core.errors import ApplicationError
from motcua.core.testing import small_pdf
from motcua.documents import files
from motcua.documents.tests.test_bounded_inspection import (  # noqa: F401  (warm_forkserver is a fixture)
    WORST_WAIT_SECONDS,
    huge_png,
    spinning_inspector,
    warm_forkserver,
)
from motcua.dossiers import services

pytestmark = pytest.mark.django_db


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def media(settings: Any, tmp_path: Path, warm_forkserver: None) -> Path:  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = 1
    settings.MOTCUA_UPLOAD_INSPECT_MEMORY_MB = 64
    return tmp_path


def test_a_pdf_that_spins_the_parser_is_refused_and_nothing_is_stored(
    hung: Any, birth_version: Any, media: Path, monkeypatch: Any
) -> None:
    import time

    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    component = birth_version.components.get()
    monkeypatch.setattr(files, "_inspect_content", spinning_inspector)
    started = time.monotonic()
    with pytest.raises(ApplicationError) as refused:
        services.dossier_attach(
            dossier=dossier, actor=hung, component_id=component.pk, name="to-khai.pdf", data=small_pdf()
        )
    assert time.monotonic() - started < WORST_WAIT_SECONDS
    assert refused.value.code == "upload_too_complex"
    assert refused.value.message.startswith("Tệp quá phức tạp để kiểm tra: “to-khai.pdf”")
    assert not dossier.attachments.exists()
    assert stored_files(media) == []


def test_phone_photos_over_the_memory_bound_are_refused_and_nothing_is_stored(
    hung: Any, birth_version: Any, media: Path
) -> None:
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    component = birth_version.components.get()
    with pytest.raises(ApplicationError) as refused:
        services.dossier_attach_photos(
            dossier=dossier, actor=hung, component_id=component.pk, photos=[("mat-truoc.png", huge_png(8000, 8000))]
        )
    assert refused.value.code == "upload_too_complex"
    assert not dossier.attachments.exists()
    assert stored_files(media) == []
