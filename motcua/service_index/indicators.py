"""The indicators of Decision 766/QĐ-TTg, one definition each (docs/service-index.md).

An indicator this system can compute has a `Measure`: the rows its denominator counts for a
period (a shared row set: dossiers received or handled, feedback, catalogue procedures, narrowed
by a condition of its own) and the condition of the rows its numerator counts. The measures of
one row set are counted together in one grouped query whatever the number of agencies, and a
dossier indicator's drill-down lists exactly the rows it counted, filtered by the same
conditions. An indicator that needs data kept elsewhere (the national procedure database, the
national portal) has no measure but says which data it needs.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import OnlineLevel
from motcua.catalog.models import DossierComponent, Procedure
from motcua.core.periods import Period
from motcua.dossiers.models import Dossier
from motcua.reports.aggregates import CONDITIONS
from motcua.reports.constants import FeedbackCategory, FeedbackStatus
from motcua.reports.models import Feedback
from motcua.reports.statutory import column_conditions, period_candidates, statutory_dossiers
from motcua.service_index.constants import IndicatorGroup as G


def period_instants(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """[the period's first instant, its end): a period running today ends now, so an open
    dossier is judged by the clock as it stands, not by a deadline still to come."""
    first, after = period.bounds()
    return first, min(after, timezone.now())


@dataclass(frozen=True)
class Measure:
    # The row set the denominator counts from for a period; the measures sharing one (the same
    # function) are counted in one query, a single scan of the period's rows.
    rows: Callable[[Period], QuerySet[Any]]
    # The rows among them the numerator counts; None when the numerator is the denominator less
    # the `penalties` (indicator 5.4), each counted on its own as the formula subtracts rates.
    numerator: Callable[[Period], Q] | None
    penalties: Callable[[Period], tuple[Q, ...]] | None = None
    # The condition narrowing the row set to the denominator; None: every row of the set.
    among: Callable[[Period], Q] | None = None
    # The path from a row to its agency; None for the catalogue (the same for every scope).
    agency_path: str | None = "agency"
    # What one unit of count is: the row, or a distinct procedure of the rows.
    counted: str = "pk"
    of_dossiers: bool = True
    # The kept count columns (`reports.aggregates.CONDITIONS`) of a received-set measure: the
    # denominator's (None: every dossier received) and the numerator's, which `among` and
    # `numerator` are the conditions of; the index sums them instead of reading the dossiers.
    kept: tuple[str | None, str] | None = None

    @property
    def lists_dossiers(self) -> bool:
        """Whether the rows are dossiers counted one by one, so the counts drill down to lists."""
        return self.of_dossiers and self.counted == "pk"

    def denominator(self, period: Period) -> QuerySet[Any]:
        rows = self.rows(period)
        return rows if self.among is None else rows.filter(self.among(period))


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    group: G
    formula: str | Promise
    # How this system gets the figures, and where they could differ from the national portal's.
    data_used: str | Promise
    measure: Measure | None = None

    @property
    def computed(self) -> bool:
        return self.measure is not None


# --- Rows ------------------------------------------------------------------------------------


def received_in(period: Period) -> QuerySet[Dossier]:
    """Dossiers received in the period (the formulas' default denominator)."""
    first, end = period_instants(period)
    return Dossier.objects.filter(received_at__gte=first, received_at__lt=end)


def handled(period: Period) -> Q:
    """Resolved in the period or still in progress at its end (2.1), as the statutory report
    counts them (`reports/statutory.py`): its columns "đã giải quyết" and "đang giải quyết", so
    the index and the report agree. Withdrawn and stopped dossiers are in neither."""
    columns = column_conditions(period)
    return columns["da-giai-quyet"] | columns["dang-giai-quyet"]


def handled_in(period: Period) -> QuerySet[Dossier]:
    return statutory_dossiers().filter(period_candidates(period), handled(period))


def on_time(period: Period) -> Q:
    """The national rule (§2.3): resolved early or on time (no later than the appointment, with at
    most one supplement and no apology slip), or still in progress and not overdue at the end."""
    columns = column_conditions(period)
    return columns["truoc-han"] | columns["dung-han"] | columns["dang-trong-han"]


def late(period: Period) -> Q:
    columns = column_conditions(period)
    return columns["qua-han"] | columns["dang-qua-han"]


def complained(period: Period) -> Q:
    """A feedback about the dossier, or a rating with at least one "not satisfied"."""
    return CONDITIONS["complained"]


def feedback_in(period: Period) -> QuerySet[Feedback]:
    first, end = period_instants(period)
    return Feedback.objects.filter(created_at__gte=first, created_at__lt=end)


def catalogue(period: Period) -> QuerySet[Procedure]:
    """Procedures in force in the province's catalogue, as they stand now (not per period)."""
    return Procedure.objects.filter(is_active=True, current_version__isnull=False)


def _fully_publicised(period: Period) -> Q:
    # NĐ 63/2010 Art. 8(2) a–g: steps, methods, papers, time, applicants, agency, result.
    version = "current_version__"
    empty = [Q(**{version + name: []}) for name in ("steps", "methods", "applicants", "results")]
    has_papers = Exists(DossierComponent.objects.filter(version=OuterRef("current_version")))
    return (
        has_papers
        & ~Q(**{version + "implementing_agency": ""})
        & Q(**{version + "processing_time__gt": 0})
        & ~(empty[0] | empty[1] | empty[2] | empty[3])
    )


def kept(among: str | None, numerator: str, **options: Any) -> Measure:
    """A measure over the dossiers received in the period, counted from the kept columns."""

    def condition(column: str) -> Callable[[Period], Q]:
        return lambda period: CONDITIONS[column]

    return Measure(
        rows=received_in,
        among=None if among is None else condition(among),
        numerator=condition(numerator),
        kept=(among, numerator),
        **options,
    )


# --- The indicators --------------------------------------------------------------------------

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "1.1",
        _("TTHC được công bố đúng hạn"),
        G.CKMB,
        _(
            "Số TTHC có quyết định công bố đúng hạn / Số TTHC trong các quyết định công bố ban hành "
            "trong kỳ × 100. Cấp tỉnh: ngày QĐCB ≤ ngày có hiệu lực muộn nhất của căn cứ pháp lý − 5 "
            "ngày làm việc."
        ),
        _(
            "Cần ngày ban hành quyết định công bố (QĐCB) và ngày có hiệu lực của văn bản quy định, "
            "lưu tại Cơ sở dữ liệu quốc gia về TTHC; hệ thống chưa có các ngày này."
        ),
    ),
    Indicator(
        "1.2",
        _("TTHC được cập nhật, công khai đúng hạn trên CSDL quốc gia"),
        G.CKMB,
        _(
            "Số TTHC công khai ≤ 5 ngày làm việc sau ngày QĐCB / (Số TTHC công khai trong kỳ + Số "
            "TTHC đến hạn công khai trong kỳ) × 100."
        ),
        _(
            "Cần ngày QĐCB và ngày công khai trên CSDL quốc gia về TTHC; hệ thống chỉ lưu ngày cập "
            "nhật bản ghi quốc gia, không lưu ngày QĐCB."
        ),
    ),
    Indicator(
        "1.3",
        _("TTHC được công khai đầy đủ các bộ phận"),
        G.CKMB,
        _(
            "Số TTHC công khai đủ các bộ phận (Điều 8 khoản 2 NĐ 63/2010: trình tự, cách thức, thành "
            "phần hồ sơ, thời hạn, đối tượng, cơ quan thực hiện, kết quả) / Số TTHC đang công khai × "
            "100. Tính tại thời điểm hiện tại."
        ),
        _(
            "Danh mục TTHC của hệ thống (bản sao từ CSDL quốc gia): phiên bản hiện hành của mỗi thủ "
            "tục đang áp dụng. Giống nhau cho mọi cơ quan, xã."
        ),
        Measure(rows=catalogue, numerator=_fully_publicised, agency_path=None, of_dossiers=False),
    ),
    Indicator(
        "1.4",
        _("Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"),
        G.CKMB,
        _("Số hồ sơ tiếp nhận trong kỳ đã đồng bộ lên Cổng DVCQG / Số hồ sơ phải đồng bộ × 100."),
        _(
            "Dữ liệu của hệ thống: mẫu số là hồ sơ hệ thống tiếp nhận trong kỳ (không phải số lớn hơn "
            "giữa Hệ thống báo cáo quốc gia và Cổng DVCQG như Cổng tính); tử số là hồ sơ có ít nhất "
            "một bản ghi đã gửi thành công (hàng đợi đồng bộ) hoặc nhận từ Cổng DVCQG. Số của Cổng có "
            "thể khác khi Cổng ghi nhận hồ sơ mà hệ thống không có."
        ),
        kept(None, "synced"),
    ),
    Indicator(
        "2.1",
        _("Tỉ lệ hồ sơ giải quyết trước hạn, đúng hạn"),
        G.TDGQ,
        _(
            "Số hồ sơ đã giải quyết hoặc đang giải quyết trước hạn, đúng hạn / Số hồ sơ tiếp nhận "
            "hoặc giải quyết trong kỳ × 100. Đúng hạn: thời điểm có kết quả ≤ ngày hẹn trả; bổ sung "
            "hồ sơ quá một lần hoặc có phiếu xin lỗi là trễ hạn; hồ sơ còn mở lấy cuối kỳ làm mốc."
        ),
        _(
            "Hồ sơ của hệ thống, quy tắc đúng hạn quốc gia (motcua/dossiers/deadlines.py). Mẫu số: hồ "
            "sơ tiếp nhận trước cuối kỳ chưa có kết quả trước đầu kỳ; không tính hồ sơ đã rút, dừng "
            "xử lý."
        ),
        Measure(rows=handled_in, numerator=on_time),
    ),
    Indicator(
        "2.2",
        _("Thời gian giải quyết trung bình của từng TTHC"),
        G.TDGQ,
        _("Tổng thời gian giải quyết các hồ sơ đã hoàn thành / Số hồ sơ đã hoàn thành. Chỉ số tham khảo."),
        _(
            "Tính theo từng thủ tục, không phải tỉ lệ và không tính điểm; xem bảng điều hành (thời "
            "gian xử lý trung bình)."
        ),
    ),
    Indicator(
        "3.1",
        _("TTHC cung cấp dịch vụ công trực tuyến"),
        G.CLGQ,
        _(
            "Số TTHC có dịch vụ công trực tuyến một phần hoặc toàn trình / Số TTHC thuộc thẩm quyền "
            "của tỉnh × 100. Từ 80 % đạt điểm tối đa."
        ),
        _("Danh mục TTHC của hệ thống (mức độ trực tuyến của phiên bản hiện hành). Giống nhau cho mọi cơ quan, xã."),
        Measure(
            rows=catalogue,
            numerator=lambda period: Q(current_version__online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL]),
            agency_path=None,
            of_dossiers=False,
        ),
    ),
    Indicator(
        "3.1a",
        _("TTHC đủ điều kiện cung cấp dịch vụ công trực tuyến toàn trình đã cung cấp toàn trình"),
        G.CLGQ,
        _("Số TTHC cung cấp toàn trình / Số TTHC đủ điều kiện toàn trình × 100. Chỉ số tham khảo."),
        _("Danh mục TTHC của hệ thống (cờ “đủ điều kiện toàn trình”). Giống nhau cho mọi cơ quan, xã."),
        Measure(
            rows=catalogue,
            among=lambda period: Q(current_version__full_process_eligible=True),
            numerator=lambda period: Q(current_version__online_level=OnlineLevel.FULL),
            agency_path=None,
            of_dossiers=False,
        ),
    ),
    Indicator(
        "3.2",
        _("Dịch vụ công trực tuyến có phát sinh hồ sơ"),
        G.CLGQ,
        _(
            "Số dịch vụ công trực tuyến có ít nhất một hồ sơ tiếp nhận trực tuyến / Số dịch vụ công "
            "trực tuyến của đơn vị áp dụng × 100."
        ),
        _(
            "Cần danh sách dịch vụ công trực tuyến theo từng đơn vị áp dụng (trạng thái công khai, "
            "chờ thu hồi, thử nghiệm) trên Cổng DVCQG; hệ thống không lưu thủ tục nào cơ quan nào "
            "áp dụng."
        ),
    ),
    Indicator(
        "3.3",
        _("Tỉ lệ hồ sơ trực tuyến"),
        G.CLGQ,
        _(
            "Số hồ sơ tiếp nhận trực tuyến (thủ tục yêu cầu kết quả giấy thì phải có kết quả điện "
            "tử) / Tổng số hồ sơ tiếp nhận × 100. Từ 50 % đạt điểm tối đa."
        ),
        _(
            "Hồ sơ của hệ thống: kênh trực tuyến và Cổng DVCQG. Cổng nhân thêm tỉ lệ đồng bộ (1.4); "
            "trang này không nhân, để tử số khớp với danh sách hồ sơ."
        ),
        kept(None, "online_e_result"),
    ),
    Indicator(
        "3.5",
        _("TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến"),
        G.TTTT,
        _("Số TTHC có hồ sơ thanh toán trực tuyến / Số TTHC có phí, lệ phí × 100. Từ 80 % đạt điểm tối đa."),
        _(
            "Hệ thống: thủ tục có phí, lệ phí (danh mục) và có hồ sơ tiếp nhận trong kỳ; tử số là thủ "
            "tục trong số đó có hồ sơ đã thanh toán qua cổng thanh toán hoặc nền tảng thanh toán của "
            "Cổng DVCQG. Cổng DVCQG lấy mẫu số từ CSDL quốc gia (mọi thủ tục có phí)."
        ),
        kept("fee_defined", "fee_defined_paid_online", counted="procedure_version__procedure"),
    ),
    Indicator(
        "3.6",
        _("Tỉ lệ hồ sơ thanh toán trực tuyến"),
        G.TTTT,
        _("Số hồ sơ đã thanh toán trực tuyến / Số hồ sơ có phí, lệ phí phải nộp khác 0 × 100."),
        _(
            "Hồ sơ của hệ thống tiếp nhận trong kỳ có số phí, lệ phí phải nộp khác 0; giao dịch đã thanh "
            "toán trực tuyến."
        ),
        kept("fee_payable", "paid_online"),
    ),
    Indicator(
        "4.1",
        _("Hồ sơ có kết quả điện tử"),
        G.MDSH,
        _("Số hồ sơ có kết quả điện tử / Số hồ sơ của TTHC yêu cầu kết quả bằng giấy × 100."),
        _(
            "Hồ sơ của hệ thống tiếp nhận trong kỳ, đã có kết quả, của thủ tục yêu cầu kết quả giấy; kết "
            "quả điện tử là văn bản kết quả ký số."
        ),
        kept("paper_result", "paper_result_e"),
    ),
    Indicator(
        "4.2",
        _("Tỉ lệ số hóa hồ sơ"),
        G.MDSH,
        _(
            "Số hồ sơ được số hóa (có tệp đính kèm thành phần hồ sơ, kể cả nộp tại quầy, bưu điện; có "
            "kết quả điện tử nếu thủ tục yêu cầu kết quả giấy) / Tổng số hồ sơ × 100. Từ 80 % đạt điểm "
            "tối đa."
        ),
        _("Hồ sơ của hệ thống tiếp nhận trong kỳ và tệp đính kèm của chúng."),
        kept(None, "digitised_e_result"),
    ),
    Indicator(
        "4.3",
        _("Tỉ lệ khai thác, sử dụng lại dữ liệu số hóa"),
        G.MDSH,
        _(
            "Số hồ sơ có ít nhất một thành phần sử dụng lại dữ liệu đã số hóa / Số hồ sơ tiếp nhận × "
            "100. Từ 80 % đạt điểm tối đa."
        ),
        _("Hồ sơ của hệ thống tiếp nhận trong kỳ có giấy tờ lấy từ kho dữ liệu của công dân."),
        kept(None, "reused"),
    ),
    Indicator(
        "4.4",
        _("Hồ sơ số hóa kết nối với Kho quản lý dữ liệu điện tử trên Cổng DVCQG"),
        G.MDSH,
        _(
            "Số hồ sơ có thành phần lấy từ Kho dữ liệu của cá nhân trên Cổng DVCQG hoặc kết quả điện "
            "tử được đồng bộ vào kho đó / Số hồ sơ tiếp nhận × 100."
        ),
        _(
            "Cần cờ DuocLayTuKhoDMQG và trạng thái đồng bộ kết quả vào kho của Cổng DVCQG; kho dữ liệu "
            "của hệ thống là kho của tỉnh, không phải kho của Cổng."
        ),
    ),
    Indicator(
        "4.5",
        _("Sử dụng dữ liệu dân cư (VNeID)"),
        G.MDSH,
        _(
            "Số hồ sơ của cá nhân nộp bằng tài khoản xác thực VNeID hoặc dùng dữ liệu CSDL quốc gia về "
            "dân cư / Số hồ sơ của cá nhân × 100."
        ),
        _(
            "Hồ sơ của hệ thống tiếp nhận trong kỳ, người nộp là cá nhân (không nộp thay tổ chức); tử "
            "số là hồ sơ của người có tài khoản đăng nhập VNeID. Hệ thống chưa lưu cờ dùng dữ liệu dân "
            "cư (MaCSDL) nên tử số có thể thấp hơn số của Cổng."
        ),
        kept("personal", "personal_vneid"),
    ),
    Indicator(
        "5.1",
        _("Phản ánh, kiến nghị về quy định hành chính"),
        G.MDHL,
        _("Số PAKN về quy định, thủ tục hành chính / Tổng số PAKN trong kỳ × 100. Chỉ số tham khảo."),
        _("Phản ánh, kiến nghị gửi đến hệ thống trong kỳ, theo loại."),
        Measure(
            rows=feedback_in,
            numerator=lambda period: Q(category=FeedbackCategory.REGULATION),
            of_dossiers=False,
        ),
    ),
    Indicator(
        "5.2",
        _("Phản ánh, kiến nghị được xử lý đúng hạn"),
        G.MDHL,
        _(
            "Số PAKN xử lý đúng hạn / Số PAKN tiếp nhận trong kỳ × 100. Đúng hạn: trả lời hoặc từ chối "
            "trước hạn trả lời; PAKN còn mở đúng hạn khi chưa quá hạn vào cuối kỳ."
        ),
        _(
            "Phản ánh, kiến nghị gửi đến hệ thống trong kỳ và hạn trả lời của chúng (15 ngày làm việc). "
            "Hệ thống chưa tách hạn từ chối (2 ngày), yêu cầu bổ sung (5 ngày), công khai (2 ngày)."
        ),
        Measure(
            rows=feedback_in,
            numerator=lambda period: (
                Q(answered_at__isnull=False, answered_at__lte=F("due_at"))
                | Q(status=FeedbackStatus.RECEIVED, due_at__gte=period_instants(period)[1])
            ),
            of_dossiers=False,
        ),
    ),
    Indicator(
        "5.3",
        _("Mức độ hài lòng về xử lý phản ánh, kiến nghị"),
        G.MDHL,
        _(
            "(Số PAKN − PAKN bị đánh giá không hài lòng, xử lý trễ hạn hoặc bị khiếu nại lặp lại) / Số "
            "PAKN tiếp nhận lần đầu trong kỳ × 100."
        ),
        _(
            "Cần lượt đánh giá thích / không thích của người dân với câu trả lời PAKN trên Cổng DVCQG "
            "và việc khiếu nại lặp lại; hệ thống không có các dữ liệu này."
        ),
    ),
    Indicator(
        "5.4",
        _("Mức độ hài lòng trong tiếp nhận, giải quyết TTHC"),
        G.MDHL,
        _(
            "100 % − (Tỉ lệ hồ sơ trễ hạn + Tỉ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài "
            "lòng). Từ 90 % đạt điểm tối đa."
        ),
        _(
            "Cùng mẫu số với chỉ số 2.1; trễ hạn theo quy tắc 2.1; phản ánh gắn với hồ sơ và đánh giá "
            "có ít nhất một mức “Không hài lòng” trong hệ thống. Tử số = mẫu số − số trễ hạn − số có "
            "phản ánh hoặc không hài lòng (hồ sơ vừa trễ vừa bị phản ánh bị trừ hai lần như công thức)."
        ),
        Measure(
            rows=handled_in,
            numerator=None,
            penalties=lambda period: (late(period), complained(period)),
        ),
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
