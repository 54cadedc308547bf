"""Papers already in the citizen's data store are offered for a dossier component instead of an upload."""

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.text import fold
from motcua.documents.models import StoredDocument
from motcua.integrations.prefill import paper_matches, stored_documents_for_component


@pytest.mark.parametrize(
    ("stored_title", "component_name"),
    [
        # The stored title's words are all in the component name…
        ("Giấy khai sinh", "Bản sao Giấy khai sinh của người được đăng ký thường trú"),
        # … or the other way round.
        ("Bản sao Giấy khai sinh của Nguyễn Minh Khang (có chứng thực)", "Giấy khai sinh"),
        # Accents and case do not matter.
        ("GIAY KHAI SINH", "Giấy khai sinh"),
        # The same paper under another name, by a known key phrase.
        ("Căn cước công dân", "Bản sao Chứng minh nhân dân hoặc thẻ Căn cước"),
        ("Trích lục khai sinh", "Giấy khai sinh hoặc giấy tờ chứng minh nhân thân"),
        ("Trích lục kết hôn", "Bản sao Giấy chứng nhận kết hôn của cha, mẹ"),
        ("Giấy chứng nhận kết hôn", "Giấy chứng nhận kết hôn (nếu có)"),
        ("Sổ hộ khẩu", "Sổ hộ khẩu gia đình hoặc giấy tờ chứng minh chỗ ở hợp pháp"),
    ],
)
def test_papers_that_match(stored_title: str, component_name: str) -> None:
    """A stored paper is offered when it is the paper the component asks for."""
    assert paper_matches(stored_title=stored_title, component_name=component_name)


@pytest.mark.parametrize(
    ("stored_title", "component_name"),
    [
        # A birth attestation from the hospital is not a birth certificate, nor the reverse.
        ("Giấy khai sinh", "Giấy chứng sinh"),
        ("Giấy chứng sinh", "Giấy khai sinh"),
        # The declaration form for a birth registration is not the certificate it produces.
        ("Giấy khai sinh", "Tờ khai đăng ký khai sinh"),
        # Different certificates share words but not the paper.
        ("Giấy chứng nhận kết hôn", "Giấy chứng nhận quyền sử dụng đất"),
        ("Trích lục khai tử", "Trích lục khai sinh"),
        # A one-word title is too vague to offer for everything that contains the word.
        ("Giấy", "Giấy khai sinh"),
        ("", "Giấy khai sinh"),
    ],
)
def test_papers_that_do_not_match(stored_title: str, component_name: str) -> None:
    """A stored paper is not offered for a component that asks for a different paper."""
    assert not paper_matches(stored_title=stored_title, component_name=component_name)


def _store(owner: User, title: str, *, days_ago: int = 0) -> StoredDocument:
    document = StoredDocument.objects.create(
        owner=owner,
        title=title,
        title_folded=fold(title),
        file=ContentFile(b"%PDF-1.7 demo", name="paper.pdf"),
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    StoredDocument.objects.filter(pk=document.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return document


@pytest.mark.django_db
def test_offers_own_matching_papers_newest_first() -> None:
    """Only the citizen's own matching papers are offered, the newest first."""
    citizen = User.objects.create_user(username="citizen", password="x")
    neighbour = User.objects.create_user(username="neighbour", password="x")
    old = _store(citizen, "Giấy khai sinh", days_ago=400)
    new = _store(citizen, "Trích lục khai sinh (bản sao)", days_ago=3)
    _store(citizen, "Giấy chứng sinh", days_ago=1)
    _store(citizen, "Giấy chứng nhận kết hôn", days_ago=2)
    _store(neighbour, "Giấy khai sinh", days_ago=0)

    offered = stored_documents_for_component(user=citizen, component_name="Bản sao Giấy khai sinh của người con")

    assert offered == [new, old]


@pytest.mark.django_db
def test_nothing_for_anonymous_or_empty_store() -> None:
    """An anonymous visitor, or a citizen with an empty store, is offered nothing."""
    citizen = User.objects.create_user(username="citizen", password="x")
    assert stored_documents_for_component(user=citizen, component_name="Giấy khai sinh") == []
    assert stored_documents_for_component(user=AnonymousUser(), component_name="Giấy khai sinh") == []


def _birth_notice_world() -> tuple[User, Any, StoredDocument]:
    """A citizen with a birth notice in their store and a birth registration asking for one."""
    from motcua.catalog.models import Procedure
    from motcua.core.testing import citizen, load_catalog, procedure, small_pdf

    notice_component = {"name": "Giấy chứng sinh", "original_copies": 1, "copy_copies": 0, "required": True}
    load_catalog(procedure("1.001193", "Thủ tục đăng ký khai sinh", components=[notice_component]))
    applicant = citizen()
    pdf = small_pdf()
    notice = StoredDocument.objects.create(
        owner=applicant,
        title="Giấy chứng sinh",
        title_folded=fold("Giấy chứng sinh"),
        file=ContentFile(pdf, name="giay-chung-sinh.pdf"),
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    return applicant, Procedure.objects.get(code="1.001193").current_version, notice


@pytest.mark.django_db
def test_a_birth_notice_serves_one_birth_registration() -> None:
    """The birth notice sent from the store with one birth registration is not offered (nor
    accepted) for the next child's: that child has a notice of their own. The dossier that
    used it still sees it, and a registration withdrawn gives it back."""
    from motcua.core.errors import ApplicationError
    from motcua.dossiers.constants import DossierStatus
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_attach_stored, dossier_start

    applicant, version, notice = _birth_notice_world()
    component = version.components.get()
    first = dossier_start(applicant=applicant, version=version, unit_code="24121")
    assert stored_documents_for_component(user=applicant, component_name=component.name, dossier_id=first.pk) == [
        notice
    ]
    dossier_attach_stored(dossier=first, actor=applicant, component_id=component.pk, stored_id=notice.pk)
    Dossier.objects.filter(pk=first.pk).update(status=DossierStatus.SUBMITTED)

    second = dossier_start(applicant=applicant, version=version, unit_code="24121")
    assert stored_documents_for_component(user=applicant, component_name=component.name, dossier_id=second.pk) == []
    with pytest.raises(ApplicationError) as refused:
        dossier_attach_stored(dossier=second, actor=applicant, component_id=component.pk, stored_id=notice.pk)
    assert refused.value.code == "dossier_stored_spent"
    assert not second.attachments.exists()
    assert stored_documents_for_component(user=applicant, component_name=component.name, dossier_id=first.pk) == [
        notice
    ]

    Dossier.objects.filter(pk=first.pk).update(status=DossierStatus.WITHDRAWN)
    assert stored_documents_for_component(user=applicant, component_name=component.name, dossier_id=second.pk) == [
        notice
    ]


@pytest.mark.django_db
def test_last_years_birth_notice_is_not_offered_but_a_birth_certificate_is() -> None:
    """A birth notice stored more than a year ago is about a child born then, not a new one;
    a birth certificate describes a person and stays reusable however old."""
    applicant, _version, notice = _birth_notice_world()
    StoredDocument.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(days=400))
    certificate = _store(applicant, "Giấy khai sinh – Nguyễn Minh An", days_ago=400)

    assert stored_documents_for_component(user=applicant, component_name="Giấy chứng sinh") == []
    assert stored_documents_for_component(user=applicant, component_name="Bản sao Giấy khai sinh") == [certificate]
