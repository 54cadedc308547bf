"""Citizens rate returned dossiers and send feedback; agencies answer feedback on deadline."""

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.workdays import get_calendar
from motcua.directory.constants import Role
from motcua.directory.models import Agency, StaffRole
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record
from motcua.reports.constants import FeedbackCategory, FeedbackStatus, Satisfaction
from motcua.reports.models import Feedback, SatisfactionRating

# Indicator 5.2 of Decision 766: feedback is answered within 15 working days.
FEEDBACK_WORKING_DAYS = 15
FEEDBACK_MIN_LENGTH = 20
ANSWERING_ROLES = {Role.LEADER, Role.SPECIALIST, Role.RECEPTION}


def _level(value: str) -> str:
    if value not in Satisfaction.values:
        raise ApplicationError(_("Hãy chọn mức độ hài lòng cho từng nội dung."), code="rating_level")
    return value


def rating_submit(
    *, dossier: Dossier, actor: Any, agency_level: str, officer_level: str, result_level: str, comment: str
) -> SatisfactionRating:
    """The applicant rates a returned dossier once; a second rating (form sent twice) is refused."""
    if dossier.applicant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("Chỉ người nộp hồ sơ được đánh giá."), code="rating_forbidden")
    if dossier.status != DossierStatus.RETURNED:
        raise ApplicationError(_("Chỉ đánh giá được sau khi đã nhận kết quả."), code="rating_too_early")
    levels = [_level(agency_level), _level(officer_level), _level(result_level)]
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(
                dossier=dossier,
                agency=dossier.agency,
                officer_id=dossier.received_by_id,
                agency_level=levels[0],
                officer_level=levels[1],
                result_level=levels[2],
                comment=comment.strip()[:2000],
            )
            audit_record(actor=actor, action="reports.rated", obj=dossier, summary={"levels": levels})
            domain_event_record(
                dossier=dossier,
                kind=EventKind.RATED,
                actor=actor,
                payload={
                    "rating_id": rating.pk,
                    "agency_code": dossier.agency.code,
                    "agency_level": levels[0],
                    "officer_level": levels[1],
                    "result_level": levels[2],
                },
            )
            # The tracking page, kept per revision, drops its invitation to rate.
            Dossier.objects.filter(pk=dossier.pk).update(revision=F("revision") + 1)
    except IntegrityError:
        raise ApplicationError(_("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà."), code="rating_exists") from None
    return rating


def _feedback_code() -> str:
    while True:
        code = "PA-" + secrets.token_hex(4).upper()
        if not Feedback.objects.filter(code=code).exists():
            return code


def feedback_submit(
    *, author: Any, agency_id: int, category: str, title: str, content: str, dossier: Dossier | None = None
) -> Feedback:
    """Record a citizen's feedback for an agency, due 15 working days later."""
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    problems = {}
    if agency is None:
        problems["agency"] = _("Hãy chọn cơ quan tiếp nhận phản ánh.")
    if category not in FeedbackCategory.values:
        problems["category"] = _("Hãy chọn loại phản ánh.")
    if not title.strip():
        problems["title"] = _("Hãy nhập tiêu đề.")
    if len(content.strip()) < FEEDBACK_MIN_LENGTH:
        problems["content"] = _("Hãy mô tả nội dung phản ánh (ít nhất %(n)d ký tự).") % {"n": FEEDBACK_MIN_LENGTH}
    if problems:
        raise ApplicationError(_("Phản ánh chưa đầy đủ."), code="feedback_invalid", extra=problems)
    assert agency is not None
    now = timezone.now()
    with transaction.atomic():
        feedback = Feedback.objects.create(
            code=_feedback_code(),
            agency=agency,
            dossier=dossier,
            author=author,
            category=category,
            title=title.strip()[:200],
            content=content.strip()[:8000],
            due_at=get_calendar().add_working_days(now, FEEDBACK_WORKING_DAYS),
        )
        audit_record(actor=author, action="reports.feedback_received", obj=feedback, summary={"agency": agency.code})
        if dossier is not None:  # the stream is per dossier; other feedback lives in its own table
            domain_event_record(
                dossier=dossier,
                kind=EventKind.FEEDBACK_RECEIVED,
                actor=author,
                payload={**_feedback_payload(feedback), "due_at": feedback.due_at},
            )
    return feedback


def _feedback_payload(feedback: Feedback) -> dict[str, Any]:
    return {
        "feedback_id": feedback.pk,
        "feedback_code": feedback.code,
        "category": feedback.category,
        "agency_code": feedback.agency.code,
        "status": feedback.status,
    }


def feedback_answer(*, feedback: Feedback, officer: Any, answer: str, reject: bool = False) -> Feedback:
    """An officer of the agency answers (or declines) the feedback; it is then closed."""
    if not StaffRole.objects.filter(user=officer, agency_id=feedback.agency_id, role__in=ANSWERING_ROLES).exists():
        raise ApplicationError(_("Chỉ cán bộ của cơ quan được trả lời phản ánh này."), code="feedback_forbidden")
    text = answer.strip()
    if len(text) < FEEDBACK_MIN_LENGTH:
        raise ApplicationError(
            _("Hãy nhập nội dung trả lời (ít nhất %(n)d ký tự).") % {"n": FEEDBACK_MIN_LENGTH}, code="answer_required"
        )
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.status != FeedbackStatus.RECEIVED:
            raise ApplicationError(_("Phản ánh này đã được trả lời."), code="feedback_closed")
        locked.status = FeedbackStatus.REJECTED if reject else FeedbackStatus.ANSWERED
        locked.answer = text[:8000]
        locked.answered_at = timezone.now()
        locked.answered_by = officer
        locked.save()
        audit_record(actor=officer, action="reports.feedback_answered", obj=locked, summary={"status": locked.status})
        if locked.dossier is not None:
            domain_event_record(
                dossier=locked.dossier,
                kind=EventKind.FEEDBACK_ANSWERED,
                actor=officer,
                payload={**_feedback_payload(locked), "answered_at": locked.answered_at},
            )
    return locked
