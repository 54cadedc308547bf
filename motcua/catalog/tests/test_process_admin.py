"""Administrators see their agency's processes in the admin, edit a draft's steps, read its
problems and diagram, publish it and make a new draft; a published process is read-only."""

import re
from typing import Any

import pytest

from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure, Process, ProcessStep
from motcua.catalog.processes import process_current, process_draft_from
from motcua.core.testing import BIRTH, load_catalog, procedure
from motcua.directory.constants import Role
from motcua.directory.demo import agency_admin_group
from motcua.directory.services import staff_ensure

pytestmark = pytest.mark.django_db

URL = "/quan-tri/catalog/process/"
BUILDING = procedure("1.013225", "Cấp giấy phép xây dựng", field="XD", managing_agency="", processing_time=15)


def _agency_admin(username: str, agency: str) -> Any:
    user = staff_ensure(
        actor="t", username=username, full_name="Quản Trị", password="x", roles=[(Role.AGENCY_ADMIN, agency, None)]
    )
    user.groups.add(agency_admin_group())
    return user


@pytest.fixture
def processes() -> tuple[Process, Process]:
    """Birth registration (managed by STP): the published default process and a draft copy;
    building permits (no managing agency) with its default process."""
    load_catalog(BIRTH, BUILDING)
    version = Procedure.objects.get(code=BIRTH["code"]).current_version
    assert version is not None
    published = process_current(version=version)
    building = Procedure.objects.get(code="1.013225").current_version
    assert building is not None
    process_current(version=building)
    return published, process_draft_from(process=published, actor="t")


def _post_action(client: Any, action: str, process: Process) -> Any:
    return client.post(URL, {"action": action, "_selected_action": [process.pk]}, follow=True)


def test_superuser_sees_every_process(admin_client: Any, processes: Any) -> None:
    """The list names each process's procedure, number and status."""
    page = admin_client.get(URL).content.decode()
    assert "1.001193" in page and "1.013225" in page
    assert "Quy trình mặc định" in page and "Bản nháp" in page and "Đang áp dụng" in page


def test_agency_admin_sees_only_their_agency_processes(client: Any, processes: Any) -> None:
    """An agency administrator sees the processes of the procedures their agency manages."""
    _published, draft = processes
    client.force_login(_agency_admin("stp.qt", "STP"))
    listing = client.get(URL).content.decode()
    assert "1.001193" in listing and "1.013225" not in listing
    other = Process.objects.get(version__procedure__code="1.013225")
    assert client.get(f"{URL}{other.pk}/change/").status_code in {302, 404}
    assert client.get(f"{URL}{draft.pk}/change/").status_code == 200


def test_admin_of_another_agency_gets_no_rows(client: Any, processes: Any) -> None:
    """Another agency's administrator sees none of them and cannot open them."""
    _published, draft = processes
    client.force_login(_agency_admin("ubnd.qt", "UBND-24121"))
    listing = client.get(URL).content.decode()
    assert "1.001193" not in listing
    assert client.get(f"{URL}{draft.pk}/change/").status_code in {302, 404}
    _post_action(client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_published_process_is_read_only_and_shows_the_diagram(admin_client: Any, processes: Any) -> None:
    """A published process's page has the diagram, its stylesheet and no inputs for steps."""
    published, _draft = processes
    page = admin_client.get(f"{URL}{published.pk}/change/").content.decode()
    assert "Sơ đồ quy trình" in page and 'class="mc-process"' in page
    assert "motcua/process-diagram.css" in page
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", page)
    editable = [f for f in fields if 'name="steps-' in f or 'name="name"' in f]
    assert editable and all('type="hidden"' in f for f in editable), editable
    assert "Lãnh đạo phê duyệt, ký" in page
    assert "Các lỗi cần sửa trước khi công bố" not in page


def test_draft_shows_editable_steps_and_its_problems(admin_client: Any, processes: Any) -> None:
    """A draft's steps are editable and its validation problems are listed."""
    _published, draft = processes
    ProcessStep.objects.filter(process=draft, code="phe-duyet").update(role=Role.CLERK)
    page = admin_client.get(f"{URL}{draft.pk}/change/").content.decode()
    assert 'name="steps-0-name"' in page and 'name="steps-TOTAL_FORMS"' in page
    assert "Các lỗi cần sửa trước khi công bố" in page
    assert "phải do lãnh đạo phê duyệt thực hiện" in page


def test_draft_steps_are_saved_from_the_admin(client: Any, processes: Any) -> None:
    """An agency administrator changes a step of a draft; returns are typed as a list of codes."""
    _published, draft = processes
    client.force_login(_agency_admin("stp.qt", "STP"))
    steps = list(draft.steps.order_by("position", "id"))
    data: dict[str, Any] = {
        "name": "Quy trình rút gọn",
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for i, step in enumerate(steps):
        prefix = f"steps-{i}-"
        data.update(
            {
                f"{prefix}id": step.pk,
                f"{prefix}process": draft.pk,
                f"{prefix}position": step.position,
                f"{prefix}code": step.code,
                f"{prefix}name": step.name,
                f"{prefix}kind": step.kind,
                f"{prefix}agency_source": step.agency_source,
                f"{prefix}agency": "",
                f"{prefix}org_unit_kind": step.org_unit_kind,
                f"{prefix}role": step.role,
                f"{prefix}allotted": str(step.allotted),
                f"{prefix}allotted_unit": step.allotted_unit,
                f"{prefix}return_to": ", ".join(step.return_to),
            }
        )
    data["steps-3-return_to"] = "tham-dinh, phe-duyet"
    data["steps-1-allotted"] = "2.5"
    response = client.post(f"{URL}{draft.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.name == "Quy trình rút gọn"
    assert draft.steps.get(code="phat-hanh").return_to == ["tham-dinh", "phe-duyet"]
    assert str(draft.steps.get(code="tham-dinh").allotted) == "2.50"


def test_publish_action_publishes_and_retires(client: Any, processes: Any) -> None:
    """The "Công bố quy trình" action publishes the draft and retires the previous process."""
    published, draft = processes
    client.force_login(_agency_admin("stp.qt", "STP"))
    page = _post_action(client, "publish", draft).content.decode()
    assert "Đã công bố" in page
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert published.status == VersionStatus.RETIRED


def test_publish_action_shows_the_problems(admin_client: Any, processes: Any) -> None:
    """An invalid draft stays a draft and each problem is shown as an error message."""
    _published, draft = processes
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(allotted=0)
    page = _post_action(admin_client, "publish", draft).content.decode()
    assert "thời gian thực hiện phải lớn hơn 0" in page
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_create_draft_action(client: Any, processes: Any) -> None:
    """A new draft is made from a process; a second one while a draft exists is refused."""
    published, draft = processes
    client.force_login(_agency_admin("stp.qt", "STP"))
    page = _post_action(client, "create_draft", published).content.decode()
    assert "đã có một quy trình nháp" in page
    draft.delete()
    page = _post_action(client, "create_draft", published).content.decode()
    assert "Đã tạo bản nháp" in page
    assert Process.objects.filter(version=published.version, status=VersionStatus.DRAFT, number=2).exists()
