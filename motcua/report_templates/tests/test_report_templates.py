"""Report templates: the table equals the dashboard's numbers (hence its drill-down lists) in
every grouping, the files carry the same figures, and the scheduled sending mails each leader
once per period, only the scopes they may see, with the file attached through the outbox."""

import datetime
import io
import subprocess
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.dossiers.testing import officer
from motcua.leaders.scopes import scope_resolve
from motcua.leaders.selectors import Filters, drill_down
from motcua.leaders.testing import DAYS, FIRST_DAY, DataSet, data_set_made
from motcua.notifications.channels import _attachments
from motcua.notifications.models import OutboxMessage
from motcua.report_templates.admin import ReportTemplateForm
from motcua.report_templates.constants import FileFormat, Frequency, Grouping, Period
from motcua.report_templates.models import ReportTemplate
from motcua.report_templates.periods import period_covered, sending_day
from motcua.report_templates.services import reports_due_send
from motcua.report_templates.tables import report_table

pytestmark = pytest.mark.django_db
START, END = FIRST_DAY, FIRST_DAY + datetime.timedelta(days=DAYS - 1)
MEASURES = ["received", "received_online", "finished_late", "in_progress_overdue", "paid_online", "dissatisfied"]
# The data set's days fall in November 2026: a monthly report made on 1 December covers them.
SENDING_DAY = datetime.date(2026, 12, 1)


@pytest.fixture
def data(hung: Any, birth_version: Any) -> DataSet:
    return data_set_made(applicant=hung, version=birth_version)


@pytest.fixture
def supervisor() -> Any:
    user = officer("tinh.gs", role=Role.SUPERVISOR)
    user.email = "giamsat@example.vn"
    user.save(update_fields=["email"])
    return user


def _template(**fields: Any) -> ReportTemplate:
    values = {"name": "Tình hình giải quyết hồ sơ", "measures": MEASURES, "grouping": Grouping.AGENCY}
    return ReportTemplate.objects.create(**(values | fields))


@pytest.mark.parametrize("grouping", Grouping.values)
def test_the_table_equals_the_drill_down_lists_in_every_grouping(data: DataSet, supervisor: Any, grouping: str) -> None:
    scope = scope_resolve(user=supervisor, key="tinh")
    table = report_table(_template(grouping=grouping), scope=scope, start=START, end=END)
    filters = Filters(start=START, end=END)
    assert table.totals == [drill_down(scope, filters, name).count() for name in MEASURES]
    assert table.totals[0] == 56  # the data set's dossiers
    assert all(any(values) for _name, values in table.rows)
    if grouping == Grouping.AGENCY:
        assert sorted(name for name, _values in table.rows) == sorted([data.ward.name, data.justice.name])
        for name, values in table.rows:
            agency = data.ward if name == data.ward.name else data.justice
            own = scope_resolve(user=supervisor, key=f"co-quan-{agency.pk}")
            assert values == [drill_down(own, filters, measure).count() for measure in MEASURES]
    if grouping == Grouping.DAY:
        assert len(table.rows) == DAYS


def test_an_empty_period_gives_zeros_not_an_error(data: DataSet, supervisor: Any) -> None:
    scope = scope_resolve(user=supervisor, key="tinh")
    table = report_table(_template(), scope=scope, start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31))
    assert table.rows == [] and table.totals == [0] * len(MEASURES)


def test_the_excel_and_pdf_files_carry_the_figures(data: DataSet, supervisor: Any, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    from motcua.report_templates.exports import report_file

    scope = scope_resolve(user=supervisor, key="tinh")
    template = _template(footnote="Số liệu tự động từ hệ thống.")
    table = report_table(template, scope=scope, start=START, end=END)
    name, content, mimetype = report_file(template, table)
    assert name.endswith(".xlsx") and "spreadsheetml" in mimetype
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    total = next(row for row in cells if row[0] == "Tổng cộng")
    assert list(total[1 : len(MEASURES) + 1]) == table.totals
    assert cells[0][0] == template.name

    template.file_format = FileFormat.PDF
    name, content, mimetype = report_file(template, table)
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    (tmp_path / name).write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / name), "-"], capture_output=True, text=True).stdout
    assert "TÌNH HÌNH GIẢI QUYẾT HỒ SƠ" in text and "Tổng cộng" in text and "Thủ trưởng đơn vị" in text
    assert data.justice.name in text and " 56 " in f" {text} ".replace("\n", " ")


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        (Period.YESTERDAY, datetime.date(2026, 3, 1), (datetime.date(2026, 2, 28), datetime.date(2026, 2, 28))),
        (Period.LAST_WEEK, datetime.date(2026, 12, 9), (datetime.date(2026, 11, 30), datetime.date(2026, 12, 6))),
        (Period.LAST_MONTH, datetime.date(2026, 1, 15), (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))),
        (Period.LAST_QUARTER, datetime.date(2026, 5, 2), (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))),
        (Period.LAST_YEAR, datetime.date(2026, 7, 1), (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))),
    ],
)
def test_the_period_covered(period: str, today: datetime.date, expected: tuple[datetime.date, datetime.date]) -> None:
    assert period_covered(period, today) == expected


def test_sending_days() -> None:
    monday, tuesday = datetime.date(2026, 12, 7), datetime.date(2026, 12, 8)
    assert sending_day(Frequency.WEEKLY, monday) and not sending_day(Frequency.WEEKLY, tuesday)
    assert sending_day(Frequency.MONTHLY, SENDING_DAY) and not sending_day(Frequency.MONTHLY, tuesday)
    assert sending_day(Frequency.QUARTERLY, datetime.date(2026, 10, 1))
    assert not sending_day(Frequency.QUARTERLY, SENDING_DAY)


def test_due_reports_are_mailed_once_to_leaders_who_may_see_them(
    data: DataSet, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ward_leader = officer("xa.ld", role=Role.LEADER)  # the ward's leader: not the province
    ward_leader.email = "lanhdao.xa@example.vn"
    ward_leader.save(update_fields=["email"])
    template = _template(frequency=Frequency.MONTHLY, period=Period.LAST_MONTH)
    template.recipients.set([supervisor, ward_leader])
    weekly = _template(name="Tuần", frequency=Frequency.WEEKLY, period=Period.LAST_WEEK)
    weekly.recipients.set([supervisor])

    assert reports_due_send(today=datetime.date(2026, 12, 2)) == {"templates": 0, "emails": 0}
    with django_capture_on_commit_callbacks():
        assert reports_due_send(today=SENDING_DAY) == {"templates": 1, "emails": 1}
    message = OutboxMessage.objects.get(event="scheduled_report")
    assert message.recipient == supervisor.email
    assert "01/11/2026" in message.subject and "30/11/2026" in message.subject
    [attachment] = _attachments(message)
    assert attachment.filename.endswith(".xlsx") and default_storage.exists(message.attachment_file)
    from openpyxl import load_workbook

    cells = list(load_workbook(io.BytesIO(attachment.content)).active.iter_rows(values_only=True))
    assert next(row for row in cells if row[0] == "Tổng cộng")[1] == 56
    skipped = AuditEvent.objects.filter(action="report_templates.recipient_skipped")
    assert [event.summary for event in skipped] == [{"recipient": ward_leader.pk, "reason": "scope_not_theirs"}]

    # The worker runs hourly: the same day again sends nothing new.
    assert reports_due_send(today=SENDING_DAY) == {"templates": 1, "emails": 0}
    assert OutboxMessage.objects.filter(event="scheduled_report").count() == 1


def test_the_admin_form_refuses_a_recipient_outside_the_scope(data: DataSet, supervisor: Any) -> None:
    ward_leader = officer("xa.ld", role=Role.LEADER)
    form = ReportTemplateForm(
        data={
            "name": "Báo cáo tháng",
            "measures": ["received", "finished_late"],
            "grouping": Grouping.FIELD,
            "period": Period.LAST_MONTH,
            "scope": "tinh",
            "file_format": FileFormat.PDF,
            "orientation": "landscape",
            "frequency": Frequency.MONTHLY,
            "recipients": [supervisor.pk, ward_leader.pk],
            "active": True,
        }
    )
    assert not form.is_valid()
    assert "không được xem số liệu của phạm vi này" in str(form.errors)
    bad = ReportTemplateForm(data={**form.data, "recipients": [supervisor.pk], "measures": ["nonsense"]})
    assert not bad.is_valid() and "measures" in bad.errors
    good = ReportTemplateForm(data={**form.data, "recipients": [supervisor.pk]})
    assert good.is_valid(), good.errors
    assert good.save().measures == ["received", "finished_late"]


def test_a_leader_downloads_only_the_reports_they_receive(data: DataSet, supervisor: Any, client: Client) -> None:
    ward_leader = officer("xa.ld", role=Role.LEADER)
    mine = _template(name="Của xã", scope=f"co-quan-{data.ward.pk}")
    mine.recipients.set([ward_leader])
    province = _template(name="Của tỉnh")
    province.recipients.set([supervisor])
    client.force_login(ward_leader)
    listed = client.get(reverse("report_templates:list")).content.decode()
    assert "Của xã" in listed and "Của tỉnh" not in listed
    response = client.get(reverse("report_templates:download", args=[mine.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert client.get(reverse("report_templates:download", args=[province.pk])).status_code == 404
    # Named a recipient of a province report behind the form's back: still refused.
    province.recipients.add(ward_leader)
    assert client.get(reverse("report_templates:download", args=[province.pk])).status_code == 403


def test_the_admin_says_in_vietnamese_that_a_refused_recipient_must_be_corrected(
    data: DataSet, supervisor: Any, client: Client
) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("qt.test", "qt@example.vn", "x")
    ward_leader = officer("xa.ld", role=Role.LEADER)
    client.force_login(admin)
    response = client.post(
        reverse("admin:report_templates_reporttemplate_add"),
        {
            "name": "Báo cáo tháng",
            "measures": ["received"],
            "grouping": Grouping.FIELD,
            "period": Period.LAST_MONTH,
            "scope": "tinh",
            "file_format": FileFormat.PDF,
            "orientation": "landscape",
            "frequency": Frequency.MONTHLY,
            "recipients": [supervisor.pk, ward_leader.pk],
            "active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not ReportTemplate.objects.exists()
    assert "không được xem số liệu của phạm vi này" in page
    assert "Vui lòng sửa lỗi dưới đây." in page
    assert "Please correct the error" not in page
