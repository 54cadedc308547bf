"""Writes to dossiers on the applicant's side: draft, papers, submission, confirmation."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import CitizenProfile, Representation
from motcua.catalog.constants import ProcedureLevel, TimeUnit
from motcua.catalog.models import DossierComponent, ProcedureVersion
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.workdays import get_calendar
from motcua.directory.constants import AgencyKind
from motcua.directory.models import Agency
from motcua.documents.models import StoredDocument
from motcua.dossiers.acknowledgement import acknowledgement_record
from motcua.dossiers.codes import dossier_code_issue
from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus
from motcua.dossiers.fees import dossier_fees_freeze, fees_due_record
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.dossiers.processing import processing_resume
from motcua.dossiers.search import applicant_folded
from motcua.dossiers.slips import applicant_name
from motcua.dossiers.transitions import dossier_lock, dossier_transition

EDITABLE = {
    DossierStatus.DRAFT,
    DossierStatus.AWAITING_CONFIRMATION,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.PAUSED,
}
MAX_FILES_PER_COMPONENT = 10


def receiving_agency_for(*, version: ProcedureVersion, unit_code: str | None) -> Agency:
    """Who receives a dossier: the commune's People's Committee for commune procedures, the
    managing department (else the service centre) for provincial ones."""
    if version.level == ProcedureLevel.COMMUNE:
        agency = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__code=unit_code, is_active=True).first()
        if agency is None:
            raise ApplicationError(_("Hãy chọn xã, phường nơi nộp hồ sơ."), code="dossier_agency_missing")
        return agency
    if version.managing_agency is not None:
        return version.managing_agency
    centre = Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, is_active=True).first()
    if centre is None:
        raise ApplicationError(_("Chưa cấu hình cơ quan tiếp nhận cho thủ tục này."), code="dossier_agency_missing")
    return centre


def dossier_start(
    *,
    applicant: Any,
    version: ProcedureVersion,
    unit_code: str | None,
    channel: str = Channel.ONLINE,
    submitted_by: Any = None,
    representation_id: int | None = None,
) -> Dossier:
    """A new draft pinned to the procedure version in force now, for the applicant or for an
    organisation they represent."""
    if version.procedure.information_only:
        raise ApplicationError(
            _(
                "Thủ tục này mới có thông tin tra cứu từ danh mục quốc gia, chưa nhận hồ sơ qua hệ thống: "
                "hãy nộp hồ sơ trực tiếp tại cơ quan thực hiện."
            ),
            code="procedure_information_only",
        )
    agency = receiving_agency_for(version=version, unit_code=unit_code)
    representation = None
    if representation_id:
        representation = Representation.objects.filter(pk=representation_id, user=applicant).first()
        if representation is None:
            raise ApplicationError(_("Bạn không đại diện cho tổ chức này."), code="dossier_representation")
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure_version=version,
            agency=agency,
            applicant=applicant,
            channel=channel,
            submitted_by=submitted_by,
            representation=representation,
        )
        audit_record(
            actor=submitted_by or applicant,
            action="dossier.start",
            obj=dossier,
            summary={"procedure": version.procedure.code},
        )
    return dossier


def _editable(dossier: Dossier) -> None:
    if dossier.status not in EDITABLE:
        raise ApplicationError(_("Hồ sơ đã nộp, không thể sửa."), code="dossier_not_editable")


def dossier_save_form(*, dossier: Dossier, actor: Any, data: dict[str, Any], revision: int | None) -> Dossier:
    """Keep what the citizen typed, valid or not, so nothing is lost; validation is shown apart."""
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        _editable(locked)
        locked.form_data = {**locked.form_data, **data}
        locked.revision += 1
        locked.save(update_fields=["form_data", "revision", "updated_at"])
    return locked


def _component_of(dossier: Dossier, component_id: int) -> DossierComponent:
    component = DossierComponent.objects.filter(pk=component_id, version=dossier.procedure_version).first()
    if component is None:
        raise ApplicationError(_("Thành phần hồ sơ không hợp lệ."), code="dossier_component_unknown")
    return component


def _check_room(dossier: Dossier, component: DossierComponent) -> None:
    if dossier.attachments.filter(component=component).count() >= MAX_FILES_PER_COMPONENT:
        raise ApplicationError(
            _("Mỗi thành phần hồ sơ chỉ đính kèm tối đa %(n)d tệp.") % {"n": MAX_FILES_PER_COMPONENT},
            code="dossier_too_many_files",
        )


def dossier_attach(
    *, dossier: Dossier, actor: Any, component_id: int, name: str, data: Any, source: str = AttachmentSource.UPLOAD
) -> DossierAttachment:
    """Check an uploaded paper by its content and keep it privately with the dossier."""
    from motcua.documents.files import inspect_upload

    inspected = inspect_upload(name=name, data=data)
    if source == AttachmentSource.UPLOAD and actor != dossier.applicant:
        source = AttachmentSource.SCAN  # papers digitised at the counter or post office
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        _editable(locked)
        component = _component_of(locked, component_id)
        _check_room(locked, component)
        attachment = DossierAttachment(
            dossier=locked,
            component=component,
            original_name=inspected.safe_name,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            source=source,
            uploaded_by=actor,
        )
        # Stored under a random name: the citizen's wording stays in original_name only.
        attachment.file.save(f"{uuid.uuid4().hex}.{inspected.extension}", ContentFile(inspected.content), save=False)
        attachment.save()
        locked.revision += 1
        locked.save(update_fields=["revision", "updated_at"])
        audit_record(
            actor=actor,
            action="dossier.attach",
            obj=locked,
            summary={"component": component.pk, "sha256": inspected.sha256, "removed": list(inspected.removed)},
        )
    return attachment


def dossier_attach_photos(
    *, dossier: Dossier, actor: Any, component_id: int, photos: list[tuple[str, Any]]
) -> DossierAttachment:
    """Phone photos of one paper, checked one by one, joined into a single PDF."""
    from motcua.documents.files import images_to_pdf, inspect_upload

    images, names = [], []
    for name, data in photos:
        inspected = inspect_upload(name=name, data=data)
        if not inspected.content_type.startswith("image/"):
            raise ApplicationError(_("Chỉ ghép được ảnh JPEG hoặc PNG thành PDF."), code="dossier_photos_not_images")
        images.append(inspected.content)
        names.append(inspected.safe_name)
    component = _component_of(dossier, component_id)
    pdf = images_to_pdf(images, names=names)
    return dossier_attach(
        dossier=dossier, actor=actor, component_id=component.pk, name=f"{component.name[:60]}.pdf", data=pdf
    )


def dossier_attach_stored(*, dossier: Dossier, actor: Any, component_id: int, stored_id: int) -> DossierAttachment:
    """Reuse a paper from the citizen's own document store instead of uploading it again."""
    from motcua.integrations.prefill import stored_document_is_spent

    stored = StoredDocument.objects.filter(pk=stored_id, owner=dossier.applicant).first()
    if stored is None:
        raise ApplicationError(_("Không tìm thấy giấy tờ trong kho dữ liệu của bạn."), code="dossier_stored_unknown")
    if stored_document_is_spent(document=stored, dossier_id=dossier.pk):
        raise ApplicationError(
            _("Giấy tờ này đã dùng cho một hồ sơ khác hoặc đã quá cũ, không dùng lại được: hãy tải lên giấy tờ mới."),
            code="dossier_stored_spent",
        )
    with stored.file.open("rb") as handle:
        content = handle.read()
    return dossier_attach(
        dossier=dossier,
        actor=actor,
        component_id=component_id,
        name=stored.file.name.rsplit("/", 1)[-1],
        data=content,
        source=AttachmentSource.DOCUMENT_STORE,
    )


def dossier_detach(*, dossier: Dossier, actor: Any, attachment_id: int) -> None:
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        _editable(locked)
        attachment = locked.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise ApplicationError(_("Không tìm thấy tệp đính kèm."), code="dossier_attachment_unknown")
        attachment.file.delete(save=False)
        attachment.delete()
        locked.revision += 1
        locked.save(update_fields=["revision", "updated_at"])
        audit_record(actor=actor, action="dossier.detach", obj=locked, summary={"attachment": attachment_id})


def dossier_set_delivery(*, dossier: Dossier, actor: Any, method: str, address: str, revision: int | None) -> Dossier:
    if method not in DeliveryMethod.values:
        raise ApplicationError(_("Hãy chọn cách nhận kết quả."), code="dossier_delivery_missing")
    if method == DeliveryMethod.POST and len(address.strip()) < 10:
        raise ApplicationError(
            _("Hãy nhập đầy đủ địa chỉ nhận kết quả qua bưu chính."), code="dossier_delivery_address"
        )
    from motcua.delivery.postage import postage_quote, postage_quote_keep  # delivery builds on dossiers

    # Asked before the transaction: a carrier that cannot quote refuses the choice, changing nothing.
    postage = postage_quote(address=address.strip()) if method == DeliveryMethod.POST else None
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        _editable(locked)
        postage_quote_keep(dossier=locked, amount=postage, address=address.strip())
        locked.delivery_method = method
        locked.delivery_address = address.strip() if method == DeliveryMethod.POST else ""
        locked.revision += 1
        locked.save(update_fields=["delivery_method", "delivery_address", "revision", "updated_at"])
    return locked


def dossier_problems(*, dossier: Dossier) -> dict[str, str]:
    """Everything that stops submission, keyed by where to fix it (form fields, papers, delivery)."""
    from motcua.catalog.eforms import form_clean
    from motcua.dossiers.groups import dossier_group_problems, dossier_is_linked_member
    from motcua.dossiers.papers import dossier_papers

    problems: dict[str, str] = {}
    if dossier_is_linked_member(dossier=dossier):
        # A dossier opened from an interconnected submission: its data and papers are the
        # lead's, checked when the lead was submitted; only the delivery is its own.
        if not dossier.delivery_method:
            problems["delivery"] = _("Hãy chọn cách nhận kết quả.")
        return problems
    papers = dossier_papers(dossier=dossier)
    form = getattr(dossier.procedure_version, "form", None)
    if form is not None:
        # Papers are judged below, by the same rule as their tags; here every paper counts as given.
        every_component = {paper.component.position for paper in papers}
        _cleaned, errors = form_clean(form.schema, dossier.form_data, attached_components=every_component)
        problems.update({f"form.{path}": message for path, message in errors.items()})
    for paper in papers:
        if paper.missing:
            problems[f"component.{paper.component.pk}"] = _("Thiếu giấy tờ bắt buộc: %(name)s") % {
                "name": paper.component.name[:120]
            }
    if not dossier.delivery_method:
        problems["delivery"] = _("Hãy chọn cách nhận kết quả.")
    problems.update(dossier_group_problems(dossier=dossier))
    return problems


def _incomplete(*, dossier: Dossier, problems: dict[str, str]) -> ApplicationError:
    """The refusal of an incomplete dossier. Missing papers are named, since they are what a
    person most often has to go and fetch; nothing of the dossier is changed."""
    message = _("Hồ sơ còn %(n)d chỗ cần hoàn thiện.") % {"n": len(problems)}
    missing_ids = [int(key.partition(".")[2]) for key in problems if key.startswith("component.")]
    if missing_ids:
        names = dossier.procedure_version.components.filter(pk__in=missing_ids).values_list("name", flat=True)
        message += " " + _(
            "Còn thiếu giấy tờ bắt buộc: %(names)s. Hồ sơ và các giấy tờ đã tải lên vẫn được giữ nguyên."
        ) % {"names": "; ".join(name[:120] for name in names)}
    return ApplicationError(message, code="dossier_incomplete", extra=problems)


def dossier_submit(*, dossier: Dossier, actor: Any, declaration: bool, revision: int | None) -> Dossier:
    """Check the whole dossier and ask for the SMS code that confirms it."""
    from motcua.accounts.otp import otp_send

    if not declaration:
        raise ApplicationError(_("Bạn cần cam đoan các thông tin đã khai là đúng sự thật."), code="dossier_declaration")
    problems = dossier_problems(dossier=dossier)
    if problems:
        raise _incomplete(dossier=dossier, problems=problems)
    phone = _applicant_phone(dossier)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        locked.declaration_accepted_at = timezone.now()
        if locked.status != DossierStatus.AWAITING_CONFIRMATION:
            dossier_transition(dossier=locked, to_status=DossierStatus.AWAITING_CONFIRMATION, actor=actor)
        else:
            locked.save(update_fields=["declaration_accepted_at"])
        otp_send(purpose=OtpPurpose.CONFIRM_SUBMISSION, phone=phone, subject=f"dossier:{locked.pk}")
    return locked


def _applicant_phone(dossier: Dossier) -> str:
    """Where the confirmation code goes. At the counter the officer types the citizen's phone
    and the code the citizen reads out is what verifies it."""
    profile = getattr(dossier.applicant, "citizen", None)
    assisted = dossier.submitted_by_id is not None
    if profile is None or not profile.phone or (profile.phone_verified_at is None and not assisted):
        raise ApplicationError(
            _("Tài khoản chưa có số điện thoại đã xác thực để nhận mã xác nhận."), code="dossier_phone_missing"
        )
    return str(profile.phone)


def due_instant(*, version: ProcedureVersion, start: datetime.datetime) -> datetime.datetime:
    """When the result is due for a dossier counted from `start`, by the working-day calendar
    and the version's own same-day and cut-off rules."""
    calendar = get_calendar()
    cutoff = version.reception_cutoff
    if version.same_day:
        return calendar.same_day_due(start, cutoff=cutoff)
    amount = Decimal(version.processing_time)
    if version.processing_time_unit == TimeUnit.WORKING_HOUR:
        return calendar.add_working_hours(calendar.counting_start(start, cutoff=cutoff), amount)
    return calendar.add_working_days(start, amount, cutoff=cutoff)


def dossier_confirm(*, dossier: Dossier, actor: Any, code: str) -> Dossier:
    """Check the SMS code, give the dossier its national code and hand it to the agency.

    The code is checked in its own transaction first, so a wrong try stays counted even though
    this request fails. A second confirmation (a double click, a form sent twice) finds the
    dossier already submitted and changes nothing.
    """
    from motcua.accounts.otp import otp_verify

    dossier.refresh_from_db()
    if dossier.status == DossierStatus.SUBMITTED and dossier.code:
        return dossier
    try:
        otp_verify(
            purpose=OtpPurpose.CONFIRM_SUBMISSION,
            phone=_applicant_phone(dossier),
            subject=f"dossier:{dossier.pk}",
            code=code,
        )
    except ApplicationError as refused:
        dossier.refresh_from_db()
        if refused.code == "otp_missing" and dossier.status == DossierStatus.SUBMITTED:
            return dossier  # the first click already used the code and submitted
        raise
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        if locked.status == DossierStatus.SUBMITTED and locked.code:
            return locked
        if locked.status != DossierStatus.AWAITING_CONFIRMATION:
            raise ApplicationError(_("Hồ sơ không ở bước chờ xác nhận."), code="dossier_wrong_state")
        CitizenProfile.objects.filter(user_id=locked.applicant_id, phone_verified_at__isnull=True).update(
            phone_verified_at=timezone.now()
        )
        return _dossier_hand_in(dossier=locked, actor=actor)


def _dossier_hand_in(*, dossier: Dossier, actor: Any) -> Dossier:
    """Issue the code, stamp the times and move to the agency's reception queue."""
    now = timezone.now()
    dossier.code = dossier_code_issue(agency=dossier.agency, day=timezone.localdate(now))
    dossier.submitted_at = now
    dossier.applicant_folded = applicant_folded(applicant_name(dossier))
    dossier.expected_due_at = due_instant(version=dossier.procedure_version, start=now)
    dossier_fees_freeze(dossier)
    dossier_transition(dossier=dossier, to_status=DossierStatus.SUBMITTED, actor=actor, summary={"code": dossier.code})
    fees_due_record(dossier=dossier, actor=actor, on_submission=True)
    if dossier.group_id is not None:
        _linked_dossiers_hand_in(lead=dossier, actor=actor)
    acknowledgement_record(dossier=dossier)
    return dossier


def dossier_hand_in_submitted_elsewhere(*, dossier: Dossier, actor: Any) -> Dossier:
    """A draft whose applicant submitted and confirmed it on another system (the national
    portal): it gets its code and goes to the agency's reception queue, as after the SMS code."""
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        if locked.status != DossierStatus.DRAFT:
            raise ApplicationError(_("Hồ sơ không ở trạng thái đang soạn."), code="dossier_wrong_state")
        return _dossier_hand_in(dossier=locked, actor=actor)


def _linked_dossiers_hand_in(*, lead: Dossier, actor: Any) -> None:
    """An interconnected submission: handing in its lead opens the other agencies' dossiers in
    the same transaction (dossiers/groups.py); for a linked dossier itself this does nothing."""
    from motcua.dossiers.groups import dossier_group_members_hand_in

    dossier_group_members_hand_in(lead=lead, actor=actor)


WITHDRAWABLE = {DossierStatus.SUBMITTED, DossierStatus.SUPPLEMENT_REQUESTED}


def dossier_withdraw(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """The citizen takes back a dossier the agency has not accepted yet.

    Withdrawing the lead of an interconnected submission withdraws, in the same transaction,
    its linked dossiers that no agency has accepted either: they rest on the lead's papers.
    Those already accepted stay with their agencies.
    """
    from motcua.dossiers.groups import dossier_group_linked_ids

    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        if locked.status not in WITHDRAWABLE:
            raise ApplicationError(_("Chỉ rút được hồ sơ chưa được tiếp nhận."), code="dossier_not_withdrawable")
        note = reason.strip()[:500]
        withdrawn = dossier_transition(dossier=locked, to_status=DossierStatus.WITHDRAWN, actor=actor, note=note)
        for linked_id in dossier_group_linked_ids(lead=withdrawn):
            linked = dossier_lock(dossier_id=linked_id)
            if linked.status in WITHDRAWABLE:
                linked_note = _("Rút cùng hồ sơ %(code)s: %(reason)s") % {"code": withdrawn.code, "reason": note}
                dossier_transition(dossier=linked, to_status=DossierStatus.WITHDRAWN, actor=actor, note=linked_note)
        return withdrawn


def dossier_supplement_send(*, dossier: Dossier, actor: Any, note: str) -> Dossier:
    """The citizen answers a supplement request with the same code: asked at reception, the
    dossier goes back to the one-stop unit's queue; asked during processing, the clock restarts."""
    problems = dossier_problems(dossier=dossier)
    if problems:
        raise _incomplete(dossier=dossier, problems=problems)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        if locked.status == DossierStatus.PAUSED:
            return processing_resume(dossier=locked, actor=actor, note=note.strip()[:500])
        if locked.status != DossierStatus.SUPPLEMENT_REQUESTED:
            raise ApplicationError(_("Hồ sơ không có yêu cầu bổ sung nào đang chờ."), code="dossier_wrong_state")
        return dossier_transition(
            dossier=locked, to_status=DossierStatus.SUBMITTED, actor=actor, note=note.strip()[:500]
        )
