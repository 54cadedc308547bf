"""Exchanges with other agencies' systems, each one logged: who asked, for which dossier, why, what came back.

Every call to another system goes through `exchange_logged`, which writes one ExchangeLog row
whatever happens (found, not found, failed), with the purpose the caller must give. The
population look-up wraps whichever population plugin is configured, so pre-filling a form is
logged the same way as an officer's check; the business look-up and the result pushes
(pushes.py) use the exchange adapter (client.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.privacy import mask_id
from motcua.directory.models import StaffRole
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import officer_may_receive
from motcua.exchange.client import ExchangeError, exchange_transports, invalid_answer
from motcua.exchange.constants import (
    OFFICER_PURPOSES,
    ExchangeOutcome,
    ExchangePurpose,
    ExchangeService,
    SubjectKind,
)
from motcua.exchange.models import ExchangeLog
from motcua.exchange.taxcode import tax_code_clean
from motcua.integrations.population import (
    PopulationRecord,
    PopulationRegistry,
    PopulationUnavailable,
    population_registries,
    record_to_json,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ExchangeContext:
    """Who asks, why, for which dossier: required by every exchange.

    `actor` is the officer or citizen asking; None for a process of this system (a result push).
    `subject_user` is the account the data is about, when known (shown on their account page).
    """

    purpose: str
    actor: Any = None
    dossier_id: int | None = None
    subject_user: Any = None


def subject_digest(identifier: str) -> str:
    """A keyed digest of an ID number or tax code: finds a person's entries without storing it."""
    return salted_hmac("motcua.exchange.subject", identifier, algorithm="sha256").hexdigest()


def _requester(context: ExchangeContext) -> tuple[str, str]:
    """The role and agency shown for who asked, as they are now (kept in the log as they were)."""
    dossier = (
        Dossier.objects.select_related("agency").filter(pk=context.dossier_id).first() if context.dossier_id else None
    )
    agency = dossier.agency.name if dossier else ""
    actor = context.actor
    if actor is None:
        return str(_("Hệ thống một cửa điện tử (tự động)")), agency
    roles = StaffRole.objects.filter(user=actor).select_related("agency")
    # The role held in the dossier's agency says more than any other the officer holds.
    role = (dossier and roles.filter(agency_id=dossier.agency_id).first()) or roles.first()
    if role is not None:
        return str(role.get_role_display()), role.agency.name if role.agency else agency
    return str(_("Người nộp hồ sơ")), ""


def exchange_logged(
    *,
    service: str,
    context: ExchangeContext,
    subject_kind: str,
    subject: str,
    call: Callable[[], tuple[T, str, list[str]]],
) -> T:
    """Run `call` (which gives its value, the outcome and the names of the fields that came back)
    and log the exchange; a failure (ExchangeError, PopulationUnavailable) is logged, then raised."""
    if context.purpose not in ExchangePurpose.values:
        raise ValueError(f"Unknown exchange purpose {context.purpose!r}")
    started = time.monotonic()
    outcome: str = ExchangeOutcome.FAILED
    fields: list[str] = []
    error_code = ""
    try:
        value, outcome, fields = call()
        return value
    except ExchangeError as error:
        error_code = error.code
        raise
    except PopulationUnavailable:
        error_code = "population_unavailable"
        raise
    except Exception:
        error_code = "error"
        raise
    finally:
        role, agency = _requester(context)
        ExchangeLog.objects.create(
            service=service,
            actor=context.actor if getattr(context.actor, "is_authenticated", False) else None,
            actor_role=role[:100],
            actor_agency=agency[:255],
            dossier_id=context.dossier_id,
            purpose=context.purpose,
            subject_kind=subject_kind,
            subject_digest=subject_digest(subject),
            subject_masked=mask_id(subject),
            subject_user=context.subject_user,
            outcome=outcome,
            error_code=error_code,
            response_fields=sorted(fields),
            duration_ms=round((time.monotonic() - started) * 1000),
        )


# --- Population database ------------------------------------------------------------------------


def _record_fields(record: PopulationRecord) -> list[str]:
    return [name for name, value in record_to_json(record).items() if value not in (None, "", [])]


def population_lookup(
    *, id_number: str, context: ExchangeContext, registry: PopulationRegistry | None = None
) -> PopulationRecord | None:
    """The population record of `id_number` through the configured plugin, logged; None if unknown.

    Raises PopulationUnavailable (logged as failed) when the database cannot answer.
    """
    registry = registry or population_registries.get()

    def call() -> tuple[PopulationRecord | None, str, list[str]]:
        record = registry.lookup(id_number=id_number)
        if record is None:
            return None, ExchangeOutcome.NOT_FOUND, []
        return record, ExchangeOutcome.FOUND, _record_fields(record)

    return exchange_logged(
        service=ExchangeService.POPULATION_LOOKUP,
        context=context,
        subject_kind=SubjectKind.PERSON,
        subject=id_number,
        call=call,
    )


# --- Business registration -----------------------------------------------------------------------

BUSINESS_FIELDS = ("tax_code", "name", "business_type", "status", "legal_representative", "address", "registered_on")


def dossier_is_business(dossier: Dossier) -> bool:
    """Whether the dossier's procedure is about a business (its field is in MOTCUA_EXCHANGE_BUSINESS_FIELDS)."""
    return dossier.procedure_version.field.code in settings.MOTCUA_EXCHANGE_BUSINESS_FIELDS


def officer_may_look_up_business(*, officer: Any, dossier: Dossier) -> bool:
    """The reception officers of the receiving agency, for a business procedure's dossier."""
    return dossier_is_business(dossier) and officer_may_receive(officer=officer, dossier=dossier)


def business_lookup(*, officer: Any, dossier: Dossier, tax_code: str, purpose: str) -> dict[str, str] | None:
    """The business registered under `tax_code` (its BUSINESS_FIELDS), or None; logged with `purpose`.

    Refused (ApplicationError) unless `officer` receives this business dossier, the purpose is an
    officer's and the tax code is well formed; ExchangeError when the registry cannot answer.
    """
    if not officer_may_look_up_business(officer=officer, dossier=dossier):
        raise ApplicationError(
            _("Chỉ cán bộ tiếp nhận hồ sơ thủ tục về doanh nghiệp được tra cứu đăng ký doanh nghiệp."),
            code="business_lookup_forbidden",
        )
    if purpose not in OFFICER_PURPOSES:
        raise ApplicationError(_("Hãy chọn mục đích tra cứu."), code="purpose_required")
    tax_code = tax_code_clean(tax_code)

    def call() -> tuple[dict[str, str] | None, str, list[str]]:
        answer = exchange_transports.get().call(ExchangeService.BUSINESS_LOOKUP, {"tax_code": tax_code})
        if answer.get("found") is False:
            return None, ExchangeOutcome.NOT_FOUND, []
        business = answer.get("business")
        if (
            answer.get("found") is not True
            or not isinstance(business, dict)
            or business.get("tax_code") != tax_code
            or not isinstance(business.get("name"), str)
        ):
            raise invalid_answer()
        record = {name: str(business[name]) for name in BUSINESS_FIELDS if business.get(name) not in (None, "")}
        return record, ExchangeOutcome.FOUND, list(record)

    return exchange_logged(
        service=ExchangeService.BUSINESS_LOOKUP,
        context=ExchangeContext(purpose=purpose, actor=officer, dossier_id=dossier.pk),
        subject_kind=SubjectKind.BUSINESS,
        subject=tax_code,
        call=call,
    )
