"""Every endpoint answers each identity as the authorisation matrix (authz_matrix.py) says.

The cells are generated from the URL resolver, so a new URL pattern or API operation without an
entry fails test_every_url_pattern_has_an_entry / test_every_api_operation_has_an_entry. The
fixture world is built once for the module and every cell runs in a savepoint rolled back after it.
"""

import datetime
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from motcua.core.testing import small_pdf
from motcua.core.tests import authz_matrix as matrix
from motcua.core.tests.authz_matrix import ANONYMOUS, Action, Entry

# Each cell runs in the test case's savepoint, inside the module's world (rolled back at its end).
pytestmark = pytest.mark.django_db


# The URL patterns, from the resolver.


@dataclass(frozen=True)
class Pattern:
    route: str  # "can-bo/ho-so/<int:pk>/"
    name: str  # "backoffice:dossier_detail"; "" when unnamed
    keywords: tuple[str, ...]  # the path converters' keywords


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = namespace + (f"{item.namespace}:" if item.namespace else "")
            yield from _walk(item, prefix + str(item.pattern), inner)
        else:
            assert isinstance(item, URLPattern)
            keywords = tuple(item.pattern.regex.groupindex)
            named = f"{namespace}{item.name}" if item.name else ""
            yield Pattern(route=prefix + str(item.pattern), name=named, keywords=keywords)


@functools.cache
def url_patterns() -> list[Pattern]:
    return list(_walk(get_resolver()))


def is_admin(pattern: Pattern) -> bool:
    return pattern.route.startswith("quan-tri/")


ENTRY = {entry.name: entry for entry in matrix.ENTRIES}


# The cells.


@dataclass(frozen=True)
class Cell:
    name: str
    method: str
    identity: str
    expected: str | None  # "allow", "deny" or None (only "no 5xx")
    route: str
    action: Action | None = None

    @property
    def id(self) -> str:
        what = f"{self.action.label}" if self.action else self.method
        return f"{self.name}-{what}-{self.identity}"


def _expect(rule: matrix.Rule, identity: str) -> str | None:
    if rule is None:
        return None
    return "allow" if identity in rule else "deny"


def _identities(entry: Entry, pattern: Pattern, action: Action | None = None) -> tuple[str, ...]:
    """Every identity where a dossier is involved; one officer per role elsewhere."""
    params = {**matrix.PATH_VALUES, **entry.params, **(action.params if action else {})}
    used = {params[keyword] for keyword in pattern.keywords} | set((action.data if action else entry.data).values())
    return matrix.IDENTITIES if used & matrix.DOSSIER_KEYS else matrix.REPRESENTATIVES


def _project_admin_prefixes() -> tuple[str, ...]:
    return tuple(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        for model in admin.site._registry
        if model.__module__.startswith("motcua.")
    )


def is_admin_cell(name: str) -> bool:
    """The admin pages the matrix opens: the index and the project's models' lists, forms and own
    views (their delete and history pages, and third-party models, answer by the same rule)."""
    if name in {"admin:index", "admin:login", "admin:app_list"}:
        return True
    return name.startswith(_project_admin_prefixes()) and not name.endswith(("_delete", "_history"))


def _cells() -> list[Any]:
    cells: list[Cell] = []
    patterns = {}
    for pattern in url_patterns():
        if pattern.name in patterns:
            continue
        patterns[pattern.name] = pattern
        if is_admin(pattern):
            if is_admin_cell(pattern.name):
                for identity in matrix.ADMIN_IDENTITIES:
                    expected = matrix.admin_expectation(pattern.name, identity)
                    cells.append(Cell(pattern.name, "get", identity, expected, pattern.route))
        elif pattern.name in ENTRY:
            entry = ENTRY[pattern.name]
            for method, rule in entry.methods().items():
                for identity in _identities(entry, pattern):
                    cells.append(Cell(pattern.name, method, identity, _expect(rule, identity), pattern.route))
    for action in matrix.ACTIONS:
        pattern = patterns[action.name]
        for identity in _identities(ENTRY[action.name], pattern, action):
            expected = "allow" if identity in action.may else "deny"
            cells.append(Cell(action.name, "post", identity, expected, pattern.route, action))
    return [pytest.param(cell, id=cell.id) for cell in cells]


# The fixture world.


@dataclass
class World:
    users: dict[str, Any]
    sessions: dict[str, str]  # identity → session key, logged in once for the module
    values: dict[str, Any]  # PATH_VALUES' keys → what goes into the URL or the body


def _staff(username: str, role: str, agency: str | None, *, admin_rights: bool = False) -> Any:
    from motcua.directory.services import staff_ensure

    user = staff_ensure(
        actor="test",
        username=username,
        full_name=f"Cán bộ {username}",
        password=None,
        roles=[(role, agency, None)],
        is_staff=admin_rights,
        is_superuser=role == "system_admin",
    )
    user.is_staff = admin_rights  # as in the demo: only administrators enter the admin
    user.save(update_fields=["is_staff"])
    return user


def _build_world() -> World:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.accounts.models import Representation
    from motcua.catalog.constants import StepKind
    from motcua.catalog.groups import GROUPS_FORMAT_ID, procedure_groups_load
    from motcua.catalog.models import Fee, Procedure
    from motcua.core.testing import BIRTH, DEATH, citizen, load_catalog
    from motcua.core.text import fold
    from motcua.directory.constants import AgencyKind, Role
    from motcua.directory.demo import agency_admin_group
    from motcua.directory.models import Agency, PostOffice
    from motcua.directory.services import post_office_assign
    from motcua.documents.models import IssuedDocument, StoredDocument
    from motcua.dossiers import services
    from motcua.dossiers.models import DossierStep
    from motcua.dossiers.processing import step_file_add
    from motcua.dossiers.testing import consulted_dossier, submitted_dossier
    from motcua.payments.constants import PaymentMethod
    from motcua.payments.counter import counter_payment_record
    from motcua.payments.demo_gateway import demo_checkout_token
    from motcua.payments.models import Payment
    from motcua.report_templates.models import ReportTemplate
    from motcua.reports.constants import FeedbackCategory
    from motcua.reports.services import feedback_submit

    load_catalog(BIRTH, DEATH)
    ward = Agency.objects.get(code="UBND-24121")
    Agency.objects.create(
        code="SXD", electronic_id="000.00.02.H15", name="Sở Xây dựng", kind=AgencyKind.DEPARTMENT, unit=ward.unit.parent
    )
    procedure_groups_load(
        document={
            "format": GROUPS_FORMAT_ID,
            "groups": [
                {
                    "code": "LT-KS-KT",
                    "name": "Nhóm thủ tục thử",
                    "description": "",
                    "is_active": True,
                    "members": [{"procedure": "1.001193", "lead": True}, {"procedure": "1.000656"}],
                }
            ],
        },
        actor="test",
    )
    owner = citizen()
    other = citizen(phone="0987654321", id_number="066181000202")
    version = Procedure.objects.get(code="1.001193").current_version
    consulted = consulted_dossier(applicant=owner, version=version)
    users: dict[str, Any] = {matrix.OWNER: owner, matrix.CITIZEN: other}
    parts = {"own": "", "consulted": "stp_"}
    for relation, prefix in parts.items():
        for role in ("reception", "specialist", "leader"):
            users[f"{role}@{relation}"] = consulted[prefix + role]
    agencies = {"own": "UBND-24121", "consulted": "STP", "foreign": "SXD"}
    for relation, code in agencies.items():
        for role in matrix.AGENCY_ROLES:
            identity = f"{role}@{relation}"
            if identity not in users:
                users[identity] = _staff(f"{relation}.{role}", role, code, admin_rights=role == "agency_admin")
            if role == "agency_admin":
                users[identity].groups.add(agency_admin_group())
    for identity in matrix.AGENCY_STAFF & set(users):
        if not identity.startswith("agency_admin@"):
            users[identity].is_staff = False
            users[identity].save(update_fields=["is_staff"])
    users[matrix.POSTAL] = _staff("buudien", "postal", None)
    post_office = PostOffice.objects.create(code="BD-TANLAP", name="Bưu cục Tân Lập", unit=ward.unit)
    post_office.agencies.add(ward)
    post_office_assign(actor="test", user=users[matrix.POSTAL], post_office=post_office)
    users["supervisor"] = _staff("giamsat", "supervisor", None)
    users["system_admin"] = _staff("quantri", "system_admin", None, admin_rights=True)
    # A second factor of an officer who is none of the identities: nobody else may remove it.
    colleague_device = TOTPDevice.objects.create(user=_staff("own.colleague", "specialist", "UBND-24121"), name="app")

    dossier, main = consulted["dossier"], consulted["main"]
    # The ward leader's approval step, open: its result can be previewed before signing.
    approve_step = DossierStep.objects.create(
        dossier=dossier,
        kind=StepKind.APPROVE,
        name="Phê duyệt",
        agency=ward,
        role=Role.LEADER,
        assignee=users["leader@own"],
        started_at=main.started_at,
        due_at=main.due_at,
    )
    pdf = small_pdf()
    step_file = step_file_add(
        step=main,
        officer=users["specialist@own"],
        name="ghi-chu.pdf",
        data=SimpleUploadedFile("ghi-chu.pdf", pdf, "application/pdf"),
    )
    issued = IssuedDocument(
        title="Giấy khai sinh",
        number="1/TLKS",
        symbol="TLKS",
        issued_at=timezone.now(),
        issuer_agency=ward,
        signed_by_name="Lãnh đạo",
        signed_at=timezone.now(),
        sha256="0" * 64,
        size=len(pdf),
        dossier=dossier,
    )
    issued.file.save("ket-qua.pdf", ContentFile(pdf), save=False)
    issued.save()
    type(dossier).objects.filter(pk=dossier.pk).update(result_document=issued)
    draft = services.dossier_start(applicant=owner, version=version, unit_code="24121")
    draft_attachment = services.dossier_attach(
        dossier=draft, actor=owner, component_id=version.components.get().pk, name="to-khai.pdf", data=pdf
    )
    # Fees are owed (the counter payment must change something): frozen when it is handed in,
    # the dossier waiting at the ward's counter is paid there, with its receipt.
    Fee.objects.filter(version=version).update(amount=8000)
    submitted = submitted_dossier(owner, version)
    # The dossier in progress owes them too (handed in before the fee existed).
    owed = {"fee_lines": submitted.fee_lines, "fees_due": submitted.fees_due}
    type(dossier).objects.filter(pk=dossier.pk).update(**owed)
    receipt = counter_payment_record(
        dossier=submitted, officer=users["reception@own"], method=PaymentMethod.CASH, revision=None
    )
    # An online attempt at the demo gateway that ran out (the dossier was paid at the counter):
    # its bank page answers, pays nothing.
    demo_attempt = Payment.objects.create(
        dossier=submitted,
        reference="TTMATRIXDEMO2345",
        method=PaymentMethod.GATEWAY,
        gateway="demo",
        amount=8000,
        status="expired",
    )
    stored = StoredDocument(
        owner=owner, title="Giấy chứng sinh", title_folded=fold("Giấy chứng sinh"), content_type="application/pdf"
    )
    stored.size, stored.sha256 = len(pdf), "0" * 64
    stored.file.save("giay-chung-sinh.pdf", ContentFile(pdf), save=False)
    stored.save()
    representation = Representation.objects.create(
        user=owner, tax_code="6000123456", organisation_name="Công ty TNHH Mẫu"
    )
    feedback = feedback_submit(
        author=owner,
        agency_id=ward.pk,
        category=FeedbackCategory.values[0],
        title="Chậm trả kết quả",
        content=matrix.LONG_ENOUGH * 2,
        dossier=dossier,
    )
    assert dossier.due_at is not None
    report_template = ReportTemplate.objects.create(name="Báo cáo tháng", measures=["received"], scope="tinh")
    values = {
        "dossier": dossier.pk,
        "dossier_code": dossier.code,
        "main_step": main.pk,
        "approve_step": approve_step.pk,
        "consultation_step": consulted["consultation"].pk,
        "slip": dossier.slips.first().pk,
        "attachment": dossier.attachments.first().pk,
        "step_file": step_file.pk,
        "draft": draft.pk,
        "draft_attachment": draft_attachment.pk,
        "submitted": submitted.pk,
        "stored_document": stored.pk,
        "representation": representation.pk,
        "feedback": feedback.pk,
        "report_template": report_template.pk,
        "main_step_holder": users["specialist@own"].pk,
        "consultation_holder": users["specialist@consulted"].pk,
        "foreign_agency": Agency.objects.get(code="SXD").pk,
        "procedure_code": "1.001193",
        "indicator_code": "2.1",
        "post_office_code": post_office.code,
        "group_code": "LT-KS-KT",
        "verification_code": issued.verification_code,
        "receipt_token": receipt.token,
        "demo_checkout_token": demo_checkout_token(demo_attempt),
        "page_id": "trang-1",
        "provider_id": "khong-co",
        "colleague_device": colleague_device.persistent_id,
        "new_due": timezone.localtime(dossier.due_at + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    sessions = {}
    for identity, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[identity] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(users=users, sessions=sessions, values=values)


PDF_RENDERING_MODULES = (
    "motcua.dossiers.acknowledgement",
    "motcua.dossiers.records",
    "motcua.dossiers.slips",
    "motcua.documents.services",
)


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """Overrides the suite's per-test media root: the world's files serve every cell."""


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    media = tmp_path_factory.mktemp("authz-media")
    with pytest.MonkeyPatch.context() as patch:
        # The matrix asks who reaches a view, not what it draws: slips, control sheets and
        # acknowledgements are one ready-made page instead of a rendering each.
        page = small_pdf()
        for module in PDF_RENDERING_MODULES:
            patch.setattr(f"{module}.render_pdf", lambda **_: page)
        # That page has no heading boxes for a result's number and date fields.
        patch.setattr("motcua.documents.results.heading_fields_add", lambda pdf, _fields: pdf)
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
            built = _build_world()
            yield built
            transaction.set_rollback(True)


# Paths and bodies.


def _admin_value(keyword: str, name: str) -> Any:
    if keyword == "object_id":
        for model in admin.site._registry:
            if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
                first = model._default_manager.order_by("pk").first()
                return first.pk if first is not None else 0
        return 0
    if keyword == "content_type_id":
        return ContentType.objects.get_for_model(Group).pk
    return {"app_label": "catalog", "id": 1, "job_id": 1, "file_kind": "json"}.get(keyword, 1)


def cell_path(world: World, cell: Cell) -> str:
    pattern = next(p for p in url_patterns() if p.name == cell.name)
    if is_admin(pattern):
        kwargs = {keyword: _admin_value(keyword, cell.name) for keyword in pattern.keywords}
        return reverse(cell.name, kwargs=kwargs)
    params = {**matrix.PATH_VALUES, **ENTRY[cell.name].params, **(cell.action.params if cell.action else {})}
    return reverse(cell.name, kwargs={keyword: world.values[params[keyword]] for keyword in pattern.keywords})


def _body(world: World, data: dict[str, Any]) -> dict[str, Any]:
    return {key: world.values.get(value, value) if isinstance(value, str) else value for key, value in data.items()}


LOGIN_NAMES = ("backoffice:login", "accounts:login", "admin:login")


def outcome(response: HttpResponseBase, entry: Entry | None) -> str:
    """ "allow" (the request reached the view), "deny", or "error" (5xx, or rate limited)."""
    status = response.status_code
    if entry is not None and status in entry.answers:
        return "allow"
    if status >= 500 or status == 429:
        return "error"
    if status in {401, 403, 404, 405}:
        return "deny"
    if 300 <= status < 400:
        return "deny" if urlsplit(response["Location"]).path in {reverse(n) for n in LOGIN_NAMES} else "allow"
    return "allow"


REFUSALS = {
    "dossier.step_forbidden",
    "dossier.action_forbidden",
    "dossier.reception_forbidden",
    "payments.forbidden",
    "postal.forbidden",
}


@functools.cache
def _state_query() -> str:
    """One query counting the rows of every model of the project (audit events apart)."""
    from motcua.core.models import AuditEvent

    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model.__module__.startswith("motcua.") and model is not AuditEvent
        }
    )
    return "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)


def world_state() -> tuple[Any, ...]:
    """What a write could change: row counts of the project's models (a refused attempt's audit
    event aside) and the dossiers', steps' and feedback's state."""
    from motcua.core.models import AuditEvent
    from motcua.dossiers.models import Dossier, DossierStep
    from motcua.reports.models import Feedback

    with connection.cursor() as cursor:
        cursor.execute(_state_query())
        counts = cursor.fetchone()
    return (
        counts,
        AuditEvent.objects.exclude(action__in=REFUSALS).count(),
        list(Dossier.objects.order_by("pk").values_list("status", "revision", "updated_at", "due_at", "fees_paid_at")),
        list(DossierStep.objects.order_by("pk").values_list("status", "assignee_id", "finished_at")),
        list(Feedback.objects.order_by("pk").values_list("status", "answer")),
    )


def _send(client: Client, cell: Cell, path: str, data: dict[str, Any]) -> HttpResponseBase:
    api = cell.route.startswith("api/")
    if cell.method == "get":
        return client.get(path)
    if cell.method == "post" and not api:
        return client.post(path, data)
    send = getattr(client, cell.method)
    return send(path, json.dumps(data), content_type="application/json")  # type: ignore[no-any-return]


@pytest.mark.parametrize("cell", _cells())
def test_matrix_cell(world: World, cell: Cell) -> None:
    for alias in ("default", "local"):
        caches[alias].clear()  # rate limits would hide the rule under test
    client = Client()
    if cell.identity != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[cell.identity]
    path = cell_path(world, cell)
    entry: Entry | None = ENTRY.get(cell.name)
    data = _body(world, cell.action.data if cell.action else entry.data if entry else {})
    writing = cell.method != "get"
    before = world_state() if writing else None
    response = _send(client, cell, path, data)
    got = outcome(response, entry)
    where = f"{cell.method.upper()} {path} as {cell.identity}"
    assert got != "error", f"{where}: {response.status_code}"
    if cell.action is not None:
        changed = world_state() != before
        assert changed == (cell.expected == "allow"), (
            f"{where} ({cell.action.label}): expected {cell.expected}, "
            f"the world {'changed' if changed else 'did not change'} ({response.status_code})"
        )
        return
    if cell.expected is not None:
        assert got == cell.expected, (
            f"{where}: expected {cell.expected}, got {got} ({response.status_code}"
            f"{' → ' + response['Location'] if response.has_header('Location') else ''})"
        )
    if writing and got == "deny":
        assert world_state() == before, f"{where} was refused but changed the world"


# Coverage: every pattern and every API operation has its entry.

HOW_TO = "add to ENTRIES in motcua/core/tests/authz_matrix.py the line"
RULES = "naming who may use each method it serves (EVERYONE, LOGGED_IN, OWNER_ONLY, STAFF, DOSSIER_READERS, …)"


def test_every_url_pattern_has_an_entry() -> None:
    missing = []
    for pattern in url_patterns():
        if is_admin(pattern):
            continue
        if not pattern.name:
            missing.append(f"/{pattern.route} has no name: name it in its urls.py, then {HOW_TO}")
        elif pattern.name not in ENTRY:
            missing.append(f'/{pattern.route}: {HOW_TO} Entry("{pattern.name}", get=..., post=...), {RULES}')
    assert not missing, "URL patterns without an authorisation matrix entry:\n" + "\n".join(missing)


def test_every_entry_names_a_url_pattern() -> None:
    names = {pattern.name for pattern in url_patterns()}
    stale = sorted(name for name in ENTRY if name not in names)
    assert not stale, f"Entries for URL patterns that no longer exist (remove them): {stale}"


def test_every_api_operation_has_an_entry() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = []
    for path, operations in schema["paths"].items():
        name = resolve(re.sub(r"\{[^}]+\}", "1", path)).view_name
        entry = ENTRY.get(name)
        for method in operations:
            served = entry.methods() if entry else {}
            if method not in served or (method == "get" and entry and entry.get is matrix.UNSERVED):
                missing.append(f'{method.upper()} {path}: {HOW_TO} Entry("{name}", {method}=...), {RULES}')
    assert not missing, "API operations without an authorisation matrix entry:\n" + "\n".join(missing)
