"""Interconnected submissions (hồ sơ liên thông): one submission, linked dossiers in several
agencies, tracked together.

The citizen fills in and confirms one dossier, the lead (e.g. birth registration). When the
lead is handed in, in the same transaction, every other procedure of the group gets its own
dossier: received by its own agency, with the lead's form data (the linked agencies read the
child's data from the shared submission), the same applicant, channel and delivery, and its own
code, so it appears in that agency's reception queue.

Papers are not copied: the lead's papers serve the whole submission, so the linked dossiers
demand none (`dossier_problems`), and `dossier_group_shared_attachments` gives the lead's papers
to whoever shows a linked dossier. Copying attachment rows would have made two rows own one
stored file, and removing one (a supplement at one agency) would delete the other's file.
"""

import copy
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.catalog.groups import procedure_group_is_ready
from motcua.catalog.models import ProcedureGroup, ProcedureGroupMember, ProcedureVersion
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier, DossierAttachment, DossierGroup
from motcua.dossiers.transitions import dossier_lock

GROUP_CODE_PREFIX = "LT-"


def _members(group: ProcedureGroup) -> list[ProcedureGroupMember]:
    """The group's members with their procedures' current versions loaded, lead first."""
    return list(
        group.members.select_related(
            "procedure", "procedure__current_version", "procedure__current_version__managing_agency"
        ).order_by("-is_lead", "position", "id")
    )


def _ready_versions(group: ProcedureGroup) -> list[ProcedureVersion]:
    """The version each member would be submitted under, lead first; refused when the group
    cannot be submitted now (inactive, not exactly one lead, a procedure not published)."""
    members = _members(group)
    if not procedure_group_is_ready(group, members):
        raise ApplicationError(
            _("Nhóm thủ tục liên thông “%(name)s” hiện chưa nhận hồ sơ.") % {"name": group.name},
            code="dossier_group_unavailable",
        )
    return [member.procedure.current_version for member in members if member.procedure.current_version]


def _check_agencies(*, versions: list[ProcedureVersion], unit_code: str | None) -> None:
    """Every member must have an agency to receive it, checked before anything is written."""
    from motcua.dossiers.services import receiving_agency_for

    for version in versions:
        receiving_agency_for(version=version, unit_code=unit_code)


def _linked_members(
    *, dossier_group: DossierGroup, lead: Dossier
) -> list[tuple[ProcedureGroupMember, ProcedureVersion]]:
    """The members to open beside the lead, as the catalogue lists them now, with the versions
    in force. A group closed after the citizen started still opens them: the submission began
    while it was open."""
    return [
        (member, member.procedure.current_version)
        for member in _members(dossier_group.group)
        if member.procedure.current_version is not None and member.procedure_id != lead.procedure_version.procedure_id
    ]


def dossier_group_start(*, applicant: Any, group: ProcedureGroup, unit_code: str | None) -> Dossier:
    """Start an interconnected submission: the lead procedure's draft, linked to a new group
    record. The other members' dossiers are opened when the lead is confirmed."""
    from motcua.dossiers.services import dossier_start

    versions = _ready_versions(group)
    _check_agencies(versions=versions, unit_code=unit_code)
    lead_version = versions[0]
    with transaction.atomic():
        lead = dossier_start(applicant=applicant, version=lead_version, unit_code=unit_code)
        dossier_group = DossierGroup.objects.create(
            group=group, applicant=applicant, lead=lead, unit_code=unit_code or ""
        )
        lead.group = dossier_group
        lead.save(update_fields=["group", "updated_at"])
        audit_record(
            actor=applicant,
            action="dossier_group.start",
            obj=dossier_group,
            summary={"group": group.code, "lead": lead.pk},
        )
    return lead


def dossier_is_linked_member(*, dossier: Dossier) -> bool:
    """A dossier opened from another one's submission (not the lead of its group)."""
    if dossier.group_id is None:
        return False
    return DossierGroup.objects.filter(pk=dossier.group_id).exclude(lead_id=dossier.pk).exists()


def dossier_group_problems(*, dossier: Dossier) -> dict[str, str]:
    """What would stop the lead's confirmation from opening the other dossiers, checked with the
    rest of the dossier before the SMS code is sent."""
    if dossier.group_id is None:
        return {}
    dossier_group = DossierGroup.objects.select_related("group").get(pk=dossier.group_id)
    if dossier_group.lead_id != dossier.pk:
        return {}
    try:
        _check_agencies(
            versions=[version for _member, version in _linked_members(dossier_group=dossier_group, lead=dossier)],
            unit_code=dossier_group.unit_code or None,
        )
    except ApplicationError as error:
        return {"group": error.message}
    return {}


def dossier_group_members_hand_in(*, lead: Dossier, actor: Any) -> list[Dossier]:
    """Open and hand in the other members' dossiers of the group `lead` leads.

    Runs inside the transaction that hands the (locked) lead in, right after it got its code.
    The group row is locked and the dossiers are opened once only: a replayed confirmation
    finds them there and opens nothing.
    """
    from motcua.dossiers.services import _dossier_hand_in, receiving_agency_for

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_group_members_hand_in must run inside the lead's hand-in transaction.")
    if lead.group_id is None:
        return []
    dossier_group = DossierGroup.objects.select_for_update().select_related("group").filter(pk=lead.group_id).first()
    if dossier_group is None or dossier_group.lead_id != lead.pk:
        return []  # not a group, or a linked dossier's own hand-in
    if dossier_group.dossiers.exclude(pk=lead.pk).exists():
        return []
    dossier_group.code = f"{GROUP_CODE_PREFIX}{lead.code}"
    dossier_group.save(update_fields=["code"])
    unit_code = dossier_group.unit_code or None
    opened: list[Dossier] = []
    for member, version in _linked_members(dossier_group=dossier_group, lead=lead):
        linked = Dossier.objects.create(
            procedure_version=version,
            agency=receiving_agency_for(version=version, unit_code=unit_code),
            applicant_id=lead.applicant_id,
            submitted_by_id=lead.submitted_by_id,
            representation_id=lead.representation_id,
            channel=lead.channel,
            form_data=copy.deepcopy(lead.form_data),
            delivery_method=lead.delivery_method,
            delivery_address=lead.delivery_address,
            declaration_accepted_at=lead.declaration_accepted_at,
            group=dossier_group,
        )
        audit_record(
            actor=actor,
            action="dossier.start",
            obj=linked,
            summary={"procedure": member.procedure.code, "group": dossier_group.code},
        )
        opened.append(_dossier_hand_in(dossier=dossier_lock(dossier_id=linked.pk), actor=actor))
    audit_record(
        actor=actor,
        action="dossier_group.hand_in",
        obj=dossier_group,
        summary={"lead": lead.code, "linked": [d.code for d in opened]},
    )
    return opened


# Reads.


def dossier_group_linked_ids(*, lead: Dossier) -> list[int]:
    """The other dossiers opened by the submission `lead` leads; none for any other dossier."""
    if lead.group_id is None:
        return []
    return list(
        Dossier.objects.filter(group_id=lead.group_id, group__lead_id=lead.pk)
        .exclude(pk=lead.pk)
        .order_by("id")
        .values_list("pk", flat=True)
    )


def dossier_group_dossiers(*, dossier_group: DossierGroup) -> QuerySet[Dossier]:
    """Every dossier of the submission, the lead first, then in the group's order."""
    return dossier_group.dossiers.select_related("procedure_version", "agency").order_by("id")


def dossier_group_shared_attachments(*, dossier: Dossier) -> QuerySet[DossierAttachment]:
    """The papers a linked dossier shares with its lead (none for a lead or a lone dossier)."""
    if dossier.group_id is None:
        return DossierAttachment.objects.none()
    lead_id = DossierGroup.objects.filter(pk=dossier.group_id).values_list("lead_id", flat=True).first()
    if lead_id is None or lead_id == dossier.pk:
        return DossierAttachment.objects.none()
    return DossierAttachment.objects.filter(dossier_id=lead_id).select_related("component", "dossier")


def dossier_group_plan(*, lead: Dossier) -> list[dict[str, str]]:
    """Before the lead is submitted: the other dossiers its submission will open and where."""
    from motcua.dossiers.services import receiving_agency_for

    if lead.group_id is None:
        return []
    dossier_group = DossierGroup.objects.select_related("group").get(pk=lead.group_id)
    if dossier_group.lead_id != lead.pk:
        return []
    plan = []
    for _member, version in _linked_members(dossier_group=dossier_group, lead=lead):
        try:
            agency = receiving_agency_for(version=version, unit_code=dossier_group.unit_code or None).name
        except ApplicationError:
            agency = ""
        plan.append({"procedure": version.name, "agency": agency})
    return plan
