"""Papers already in the citizen's data store are offered for a dossier component instead of an upload."""

from datetime import timedelta

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
