"""Citizens rate a returned dossier once, on the national three-level scale, and only their own;
feedback is answered by the agency within 15 working days, and only by its officers."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from motcua.core.errors import ApplicationError
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.reports.constants import FeedbackCategory, FeedbackStatus, Satisfaction
from motcua.reports.services import feedback_answer, feedback_submit, rating_submit

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
GOOD = {"agency_level": Satisfaction.VERY_SATISFIED, "officer_level": Satisfaction.SATISFIED}


def _returned(hung, version) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, version)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED)
    return Dossier.objects.get(pk=dossier.pk)


def test_rating_once_by_the_applicant_after_return(hung, birth_version) -> None:
    dossier = submitted_dossier(hung, birth_version)
    with pytest.raises(ApplicationError) as early:
        rating_submit(dossier=dossier, actor=hung, result_level=Satisfaction.SATISFIED, comment="", **GOOD)
    assert early.value.code == "rating_too_early"
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED)
    dossier.refresh_from_db()
    other = citizen(phone="0987654321", id_number="066194000104")
    with pytest.raises(ApplicationError) as forbidden:
        rating_submit(dossier=dossier, actor=other, result_level=Satisfaction.SATISFIED, comment="", **GOOD)
    assert forbidden.value.code == "rating_forbidden"
    with pytest.raises(ApplicationError) as missing:
        rating_submit(dossier=dossier, actor=hung, result_level="", comment="", **GOOD)
    assert missing.value.code == "rating_level"
    rating = rating_submit(
        dossier=dossier, actor=hung, result_level=Satisfaction.DISSATISFIED, comment="Chờ lâu", **GOOD
    )
    assert rating.dislike and rating.agency == dossier.agency
    with pytest.raises(ApplicationError) as twice:
        rating_submit(dossier=dossier, actor=hung, result_level=Satisfaction.SATISFIED, comment="", **GOOD)
    assert twice.value.code == "rating_exists"


def test_rating_page(client, hung, birth_version) -> None:
    dossier = _returned(hung, birth_version)
    client.force_login(hung)
    assert f"/danh-gia/{dossier.pk}/" in client.get(f"/ho-so/{dossier.pk}/").content.decode()
    page = client.get(f"/danh-gia/{dossier.pk}/").content.decode()
    assert "Rất hài lòng" in page and "Không hài lòng" in page
    response = client.post(
        f"/danh-gia/{dossier.pk}/",
        {"agency_level": "very_satisfied", "officer_level": "satisfied", "result_level": "satisfied"},
        follow=True,
    )
    assert "Hồ sơ đã được đánh giá" in response.content.decode()
    client.force_login(citizen(phone="0987654321", id_number="066194000104"))
    assert client.get(f"/danh-gia/{dossier.pk}/").status_code == 404


def test_feedback_is_due_in_15_working_days_and_answered_by_the_agency(hung, birth_version) -> None:
    agency = Agency.objects.get(code="UBND-24121")
    with pytest.raises(ApplicationError) as incomplete:
        feedback_submit(author=hung, agency_id=agency.pk, category="", title="", content="ngắn")
    assert set(incomplete.value.extra) == {"category", "title", "content"}
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=VN), tick=False):
        feedback = feedback_submit(
            author=hung,
            agency_id=agency.pk,
            category=FeedbackCategory.BEHAVIOUR,
            title="Cán bộ hẹn sai ngày",
            content="Tôi được hẹn nhận kết quả nhưng đến nơi chưa có kết quả.",
        )
    # 15 working days after Monday 7 December 2026: Monday 28 December.
    assert feedback.due_at.astimezone(VN).date() == datetime.date(2026, 12, 28)
    with pytest.raises(ApplicationError) as forbidden:
        feedback_answer(feedback=feedback, officer=officer("stp", agency="STP"), answer="Xin lỗi ông bà vì sự cố này.")
    assert forbidden.value.code == "feedback_forbidden"
    answered = feedback_answer(
        feedback=feedback, officer=officer("xa.ld", role=Role.LEADER), answer="Đã nhắc nhở cán bộ, xin lỗi ông."
    )
    assert answered.status == FeedbackStatus.ANSWERED
    with pytest.raises(ApplicationError) as closed:
        feedback_answer(feedback=feedback, officer=officer("xa.tn"), answer="Trả lời lần thứ hai cho phản ánh.")
    assert closed.value.code == "feedback_closed"


def test_feedback_pages(client, hung, birth_version) -> None:
    agency = Agency.objects.get(code="UBND-24121")
    client.force_login(hung)
    bad = client.post("/phan-anh/gui/", {"agency": agency.pk, "title": "", "content": ""}).content.decode()
    assert "Hãy nhập tiêu đề" in bad and "Hãy chọn loại phản ánh" in bad
    client.post(
        "/phan-anh/gui/",
        {
            "agency": agency.pk,
            "category": "regulation",
            "title": "Thủ tục rườm rà",
            "content": "Giấy tờ yêu cầu nộp trùng lặp với dữ liệu đã có.",
        },
    )
    assert "Thủ tục rườm rà" in client.get("/phan-anh/").content.decode()
    staff = officer("xa.cv", role=Role.SPECIALIST)
    client.force_login(staff)
    page = client.get("/can-bo/phan-anh/").content.decode()
    assert "Thủ tục rườm rà" in page
    client.force_login(officer("stp.cv", agency="STP", role=Role.SPECIALIST))
    assert "Thủ tục rườm rà" not in client.get("/can-bo/phan-anh/").content.decode()


def _rated(applicant, version, receiver, **levels: str) -> None:  # type: ignore[no-untyped-def]
    dossier = _returned(applicant, version)
    Dossier.objects.filter(pk=dossier.pk).update(received_by=receiver, received_at=timezone.now())
    dossier.refresh_from_db()
    rating_submit(dossier=dossier, actor=applicant, comment=levels.pop("comment", ""), **levels)


def test_ratings_feed_the_board_and_the_leaders_dashboard(client, hung, birth_version) -> None:
    """Each agency's row on the public board shows its satisfied share; the agency's leader sees
    it per receiving officer, an officer only their own, another agency's leader nothing."""
    tiep, nhan = officer("xa.tiep"), officer("xa.nhan")
    liked = {"agency_level": Satisfaction.SATISFIED, "result_level": Satisfaction.SATISFIED}
    _rated(hung, birth_version, tiep, officer_level=Satisfaction.VERY_SATISFIED, **liked)
    _rated(hung, birth_version, tiep, officer_level=Satisfaction.SATISFIED, **liked)
    _rated(hung, birth_version, nhan, officer_level=Satisfaction.DISSATISFIED, comment="Thái độ chưa tốt", **liked)
    board = client.get("/cong-khai/").content.decode()
    assert "66,7%" in board and "3 lượt" in board, "one of three ratings is dissatisfied"

    client.force_login(officer("xa.lanhdao", role=Role.LEADER))
    page = client.get("/can-bo/danh-gia/").content.decode()
    assert "Đánh giá từ ngày" in page and 'name="den"' in page
    table = page.split('data-testid="ratings-by-officer"')[1]
    nhan_row, tiep_row = table.split("Cán bộ xa.nhan")[1], table.split("Cán bộ xa.tiep")[1]
    assert table.index("Cán bộ xa.nhan") < table.index("Cán bộ xa.tiep"), "the most dissatisfied first"
    assert "0,0%" in nhan_row.split("</tr>")[0] and "100,0%" in tiep_row.split("</tr>")[0]
    assert "Thái độ chưa tốt" in table

    client.force_login(tiep)
    own = client.get("/can-bo/danh-gia/").content.decode()
    assert "Cán bộ xa.tiep" in own and "Cán bộ xa.nhan" not in own and "Thái độ chưa tốt" not in own
    client.force_login(officer("stp.lanhdao", agency="STP", role=Role.LEADER))
    assert "Chưa có đánh giá nào" in client.get("/can-bo/danh-gia/").content.decode()
