"""The collections report (báo cáo tổng hợp thu phí, lệ phí): money collected per agency, fee
type (lệ phí and phí go to different accounts) and channel over a period, refunds beside it.

What counts (docs/collections.md):
* a receipt counts when it is issued (a cancelled one never does; its replacement is the one
  issued receipt of the payment, so the money counts once), on the day the money came in: the
  payment's `paid_at` in Vietnam time, so replacing a receipt later does not move the money to
  another month;
* the amount of a fee type is the sum of the receipt's lines of that type;
* a refund counts on the day it was done.

Every figure is built from the same querysets the drill-down lists show, so a list's count and
sum are the figure.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from motcua.catalog.constants import LineKind
from motcua.core.errors import ApplicationError
from motcua.core.periods import Period
from motcua.core.validators import record_id
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.selectors import agencies_overseen
from motcua.payments.constants import PaymentMethod, ReceiptStatus, RefundStatus
from motcua.payments.models import Receipt, Refund

# Who reads an agency's collections: its finance staff, leaders and administrators.
COLLECTIONS_ROLES = [Role.FINANCE, Role.LEADER, Role.AGENCY_ADMIN]
MAX_PERIOD_DAYS = 3 * 366
# The query parameters of the report and its drill-down lists.
AGENCY, KIND, METHOD = "co_quan", "loai", "kenh"


def collections_agencies(*, user: Any) -> QuerySet[Agency] | None:
    """None for every agency (province-wide roles), else the agencies the user oversees."""
    return agencies_overseen(user=user, roles=COLLECTIONS_ROLES)


@dataclass(frozen=True)
class Drill:
    """What a figure counts: the filters of its drill-down list (None = every value)."""

    agency_id: int | None = None
    kind: str | None = None
    method: str | None = None

    def query(self, period: Period) -> str:
        params = period.query()
        for key, value in ((AGENCY, self.agency_id), (KIND, self.kind), (METHOD, self.method)):
            if value is not None:
                params[key] = str(value)
        return urlencode(params)


def collections_drill(*, agency: str, kind: str, method: str) -> Drill:
    """The drill-down filters from the query string; an unknown kind or channel is refused."""
    if kind and kind not in LineKind.values:
        raise ApplicationError(_("Loại thu không hợp lệ."), code="collections_bad_kind")
    if method and method not in PaymentMethod.values:
        raise ApplicationError(_("Hình thức thu không hợp lệ."), code="collections_bad_method")
    agency_id = record_id(agency) if agency else None
    if agency and agency_id is None:
        raise ApplicationError(_("Cơ quan không hợp lệ."), code="collections_bad_agency")
    return Drill(agency_id=agency_id, kind=kind or None, method=method or None)


def _in_scope(queryset: QuerySet[Any], agencies: QuerySet[Agency] | None, field_name: str) -> QuerySet[Any]:
    return queryset if agencies is None else queryset.filter(**{f"{field_name}__in": agencies})


def _issued_receipts(*, agencies: QuerySet[Agency] | None, period: Period, drill: Drill) -> QuerySet[Receipt]:
    first, after = period.bounds()
    receipts = _in_scope(Receipt.objects.all(), agencies, "agency").filter(
        status=ReceiptStatus.ISSUED, payment__paid_at__gte=first, payment__paid_at__lt=after
    )
    if drill.agency_id is not None:
        receipts = receipts.filter(agency_id=drill.agency_id)
    if drill.method is not None:
        receipts = receipts.filter(method=drill.method)
    return receipts


def receipts_collected(*, agencies: QuerySet[Agency] | None, period: Period, drill: Drill = Drill()) -> QuerySet[Any]:
    """The issued receipts behind a figure, each with `collected`: its amount of the fee type
    asked for (the whole receipt when no type is)."""
    of_kind = Q(lines__kind=drill.kind) if drill.kind is not None else Q()
    return (
        _issued_receipts(agencies=agencies, period=period, drill=drill)
        .filter(of_kind)
        .annotate(collected=Sum("lines__amount", filter=of_kind))
        .select_related("series", "dossier", "agency", "payment")
        .order_by("payment__paid_at", "pk")
    )


def drill_totals(queryset: QuerySet[Any], amount_field: str) -> tuple[int, int]:
    """The count and sum of a drill-down list (the figure it stands behind)."""
    amounts = list(queryset.values_list(amount_field, flat=True))
    return len(amounts), sum(amount or 0 for amount in amounts)


def refunds_done(*, agencies: QuerySet[Agency] | None, period: Period, drill: Drill = Drill()) -> QuerySet[Refund]:
    """The refunds done in the period (a refund is of the whole payment, so no fee type)."""
    first, after = period.bounds()
    refunds = _in_scope(Refund.objects.all(), agencies, "payment__dossier__agency").filter(
        status=RefundStatus.DONE, done_at__gte=first, done_at__lt=after
    )
    if drill.agency_id is not None:
        refunds = refunds.filter(payment__dossier__agency_id=drill.agency_id)
    if drill.method is not None:
        refunds = refunds.filter(payment__method=drill.method)
    return refunds.select_related("payment__dossier__agency").order_by("done_at", "pk")


@dataclass(frozen=True)
class Figure:
    count: int
    amount: int
    drill: Drill
    period: Period

    @property
    def query(self) -> str:
        """The query string of the drill-down list behind the figure."""
        return self.drill.query(self.period)


@dataclass(frozen=True)
class CollectionsRow:
    """One agency's line of the report (agency None: the total of every agency in scope)."""

    agency: Agency | None
    collected: Figure
    kinds: list[Figure]  # in LineKind's order
    methods: list[Figure]  # in PaymentMethod's order
    refunded: Figure
    net: int


@dataclass
class Collections:
    """The report's figures, read from three grouped queries and rolled up on demand."""

    period: Period
    agencies: list[Agency]
    # (agency, kind, method) → [receipts, amount]; a receipt has one agency and one method, so
    # counts add up over them, but not over kinds (a receipt may hold both).
    by_kind: dict[tuple[int, str, str], list[int]] = field(default_factory=dict)
    # (agency, method) → [receipts, amount]
    by_receipt: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    refunds: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(kind, str(label)) for kind, label in LineKind.choices]

    @property
    def methods(self) -> list[tuple[str, str]]:
        return [(method, str(label)) for method, label in PaymentMethod.choices]

    @property
    def empty(self) -> bool:
        return not self.by_receipt and not self.refunds

    def collected(self, drill: Drill) -> Figure:
        if drill.kind is None:
            cells: Iterable[tuple[tuple[Any, ...], list[int]]] = (
                ((agency, None, method), value) for (agency, method), value in self.by_receipt.items()
            )
        else:
            cells = self.by_kind.items()
        return self._figure(cells, drill)

    def refunded(self, drill: Drill) -> Figure:
        cells = (((agency, None, method), value) for (agency, method), value in self.refunds.items())
        return self._figure(cells, drill)

    def net(self, drill: Drill) -> int:
        return self.collected(drill).amount - self.refunded(drill).amount

    def row(self, agency: Agency | None) -> "CollectionsRow":
        drill = Drill(agency_id=agency.pk if agency is not None else None)
        return CollectionsRow(
            agency=agency,
            collected=self.collected(drill),
            kinds=[self.collected(Drill(drill.agency_id, kind=kind)) for kind, _label in LineKind.choices],
            methods=[self.collected(Drill(drill.agency_id, method=method)) for method, _label in PaymentMethod.choices],
            refunded=self.refunded(drill),
            net=self.net(drill),
        )

    @property
    def rows(self) -> list["CollectionsRow"]:
        return [self.row(agency) for agency in self.agencies]

    @property
    def total(self) -> "CollectionsRow":
        return self.row(None)

    def _figure(self, cells: Iterable[tuple[tuple[Any, ...], list[int]]], drill: Drill) -> Figure:
        count = amount = 0
        for (agency, kind, method), (cell_count, cell_amount) in cells:
            if drill.agency_id not in (None, agency) or drill.kind not in (None, kind):
                continue
            if drill.method not in (None, method):
                continue
            count += cell_count
            amount += cell_amount
        return Figure(count=count, amount=amount, drill=drill, period=self.period)


def collections_report(*, agencies: QuerySet[Agency] | None, period: Period) -> Collections:
    receipts = _issued_receipts(agencies=agencies, period=period, drill=Drill())
    by_kind: dict[tuple[int, str, str], list[int]] = {}
    by_receipt: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    lines = receipts.values("agency_id", "lines__kind", "method").annotate(
        receipts=Count("id", distinct=True), amount=Sum("lines__amount")
    )
    for row in lines.order_by():
        by_kind[(row["agency_id"], row["lines__kind"], row["method"])] = [row["receipts"], row["amount"] or 0]
        by_receipt[(row["agency_id"], row["method"])][1] += row["amount"] or 0
    for row in receipts.values("agency_id", "method").annotate(receipts=Count("id")).order_by():
        by_receipt[(row["agency_id"], row["method"])][0] = row["receipts"]
    refunds = {
        (row["payment__dossier__agency_id"], row["payment__method"]): [row["refunds"], row["amount"] or 0]
        for row in refunds_done(agencies=agencies, period=period)
        .values("payment__dossier__agency_id", "payment__method")
        .annotate(refunds=Count("id"), amount=Sum("amount"))
        .order_by()
    }
    shown = {agency for agency, _method in by_receipt} | {agency for agency, _method in refunds}
    scope = Agency.objects.all() if agencies is None else agencies
    return Collections(
        period=period,
        agencies=list(scope.filter(pk__in=shown).order_by("name")),
        by_kind=by_kind,
        by_receipt=dict(by_receipt),
        refunds=refunds,
    )
