"""Interconnected submission (liên thông TTHC): the citizen fills in one dossier, birth
registration, and confirming it opens the permanent-residence and health-insurance-card dossiers
in their agencies, each in that agency's reception queue, with the lead's data and without
papers of their own; a second confirmation opens nothing more. The citizen sees every dossier of
the submission on their pages; public tracking of any of them lists the others, with nothing
personal."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from motcua.catalog.groups import procedure_groups_load
from motcua.catalog.models import ProcedureGroup
from motcua.catalog.services import catalog_import
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import catalog_document, citizen, procedure, small_pdf
from motcua.directory.constants import AgencyKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.groups import (
    dossier_group_members_hand_in,
    dossier_group_shared_attachments,
    dossier_group_start,
)
from motcua.dossiers.models import Dossier, DossierGroup
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.selectors import dossier_reception_queue
from motcua.dossiers.testing import officer
from motcua.dossiers.tests.test_dossier_submission import _last_code
from motcua.dossiers.transitions import dossier_lock

pytestmark = pytest.mark.django_db

DEMO_GROUPS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "procedure_groups.json"
CHILD = {"child_full_name": "Nguyễn Gia Bảo", "child_birth_date": "2026-11-20"}
# The linked procedures as the demo catalogue has them: residence is a commune procedure managed
# by the provincial police, the card a provincial one of the social-security agency; each has a
# required paper that the interconnected submission must not ask for again.
RESIDENCE = procedure("1.004222", "Đăng ký thường trú", field="CUTRU", managing_agency="CAT", processing_time=7)
HEALTH_CARD = procedure(
    "LT.BHYT.01",
    "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    field="BHYT",
    level="province",
    managing_agency="BHXH",
    processing_time=5,
)


@pytest.fixture(autouse=True)
def _clear_limits() -> None:
    cache.clear()  # tracking lookups are rate-limited per address


@pytest.fixture
def group(birth_version: Any) -> ProcedureGroup:
    """The minimal directory plus the provincial police and social-security agency, the three
    procedures and the demo group file."""
    province = AdministrativeUnit.objects.get(code="66")
    for code, electronic_id, name in [
        ("CAT", "000.00.15.H15", "Công an tỉnh"),
        ("BHXH", "000.00.16.H15", "Bảo hiểm xã hội tỉnh"),
    ]:
        Agency.objects.create(code=code, electronic_id=electronic_id, name=name, kind=AgencyKind.OTHER, unit=province)
    document = catalog_document(RESIDENCE, HEALTH_CARD)
    document["fields"] += [
        {"code": "CUTRU", "name": "Đăng ký, quản lý cư trú", "managing_agency": "CAT"},
        {"code": "BHYT", "name": "Bảo hiểm y tế", "managing_agency": "BHXH"},
    ]
    catalog_import(actor="test", document=document)
    procedure_groups_load(document=json.loads(DEMO_GROUPS.read_text()), actor="test")
    return ProcedureGroup.objects.get(code="LT-KS-TT-BHYT")


def _ready_lead(hung: Any, group: ProcedureGroup) -> Dossier:
    lead = dossier_group_start(applicant=hung, group=group, unit_code="24121")
    lead = services.dossier_save_form(dossier=lead, actor=hung, data=CHILD, revision=lead.revision)
    component = lead.procedure_version.components.get()
    services.dossier_attach(
        dossier=lead, actor=hung, component_id=component.pk, name="giay-chung-sinh.pdf", data=small_pdf()
    )
    lead.refresh_from_db()
    return services.dossier_set_delivery(
        dossier=lead, actor=hung, method=DeliveryMethod.POST, address="Số 1 Lê Duẩn, phường Tân Lập", revision=None
    )


def _confirmed(hung: Any, group: ProcedureGroup, capture: Any) -> Dossier:
    lead = _ready_lead(hung, group)
    with capture(execute=True):
        services.dossier_submit(dossier=lead, actor=hung, declaration=True, revision=lead.revision)
    with capture(execute=True):
        services.dossier_confirm(dossier=lead, actor=hung, code=_last_code("0912345678"))
    return Dossier.objects.get(pk=lead.pk)


def _by_procedure(lead: Dossier) -> dict[str, Dossier]:
    assert lead.group is not None
    return {
        d.procedure_version.procedure.code: d
        for d in lead.group.dossiers.select_related("procedure_version__procedure", "agency")
    }


def test_starting_a_group_drafts_only_the_lead(hung, group) -> None:
    lead = dossier_group_start(applicant=hung, group=group, unit_code="24121")
    dossier_group = DossierGroup.objects.get(lead=lead)
    assert lead.group == dossier_group and dossier_group.group == group and dossier_group.applicant == hung
    assert lead.procedure_version.procedure.code == "1.001193" and lead.status == DossierStatus.DRAFT
    assert dossier_group.code is None, "the group's code comes from the lead's, given on confirmation"
    assert Dossier.objects.count() == 1
    assert AuditEvent.objects.filter(action="dossier_group.start", object_id=str(dossier_group.pk)).exists()


def test_a_group_is_refused_whole_when_an_agency_cannot_be_found(hung, group) -> None:
    with pytest.raises(ApplicationError, match="xã, phường"):
        dossier_group_start(applicant=hung, group=group, unit_code="99999")
    assert not Dossier.objects.exists() and not DossierGroup.objects.exists()


def test_confirming_the_lead_opens_every_member_in_its_agency(
    hung, group, sms_demo, smtp_server, django_capture_on_commit_callbacks
) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    dossiers = _by_procedure(lead)
    assert set(dossiers) == {"1.001193", "1.004222", "LT.BHYT.01"}
    # Commune procedures go to the commune's People's Committee (its one-stop unit receives for
    # the commune police too); the provincial card goes to its managing agency.
    assert {code: d.agency.code for code, d in dossiers.items()} == {
        "1.001193": "UBND-24121",
        "1.004222": "UBND-24121",
        "LT.BHYT.01": "BHXH",
    }
    assert lead.group is not None and lead.group.code == f"LT-{lead.code}"
    for dossier in dossiers.values():
        assert dossier.status == DossierStatus.SUBMITTED and dossier.submitted_at and dossier.expected_due_at
        assert dossier.applicant == hung and dossier.channel == lead.channel
        assert dossier.form_data == CHILD, "the linked agencies read the child's data from the shared submission"
        assert (dossier.delivery_method, dossier.delivery_address) == (lead.delivery_method, lead.delivery_address)
        assert AuditEvent.objects.filter(action="dossier.submitted", object_id=str(dossier.pk)).count() == 1
    assert re.fullmatch(r"000\.00\.16\.H15-\d{6}-0001", dossiers["LT.BHYT.01"].code or "")
    assert [c.to_status for c in dossiers["1.004222"].history.all()] == ["submitted"]

    commune = officer("ubnd.tiepnhan")
    social_security = officer("bhxh.tiepnhan", agency="BHXH")
    assert set(dossier_reception_queue(user=commune)) == {dossiers["1.001193"], dossiers["1.004222"]}
    assert list(dossier_reception_queue(user=social_security)) == [dossiers["LT.BHYT.01"]]

    [acknowledgement] = smtp_server.received
    assert all(d.code in acknowledgement.text for d in dossiers.values()), "one acknowledgement for the submission"


def test_double_confirmation_opens_nothing_more(hung, group, sms_demo, django_capture_on_commit_callbacks) -> None:
    lead = _ready_lead(hung, group)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=lead, actor=hung, declaration=True, revision=lead.revision)
    code = _last_code("0912345678")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.dossier_confirm(dossier=lead, actor=hung, code=code)
        second = services.dossier_confirm(dossier=Dossier.objects.get(pk=lead.pk), actor=hung, code=code)
    assert first.code == second.code
    assert Dossier.objects.count() == 3
    with transaction.atomic():
        replayed = dossier_group_members_hand_in(lead=dossier_lock(dossier_id=lead.pk), actor=hung)
    assert replayed == [] and Dossier.objects.count() == 3
    assert AuditEvent.objects.filter(action="dossier_group.hand_in").count() == 1


def test_linked_dossiers_share_the_leads_papers(hung, group, sms_demo, django_capture_on_commit_callbacks) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    dossiers = _by_procedure(lead)
    for code in ("1.004222", "LT.BHYT.01"):
        linked = dossiers[code]
        assert linked.procedure_version.components.filter(required=True).exists()
        assert not linked.attachments.exists()
        assert services.dossier_problems(dossier=linked) == {}, "no paper is asked for twice"
        assert list(dossier_group_shared_attachments(dossier=linked)) == list(lead.attachments.all())
    assert not dossier_group_shared_attachments(dossier=lead).exists()


def test_the_review_page_says_which_dossiers_the_submission_opens(client, hung, group) -> None:
    lead = _ready_lead(hung, group)
    client.force_login(hung)
    html = client.get(f"/ho-so/{lead.pk}/kiem-tra/").content.decode()
    assert "Hồ sơ liên thông" in html
    assert "Đăng ký thường trú" in html and "Bảo hiểm xã hội tỉnh" in html


def test_the_citizen_sees_every_dossier_of_the_submission(
    client, hung, group, sms_demo, django_capture_on_commit_callbacks
) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    dossiers = _by_procedure(lead)
    client.force_login(hung)
    for shown in dossiers.values():
        html = client.get(f"/ho-so/{shown.pk}/").content.decode()
        assert "Hồ sơ liên thông" in html and f"LT-{lead.code}" in html
        for dossier in dossiers.values():
            assert dossier.code in html and dossier.procedure_version.name in html
        assert "Bảo hiểm xã hội tỉnh" in html and "UBND phường Tân Lập" in html and "Chờ tiếp nhận" in html
    shared = client.get(f"/ho-so/{dossiers['LT.BHYT.01'].pk}/").content.decode()
    assert "giay-chung-sinh.pdf" in shared, "a linked dossier shows the papers it shares"
    listing = client.get("/ho-so/cua-toi/").content.decode()
    assert listing.count("Liên thông") >= 3
    client.force_login(citizen(phone="0987654321", id_number="066181000202"))
    assert client.get(f"/ho-so/{dossiers['LT.BHYT.01'].pk}/").status_code == 404


def test_tracking_any_member_lists_the_others_without_personal_data(
    client, hung, group, sms_demo, django_capture_on_commit_callbacks
) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    dossiers = _by_procedure(lead)
    card = dossiers["LT.BHYT.01"]
    html = client.get("/tra-cuu/", {"ma": card.code}).content.decode()
    assert "Hồ sơ liên thông" in html
    for other in ("1.001193", "1.004222"):
        assert dossiers[other].code in html and dossiers[other].procedure_version.name in html
    assert "UBND phường Tân Lập" in html
    for personal in ("Nguyễn Văn Hùng", "0912345678", "066094000103", "Nguyễn Gia Bảo", "Lê Duẩn"):
        assert personal not in html
    data = client.get(f"/api/v1/tracking/{lead.code}").json()
    assert data["group_code"] == f"LT-{lead.code}"
    assert sorted(item["code"] for item in data["linked"]) == sorted([card.code, dossiers["1.004222"].code])
    assert set(data["linked"][0]) == {"code", "procedure", "agency", "status", "status_label"}


def test_the_portal_offers_the_interconnected_submission(client, hung, group) -> None:
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Nộp hồ sơ liên thông" in page and "/lien-thong/LT-KS-TT-BHYT/" in page
    group_page = client.get("/lien-thong/LT-KS-TT-BHYT/").content.decode()
    for name in ("Thủ tục đăng ký khai sinh", "Đăng ký thường trú", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"):
        assert name in group_page
    assert "Nộp hồ sơ liên thông" not in client.get("/thu-tuc/1.004222/").content.decode()

    client.force_login(hung)
    assert client.get("/ho-so/lien-thong/LT-KS-TT-BHYT/bat-dau/").status_code == 200
    started = client.post("/ho-so/lien-thong/LT-KS-TT-BHYT/bat-dau/", {"unit": "24121"})
    lead = Dossier.objects.get()
    assert started["Location"] == f"/ho-so/{lead.pk}/giay-to/"
    assert lead.group is not None and lead.group.group == group
    group.is_active = False
    group.save()
    assert client.get("/lien-thong/LT-KS-TT-BHYT/").status_code == 404


def test_withdrawing_the_lead_withdraws_the_linked_dossiers_not_yet_accepted(
    client, hung, group, sms_demo, django_capture_on_commit_callbacks
) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    dossiers = _by_procedure(lead)
    card = dossiers["LT.BHYT.01"]
    dossier_accept(dossier=card, officer=officer("bhxh.tiepnhan", agency="BHXH"), revision=card.revision)
    client.force_login(hung)
    assert "rút cả các hồ sơ liên thông" in client.get(f"/ho-so/{lead.pk}/").content.decode()
    services.dossier_withdraw(dossier=lead, actor=hung, reason="Nộp nhầm xã")
    after = {code: Dossier.objects.get(pk=d.pk) for code, d in dossiers.items()}
    assert after["1.001193"].status == DossierStatus.WITHDRAWN
    residence = after["1.004222"]
    assert residence.status == DossierStatus.WITHDRAWN
    assert residence.history.last().note == f"Rút cùng hồ sơ {lead.code}: Nộp nhầm xã"
    assert after["LT.BHYT.01"].status == DossierStatus.IN_PROGRESS, "an accepted dossier stays with its agency"


def test_withdrawing_a_linked_dossier_leaves_the_others(
    hung, group, sms_demo, django_capture_on_commit_callbacks
) -> None:
    lead = _confirmed(hung, group, django_capture_on_commit_callbacks)
    residence = _by_procedure(lead)["1.004222"]
    services.dossier_withdraw(dossier=residence, actor=hung, reason="Đã đăng ký ở nơi khác")
    statuses = {code: Dossier.objects.get(pk=d.pk).status for code, d in _by_procedure(lead).items()}
    assert statuses == {
        "1.001193": DossierStatus.SUBMITTED,
        "1.004222": DossierStatus.WITHDRAWN,
        "LT.BHYT.01": DossierStatus.SUBMITTED,
    }
