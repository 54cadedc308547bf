"""Interconnected procedure groups (nhóm thủ tục hành chính liên thông): loading and reading.

A group lists procedures that one submission opens together, in several agencies; its lead is
the procedure whose e-form and papers the citizen fills in (docs/procedure-groups.md). The
national example is "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em
dưới 6 tuổi" (Nghị định 63/2024/NĐ-CP).

The groups document (catalog/demo_data/procedure_groups.json):

    {"format": "motcua.catalog.groups/1",
     "groups": [{"code": "LT-KS-TT-BHYT", "name": "…", "description": "…", "is_active": true,
                 "members": [{"procedure": "1.001193", "lead": true}, {"procedure": "1.004222"}],
                 "verification": {"status": "partial", "source": "…", "note": "…"}}]}

`verification` is for reviewers of the file and is not stored.
"""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.catalog.generation import catalog_changed
from motcua.catalog.models import Procedure, ProcedureGroup, ProcedureGroupMember
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError

GROUPS_FORMAT_ID = "motcua.catalog.groups/1"
GROUP_KEYS = {"code", "name", "description", "is_active", "members", "verification"}
MEMBER_KEYS = {"procedure", "lead"}


class ProcedureGroupsRefused(ApplicationError):
    code = "procedure_groups_invalid"

    def __init__(self, errors: list[str]):
        super().__init__(
            _("Tệp nhóm thủ tục liên thông có %(n)d lỗi; không có thay đổi nào được ghi.") % {"n": len(errors)},
            extra={"errors": errors},
        )
        self.errors = errors


def _check_group(item: Any, where: str, known_codes: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [_("%(where)s: phải là một đối tượng (object).") % {"where": where}]
    errors = [
        _("%(where)s: trường không được hỗ trợ “%(key)s”.") % {"where": where, "key": key}
        for key in sorted(set(item) - GROUP_KEYS)
    ]
    for key in ("code", "name"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(_("%(where)s: thiếu “%(key)s”.") % {"where": where, "key": key})
    if len(str(item.get("code", ""))) > 40:
        errors.append(_("%(where)s: mã nhóm dài quá 40 ký tự.") % {"where": where})
    if "is_active" in item and not isinstance(item["is_active"], bool):
        errors.append(_("%(where)s: “is_active” phải là true hoặc false.") % {"where": where})
    if "description" in item and not isinstance(item["description"], str):
        errors.append(_("%(where)s: “description” phải là chuỗi ký tự.") % {"where": where})
    members = item.get("members")
    if not isinstance(members, list) or len(members) < 2:
        errors.append(_("%(where)s: nhóm liên thông cần ít nhất hai thủ tục.") % {"where": where})
        return errors
    seen: set[str] = set()
    leads = 0
    for index, member in enumerate(members):
        place = f"{where}.members[{index}]"
        if not isinstance(member, dict) or set(member) - MEMBER_KEYS:
            errors.append(_("%(where)s: chỉ gồm “procedure” và “lead”.") % {"where": place})
            continue
        code = member.get("procedure")
        if not isinstance(code, str) or code not in known_codes:
            errors.append(_("%(where)s: thủ tục “%(code)s” không có trong danh mục.") % {"where": place, "code": code})
        elif code in seen:
            errors.append(_("%(where)s: thủ tục “%(code)s” bị lặp.") % {"where": place, "code": code})
        seen.add(str(code))
        lead = member.get("lead", False)
        if not isinstance(lead, bool):
            errors.append(_("%(where)s: “lead” phải là true hoặc false.") % {"where": place})
        leads += lead is True
    if leads != 1:
        errors.append(
            _("%(where)s: phải có đúng một thủ tục chính (lead), đang có %(n)d.") % {"where": where, "n": leads}
        )
    return errors


def procedure_groups_validate(*, document: Any) -> list[str]:
    """Every problem of a groups document; an empty list means it can be loaded."""
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        return [_("Tệp phải là một đối tượng có danh sách “groups”.")]
    errors: list[str] = []
    if document.get("format") != GROUPS_FORMAT_ID:
        errors.append(_("Định dạng phải là “%(f)s”.") % {"f": GROUPS_FORMAT_ID})
    wanted = {
        member.get("procedure")
        for group in document["groups"]
        if isinstance(group, dict) and isinstance(group.get("members"), list)
        for member in group["members"]
        if isinstance(member, dict) and isinstance(member.get("procedure"), str)
    }
    known = set(Procedure.objects.filter(code__in=wanted).values_list("code", flat=True))
    seen: set[str] = set()
    for index, group in enumerate(document["groups"]):
        where = f"groups[{index}]"
        errors.extend(_check_group(group, where, known))
        code = group.get("code") if isinstance(group, dict) else None
        if isinstance(code, str) and code in seen:
            errors.append(_("%(where)s: mã nhóm “%(code)s” bị lặp.") % {"where": where, "code": code})
        seen.add(str(code))
    return errors


def _members_state(group: ProcedureGroup) -> list[tuple[str, int, bool]]:
    return [(m.procedure.code, m.position, m.is_lead) for m in group.members.select_related("procedure")]


def procedure_groups_load(*, document: Any, actor: Any) -> int:
    """Create or update every group of `document` and its members; return how many groups the
    document holds.

    All-or-nothing: any problem (unknown procedure code, not exactly one lead…) refuses the
    whole document with every error listed. Loading the same document again changes nothing
    and records nothing. Members missing from the document are removed from their group.
    """
    errors = procedure_groups_validate(document=document)
    if errors:
        raise ProcedureGroupsRefused(errors)
    with transaction.atomic():
        for item in document["groups"]:
            wanted_members = [
                (member["procedure"], position, member.get("lead", False))
                for position, member in enumerate(item["members"])
            ]
            defaults = {
                "name": item["name"].strip(),
                "description": item.get("description", "").strip(),
                "is_active": item.get("is_active", True),
            }
            group = ProcedureGroup.objects.select_for_update().filter(code=item["code"]).first()
            created = group is None
            if group is None:
                group = ProcedureGroup.objects.create(code=item["code"], **defaults)
            changed = created or any(getattr(group, key) != value for key, value in defaults.items())
            if changed and not created:
                for key, value in defaults.items():
                    setattr(group, key, value)
                group.save()
            if _members_state(group) != wanted_members:
                changed = True
                # Rewritten whole: the one-lead constraint would trip over a lead moving between
                # two rows updated one by one.
                group.members.all().delete()
                procedures = {p.code: p for p in Procedure.objects.filter(code__in=[m[0] for m in wanted_members])}
                ProcedureGroupMember.objects.bulk_create(
                    ProcedureGroupMember(group=group, procedure=procedures[code], position=position, is_lead=lead)
                    for code, position, lead in wanted_members
                )
                catalog_changed()  # bulk_create sends no signal
            if changed:
                audit_record(
                    actor=actor,
                    action="procedure_group.create" if created else "procedure_group.update",
                    obj=group,
                    summary={"members": [code for code, _position, _lead in wanted_members]},
                )
    return len(document["groups"])


# Reads.


def _published_members() -> Prefetch[str, QuerySet[ProcedureGroupMember], str]:
    return Prefetch(
        "members",
        queryset=ProcedureGroupMember.objects.select_related(
            "procedure",
            "procedure__current_version",
            "procedure__current_version__managing_agency",
            "procedure__managing_agency",
        ).order_by("position", "id"),
    )


def procedure_group_is_ready(group: ProcedureGroup, members: list[ProcedureGroupMember] | None = None) -> bool:
    """A group can be submitted: active, one lead, every member active and published.

    `members` saves a query when the caller has them loaded already."""
    members = list(group.members.all()) if members is None else members
    return (
        group.is_active
        and sum(m.is_lead for m in members) == 1
        and all(m.procedure.is_active and m.procedure.current_version_id is not None for m in members)
    )


def procedure_group_get_published(*, code: str) -> ProcedureGroup:
    """An active group whose every procedure is published, with its members loaded; else 404."""
    group = ProcedureGroup.objects.prefetch_related(_published_members()).filter(code=code, is_active=True).first()
    if group is None or not procedure_group_is_ready(group):
        raise Http404(_("Không tìm thấy nhóm thủ tục liên thông %(code)s.") % {"code": code})
    return group


def procedure_group_lead(group: ProcedureGroup) -> ProcedureGroupMember:
    """The member whose e-form the citizen fills in (the group must be loaded with its members)."""
    return next(member for member in group.members.all() if member.is_lead)


def procedure_groups_led_by(*, procedure: Procedure) -> list[ProcedureGroup]:
    """The ready groups this procedure leads, for its portal page."""
    groups: QuerySet[ProcedureGroup] = ProcedureGroup.objects.prefetch_related(_published_members()).filter(
        is_active=True, members__procedure=procedure, members__is_lead=True
    )
    return [group for group in groups if procedure_group_is_ready(group)]
