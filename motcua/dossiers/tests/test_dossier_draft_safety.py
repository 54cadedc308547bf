"""A draft is never lost: pages save themselves while the person types (answers posted after
the session expired: test_post_stash.py)."""

import pytest

from motcua.catalog.eforms import procedure_forms_load
from motcua.dossiers import services
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

FORM = {
    "version": 1,
    "pages": [
        {
            "id": "tre-em",
            "title": "Trẻ em",
            "fields": [{"name": "child_full_name", "type": "text", "label": "Họ, chữ đệm, tên", "required": True}],
        }
    ],
}


@pytest.fixture
def draft(hung, birth_version):  # type: ignore[no-untyped-def]
    procedure_forms_load(document={"1.001193": FORM})
    birth_version.refresh_from_db()
    return services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")


def test_autosave_keeps_typing_and_refuses_a_stale_page(client, hung, draft) -> None:
    client.force_login(hung)
    url = f"/ho-so/{draft.pk}/to-khai/tre-em/"
    client.get(url)
    revision = Dossier.objects.get(pk=draft.pk).revision
    saved = client.post(url, {"child_full_name": "Nguyễn Gia", "revision": revision}, HTTP_X_MOTCUA_AUTOSAVE="1")
    assert saved.status_code == 200 and saved.json()["revision"] == revision + 1
    assert Dossier.objects.get(pk=draft.pk).form_data["child_full_name"] == "Nguyễn Gia"
    stale = client.post(url, {"child_full_name": "khác", "revision": revision}, HTTP_X_MOTCUA_AUTOSAVE="1")
    assert stale.status_code == 409
    assert Dossier.objects.get(pk=draft.pk).form_data["child_full_name"] == "Nguyễn Gia"


def test_papers_step_asks_only_for_what_applies(client, real_birth_registration) -> None:
    """The e-form replaces the paper declaration; the authorisation letter is not needed when a
    parent applies; the birth certificate is."""
    from motcua.catalog.models import Procedure
    from motcua.core.testing import citizen

    hung = citizen()
    version = Procedure.objects.get(code="1.001193").current_version
    dossier = services.dossier_start(applicant=hung, version=version, unit_code="24121")
    services.dossier_save_form(
        dossier=dossier,
        actor=hung,
        data={"applicant_relationship": "cha", "birth_proof_kind": "chung_sinh"},
        revision=None,
    )
    client.force_login(hung)
    rows = {
        row["component"].position: row["state"]
        for row in client.get(f"/ho-so/{dossier.pk}/giay-to/").context["components"]
    }
    assert rows[0] == "form" and rows[1] == "required" and rows[4] == "not_needed"
