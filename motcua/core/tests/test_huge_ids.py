"""An id or revision no record can have, in a form field or a query string, is bad input, never a
500: 20 digits (past the databases' 64-bit integers: OverflowError on SQLite, DataError on
PostgreSQL), "²" and "١٢" (str.isdigit() accepts them; int() fails on the first), "-1" and "".
Each page answers with its usual refusal (a Vietnamese message, a 400 or a 404) or ignores an
optional value; the signed headers' timestamps and the e-form's item numbers are read as safely."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from motcua.catalog.eforms import form_clean, parse_posted
from motcua.core.testing import citizen
from motcua.core.validators import record_id, unix_seconds
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import consulted_dossier, officer
from motcua.dossiers.transitions import posted_revision
from motcua.exchange.protocol import is_fresh
from motcua.national.services import _component_for
from motcua.notifications.webhooks import webhook_check, webhook_signature
from motcua.postal.testing import post_office, postal_clerk

pytestmark = pytest.mark.django_db

BAD_IDS = ["99999999999999999999", "²", "١٢", "-1", ""]
BAD_ID_NAMES = ["20-digits", "superscript-2", "arabic-indic-12", "minus-1", "empty"]
# Letters only Vietnamese writes: an English (or Django default) message has none.
VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", re.IGNORECASE)


def _vietnamese_messages(response: Any) -> list[str]:
    """The flash messages the request left, each checked to be Vietnamese."""
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    for text in shown:
        assert VIETNAMESE.search(text), text
    return shown


@pytest.fixture
def hung(birth_version: Any) -> Any:
    return citizen()


@pytest.fixture
def consulted(hung: Any, birth_version: Any) -> dict[str, Any]:
    """An accepted ward dossier, its main step, and the ward's and Department of Justice's officers."""
    return consulted_dossier(applicant=hung, version=birth_version)


@pytest.fixture
def draft(hung: Any, birth_version: Any) -> Dossier:
    return services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")


# Each page: who asks (a fixture's user), and the request carrying the bad value.
Case = Callable[[Client, Any, str], Any]


def _citizen_start(client: Client, request: Any, bad: str) -> Any:
    version = request.getfixturevalue("birth_version")
    client.force_login(request.getfixturevalue("hung"))
    url = reverse("dossiers:start", args=[version.procedure.code])
    return client.post(url, {"representation": bad, "unit": "24121"})


def _citizen_papers(action: str, field: str) -> Case:
    def send(client: Client, request: Any, bad: str) -> Any:
        dossier = request.getfixturevalue("draft")
        client.force_login(dossier.applicant)
        body = {"action": action, field: bad, "component": bad}
        return client.post(reverse("dossiers:papers", args=[dossier.pk]), body)

    return send


def _citizen_delivery(client: Client, request: Any, bad: str) -> Any:
    dossier = request.getfixturevalue("draft")
    client.force_login(dossier.applicant)
    return client.post(reverse("dossiers:delivery", args=[dossier.pk]), {"method": "counter", "revision": bad})


def _citizen_feedback(client: Client, request: Any, bad: str) -> Any:
    client.force_login(request.getfixturevalue("hung"))
    body = {"dossier": bad, "agency": bad, "category": "khac", "title": "Hỏi về hồ sơ", "content": "Nội dung."}
    return client.post(reverse("reports:feedback_new"), body)


def _officer_post(
    who: str, name: str, body: Callable[[dict[str, Any], str], dict[str, Any]], step: bool = False
) -> Case:
    def send(client: Client, request: Any, bad: str) -> Any:
        world = request.getfixturevalue("consulted")
        client.force_login(world[who])
        dossier = world["dossier"]
        args = [dossier.pk, world["main"].pk] if step else [dossier.pk]
        return client.post(reverse(name, args=args), body(bad))

    return send


def _finance(client: Client, request: Any, bad: str) -> Any:
    client.force_login(request.getfixturevalue("consulted")["reception"])
    return client.post(reverse("payments_staff:finance"), {"action": "receipt_cancel", "id": bad, "reason": "Sai tên"})


def _staff_feedback(client: Client, request: Any, bad: str) -> Any:
    client.force_login(request.getfixturevalue("consulted")["reception"])
    return client.post(reverse("reports_staff:feedback"), {"feedback": bad, "answer": "Đã trả lời."})


def _collections(client: Client, request: Any, bad: str) -> Any:
    request.getfixturevalue("birth_version")
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    return client.get(reverse("collections:list"), {"co_quan": bad})


def _postal_hand_over(client: Client, request: Any, bad: str) -> Any:
    request.getfixturevalue("birth_version")
    office = post_office()
    client.force_login(postal_clerk("bd.tanlap", office))
    return client.post(reverse("postal:hand_over_new", args=[office.code]), {"agency": bad, "dossier": [bad, bad]})


CASES: dict[str, Case] = {
    "citizen starts for an organisation": _citizen_start,
    "citizen deletes an attachment": _citizen_papers("delete", "attachment"),
    "citizen reuses a stored paper": _citizen_papers("reuse", "stored"),
    "citizen chooses delivery": _citizen_delivery,
    "citizen sends feedback on a dossier": _citizen_feedback,
    "reception asks a supplement": _officer_post(
        "reception", "backoffice:dossier_detail", lambda bad: {"action": "supplement", "revision": bad}
    ),
    "leader assigns the step": _officer_post(
        "leader",
        "backoffice:step_action",
        lambda bad: {"action": "assign", "assignee": bad, "revision": bad},
        step=True,
    ),
    "specialist consults an agency": _officer_post(
        "specialist",
        "backoffice:step_action",
        lambda bad: {"action": "consult", "agency": bad, "question": "Đề nghị cho ý kiến.", "days": "2"},
        step=True,
    ),
    "leader stops processing": _officer_post("leader", "backoffice:dossier_stop", lambda bad: {"revision": bad}),
    "leader decides a withdrawal": _officer_post(
        "leader", "backoffice:withdrawal_decide", lambda bad: {"decision": "accept", "revision": bad}
    ),
    "reception records a failed shipment": _officer_post(
        "reception", "delivery:shipment_failed", lambda bad: {"reason": "Không có người nhận", "revision": bad}
    ),
    "reception takes a counter payment": _officer_post(
        "reception", "payments_staff:counter_payment", lambda bad: {"method": "cash", "revision": bad}
    ),
    "finance cancels a receipt": _finance,
    "officer answers feedback": _staff_feedback,
    "supervisor drills the collections": _collections,
    "postal clerk hands papers over": _postal_hand_over,
}


@pytest.mark.parametrize("bad", BAD_IDS, ids=BAD_ID_NAMES)
@pytest.mark.parametrize("case", CASES)
def test_a_page_answers_a_bad_id_without_a_server_error(request: Any, case: str, bad: str) -> None:
    client = Client(raise_request_exception=False)
    response = CASES[case](client, request, bad)
    assert response.status_code < 500, f"{case} with {bad!r}: {response.status_code}"
    _vietnamese_messages(response)


def test_what_the_pages_say_to_a_bad_id(client: Client, consulted: dict[str, Any]) -> None:
    """The refusals are the pages' usual ones, in Vietnamese."""
    client.force_login(consulted["leader"])
    dossier, main = consulted["dossier"], consulted["main"]
    url = reverse("backoffice:step_action", args=[dossier.pk, main.pk])
    assigned = client.post(url, {"action": "assign", "assignee": "²"})
    assert assigned.status_code == 302 and _vietnamese_messages(assigned)

    client.force_login(consulted["reception"])
    cancelled = client.post(reverse("payments_staff:finance"), {"action": "receipt_cancel", "id": "²"})
    assert "Thao tác không hợp lệ." in _vietnamese_messages(cancelled)
    answered = client.post(reverse("reports_staff:feedback"), {"feedback": "99999999999999999999"})
    assert answered.status_code == 404

    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    for bad in ("99999999999999999999", "²", "-1"):
        listed = client.get(reverse("collections:list"), {"co_quan": bad})
        assert listed.status_code == 400 and "Cơ quan không hợp lệ." in listed.content.decode()
    ward = Agency.objects.get(code="UBND-24121")
    assert client.get(reverse("collections:list"), {"co_quan": str(ward.pk)}).status_code == 200


def test_a_revision_no_dossier_has_is_no_revision(draft: Dossier) -> None:
    """As when a client sends none: the write is not checked against it (and does not fail)."""
    for bad in BAD_IDS:
        assert posted_revision({"revision": bad}) is None
    assert posted_revision({"revision": "7"}) == 7
    assert posted_revision({}) is None


@pytest.mark.parametrize("text", [*BAD_IDS, "9" * 5000, "9223372036854775808", "0" * 20 + "1"])
def test_record_id_refuses_what_no_record_has(text: str) -> None:
    assert record_id(text) is None


def test_record_id_reads_the_databases_whole_range() -> None:
    assert record_id("1") == 1
    assert record_id("9223372036854775807") == 2**63 - 1


@pytest.mark.parametrize("stamp", ["²", "١٧٠٠٠٠٠٠٠٠", "9" * 400, "-1", ""])
def test_a_bad_timestamp_is_refused_not_raised(stamp: str) -> None:
    assert unix_seconds(stamp) is None
    assert is_fresh(stamp) is False
    # Signed with the right secret, so only the timestamp can refuse it.
    body = b"{}"
    from django.conf import settings

    signature = webhook_signature(secret=settings.MOTCUA_SMS_WEBHOOK_SECRET, timestamp=stamp, body=body)
    assert webhook_check(channel="sms", timestamp=stamp, signature=signature, body=body) == "bad_signature"


def test_the_national_platform_names_no_component_with_a_bad_id(consulted: dict[str, Any]) -> None:
    dossier = consulted["dossier"]
    for bad in BAD_IDS:
        assert _component_for(dossier, bad) is None
    component = dossier.procedure_version.components.first()
    assert _component_for(dossier, str(component.pk)) == component


GROUP_FORM = {
    "version": 1,
    "pages": [
        {
            "id": "thanh-vien",
            "title": "Thành viên",
            "fields": [
                {
                    "name": "members",
                    "type": "group",
                    "label": "Thành viên",
                    "item_label": "Thành viên",
                    "fields": [{"name": "full_name", "type": "text", "label": "Họ tên", "required": True}],
                }
            ],
        }
    ],
}


def test_e_form_items_numbered_badly_keep_their_answers() -> None:
    """A client's {"1": …, "²": …} items, and a posted item number of 5,000 digits."""
    answers = {"members": {"1": {"full_name": "Lê Văn B"}, "²": {"full_name": "Lê Thị A"}}}
    cleaned, errors = form_clean(GROUP_FORM, answers)
    assert errors == {}
    assert [item["full_name"] for item in cleaned["members"]] == ["Lê Thị A", "Lê Văn B"]
    posted = parse_posted(GROUP_FORM, {"members.0.full_name": "Lê Văn C", f"members.{'9' * 5000}.full_name": "X"})
    assert posted["members"] == [{"full_name": "Lê Văn C"}]
