"""Daily counts of dossiers per agency, procedure field and level, kept from the domain events.

Each column of the counts is a condition over one dossier (`CONDITIONS`). At every event of a
dossier the consumer (`reports/consumers.py`) recounts that dossier with the same conditions,
compares the result with its part as last counted (`CountedDossier`) and adds the difference to
the daily rows, in the transaction of the change. The rebuild computes every dossier's part and
every daily row from the dossiers (after an upgrade, or to repair), set-based in the database.

Both count with the board's rule: a dossier on its reception day (a rejected one on its
submission day), early / on time / late by `dossiers.deadlines`' conditions. The dashboards'
measures (`leaders/measures.py`) filter their drill-down lists with these same conditions.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from motcua.accounts.sso import PROVIDER_ID as VNEID
from motcua.catalog.models import Fee
from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus, SlipKind, StepStatus
from motcua.dossiers.deadlines import EARLY, FINISHED, LATE, with_timeliness_facts
from motcua.dossiers.models import Dossier, DossierAttachment, DossierSlip, DossierStep
from motcua.national.constants import SyncStatus
from motcua.national.models import SyncItem
from motcua.payments.constants import ONLINE_METHODS, PaymentStatus
from motcua.payments.models import Payment
from motcua.reports.models import (
    AgencyDailyCount,
    CountedDossier,
    CountedParticipant,
    DailyDossierCount,
    DossierCounts,
    Feedback,
    OfficerDailyCount,
    ProcedureDailyCount,
    ProvinceDailyCount,
)
from motcua.reports.selectors import disliked

ON_TIME = FINISHED & ~EARLY & ~LATE
# National portal submissions are online submissions that arrived through the portal.
ONLINE_CHANNELS = [Channel.ONLINE, Channel.NATIONAL_PORTAL]
RECEIVED = Q(received_at__isnull=False)
# The dossiers the counts hold: received ones, and rejected ones on their submission day.
COUNTED = RECEIVED | Q(status=DossierStatus.REJECTED, submitted_at__isnull=False)


PAID_ONLINE = Q(
    Exists(Payment.objects.filter(dossier=OuterRef("pk"), method__in=ONLINE_METHODS, status=PaymentStatus.PAID))
)
ATTACHED = Q(Exists(DossierAttachment.objects.filter(dossier=OuterRef("pk"))))
# A result in electronic form: the signed document, numbered and issued (a document the leader
# signed but the clerk has not issued yet is no result).
E_RESULT = Q(result_document__issued_at__isnull=False)
E_RESULT_WHERE_PAPER = Q(procedure_version__paper_result_required=False) | E_RESULT
FEE_DEFINED = Q(Exists(Fee.objects.filter(version=OuterRef("procedure_version"), amount__gt=0)))
PERSONAL = RECEIVED & Q(representation__isnull=True)


def received_column(channel: str) -> str:
    return f"received_{Channel(channel).value}"


# Their sum: every dossier received.
RECEIVED_COLUMNS = tuple(received_column(channel) for channel in Channel.values)


CONDITIONS: dict[str, Q] = {
    **{received_column(channel): RECEIVED & Q(channel=channel) for channel in Channel.values},
    "finished_early": EARLY,
    "finished_on_time": ON_TIME,
    "finished_late": LATE,
    "finished_online": FINISHED & Q(channel__in=ONLINE_CHANNELS),
    "finished_counter": FINISHED & Q(channel=Channel.COUNTER),
    "stopped": RECEIVED & Q(status=DossierStatus.STOPPED),
    "withdrawn": RECEIVED & Q(status=DossierStatus.WITHDRAWN),
    "rejected": Q(status=DossierStatus.REJECTED),
    "rated": RECEIVED & Q(rating__isnull=False),
    "dissatisfied": RECEIVED & Q(rating__isnull=False) & disliked("rating__"),
    # Submitted and returned online: the full process online.
    "full_online": Q(channel__in=ONLINE_CHANNELS, delivery_method=DeliveryMethod.ONLINE, returned_at__isnull=False),
    "fee_payable": RECEIVED & Q(fees_due__gt=0),
    "paid_online": RECEIVED & Q(fees_due__gt=0) & PAID_ONLINE,
    "digitised": RECEIVED & ATTACHED,
    "scanned": RECEIVED
    & Q(Exists(DossierAttachment.objects.filter(dossier=OuterRef("pk"), source=AttachmentSource.SCAN))),
    # What the data records of a dossier sent back: a step returned to the previous one, or a
    # supplement slip (at reception or during processing).
    "returned": RECEIVED
    & (
        Q(Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), status=StepStatus.RETURNED)))
        | Q(Exists(DossierSlip.objects.filter(dossier=OuterRef("pk"), kind=SlipKind.SUPPLEMENT)))
    ),
    # The Decision 766 index's (service_index/indicators.py says which indicator reads which).
    # A feedback about the dossier, or a rating with at least one "not satisfied".
    "complained": RECEIVED
    & (Q(Exists(Feedback.objects.filter(dossier=OuterRef("pk")))) | (Q(rating__isnull=False) & disliked("rating__"))),
    "synced": RECEIVED
    & (
        Q(channel=Channel.NATIONAL_PORTAL)
        | Q(Exists(SyncItem.objects.filter(dossier=OuterRef("pk"), status=SyncStatus.SENT)))
    ),
    "online_e_result": RECEIVED & Q(channel__in=ONLINE_CHANNELS) & E_RESULT_WHERE_PAPER,
    "fee_defined": RECEIVED & FEE_DEFINED,
    "fee_defined_paid_online": RECEIVED & FEE_DEFINED & PAID_ONLINE,
    "paper_result": FINISHED & RECEIVED & Q(procedure_version__paper_result_required=True),
    "paper_result_e": FINISHED & RECEIVED & Q(procedure_version__paper_result_required=True) & E_RESULT,
    "digitised_e_result": RECEIVED & ATTACHED & E_RESULT_WHERE_PAPER,
    "reused": RECEIVED
    & Q(Exists(DossierAttachment.objects.filter(dossier=OuterRef("pk"), source=AttachmentSource.DOCUMENT_STORE))),
    "personal": PERSONAL,
    "personal_vneid": PERSONAL & Q(Exists(SocialAccount.objects.filter(user=OuterRef("applicant"), provider=VNEID))),
}
# Processing time summed over the dossiers of a count column.
DURATIONS = {"duration_online": "finished_online", "duration_counter": "finished_counter"}
COLUMNS = [*CONDITIONS, *DURATIONS]
# A counted dossier's key: every name of every daily table's key, and its result's day.
KEY = ["agency_id", "procedure_id", "field_id", "level", "day", "processed_day"]
# The daily counts' tables and their keys: every dossier's part goes into one row of each.
ROLLUPS: dict[type[DossierCounts], list[str]] = {
    DailyDossierCount: ["agency_id", "field_id", "level", "day"],
    ProvinceDailyCount: ["field_id", "level", "day"],
    AgencyDailyCount: ["agency_id", "day"],
    ProcedureDailyCount: ["agency_id", "procedure_id", "day"],
}
# An officer's rows: the dossiers they took part in (`CountedParticipant`), keyed by these too.
OFFICER_KEY = ["field_id", "level", "day"]
# Every daily table's key, the officers' too.
TABLE_KEYS: dict[type[DossierCounts], list[str]] = {**ROLLUPS, OfficerDailyCount: ["officer_id", *OFFICER_KEY]}
# The tables made from `CountedDossier` by the rebuild; the others sum `DailyDossierCount`.
_SUMMED_FROM_PARTS = (DailyDossierCount, ProcedureDailyCount)
assert {field.attname for field in DossierCounts._meta.concrete_fields if field.name != "id"} == set(COLUMNS)

_TAKEN = ExpressionWrapper(F("processed_at") - F("received_at"), output_field=DurationField())


def _dossier_parts(dossiers: QuerySet[Dossier]) -> QuerySet[Any]:
    """Every counted dossier's key and columns, as `CountedDossier`'s fields in this order."""
    parts: dict[str, Any] = {
        "dossier_id": F("pk"),
        "agency_id": F("agency_id"),
        "procedure_id": F("procedure_version__procedure_id"),
        "field_id": F("procedure_version__field_id"),
        "level": F("procedure_version__level"),
        "day": Case(When(RECEIVED, then=TruncDate("received_at")), default=TruncDate("submitted_at")),
        "processed_day": TruncDate("processed_at"),
        **{
            column: Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
            for column, condition in CONDITIONS.items()
        },
        **{
            column: Case(When(CONDITIONS[count], then=_TAKEN), default=Value(datetime.timedelta()))
            for column, count in DURATIONS.items()
        },
    }
    # Aliased: the parts are named like the dossier's own fields.
    return with_timeliness_facts(dossiers.filter(COUNTED)).values(**{f"part_{name}": e for name, e in parts.items()})


def _part(line: dict[str, Any]) -> dict[str, Any]:
    return {name.removeprefix("part_"): value for name, value in line.items()}


def _changes(sign: int, part: dict[str, Any]) -> dict[str, Any]:
    return {column: F(column) + sign * part[column] for column in COLUMNS if part[column]}


def daily_count_add(*, key: dict[str, Any], sign: int, part: dict[str, Any]) -> None:
    """Add (sign 1) or take away (sign -1) one dossier's part to its row of `key` in each of the
    `ROLLUPS`, creating them at need.

    The increments are `column = column + n` in the database, so two officers committing at
    once both count; the unique key makes the second creator wait for the first and then update
    the row it made (`get_or_create` retries its read after the IntegrityError)."""
    changes = _changes(sign, part)
    if not changes:
        return
    for model, names in ROLLUPS.items():
        counts_row_add(model, {name: key[name] for name in names}, changes)


def _officers_add(officers: Iterable[int], *, sign: int, part: dict[str, Any]) -> None:
    changes = _changes(sign, part)
    if not changes:
        return
    for officer_id in officers:
        key = {"officer_id": officer_id, **{name: part[name] for name in OFFICER_KEY}}
        counts_row_add(OfficerDailyCount, key, changes)


def counts_row_add(model: Any, key: dict[str, Any], changes: dict[str, Any]) -> None:
    """Apply `changes` (`column + n` expressions) to the row of `key`, made at need: the first
    update finds no row only for the day's first count, then `get_or_create` retries its read
    after the other creator's IntegrityError."""
    if not model._default_manager.filter(**key).update(**changes):
        model._default_manager.get_or_create(**key)
        model._default_manager.filter(**key).update(**changes)


def _participants(dossiers: QuerySet[Dossier], steps: QuerySet[DossierStep]) -> QuerySet[Any]:
    """(dossier, officer) once per officer who received one of `dossiers` or held or finished one
    of `steps` (`leaders.scopes.officer_q`'s parts)."""
    return (
        dossiers.filter(received_by__isnull=False)
        .values_list("pk", "received_by_id")
        .order_by()
        .union(
            steps.filter(assignee__isnull=False).values_list("dossier_id", "assignee_id").order_by(),
            steps.filter(finished_by__isnull=False).values_list("dossier_id", "finished_by_id").order_by(),
        )
    )


def dossier_recount(dossier_id: int) -> None:
    """Count the dossier again and move the difference with its last count into the daily rows,
    and its officers' rows. Run in the transaction of the change, under the dossier's lock
    (`domain_event_record`)."""
    line = _dossier_parts(Dossier.objects.filter(pk=dossier_id)).first()
    new = _part(line) if line else None
    old = CountedDossier.objects.filter(dossier_id=dossier_id).values("dossier_id", *KEY, *COLUMNS).first()
    officers = set()
    if new is not None:
        found = _participants(Dossier.objects.filter(pk=dossier_id), DossierStep.objects.filter(dossier_id=dossier_id))
        officers = {officer_id for _dossier, officer_id in found}
    counted = set(CountedParticipant.objects.filter(dossier_id=dossier_id).values_list("officer_id", flat=True))
    if new == old and officers == counted:
        return
    if old is not None:
        # What the dossier's officers held: all of the old part, or (the part unchanged) only what
        # an officer who left it held.
        _officers_add(counted if new != old else counted - officers, sign=-1, part=old)
    if old is not None and new != old:
        daily_count_add(key={name: old[name] for name in KEY}, sign=-1, part=old)
    if new is None:
        CountedDossier.objects.filter(dossier_id=dossier_id).delete()  # and its participants
        return
    if new != old:
        daily_count_add(key={name: new[name] for name in KEY}, sign=1, part=new)
        if old is None:
            CountedDossier.objects.create(**new)
        else:
            CountedDossier.objects.filter(dossier_id=dossier_id).update(**new)
    _officers_add(officers if new != old else officers - counted, sign=1, part=new)
    CountedParticipant.objects.filter(dossier_id=dossier_id, officer_id__in=counted - officers).delete()
    CountedParticipant.objects.bulk_create(
        CountedParticipant(dossier_id=dossier_id, officer_id=officer_id) for officer_id in officers - counted
    )


def dossiers_recount(dossier_ids: Iterable[int]) -> None:
    """`dossier_recount` for a change that is no dossier event (a record synced, an account
    linked): in a transaction of its own, each dossier locked as its events lock it, in order."""
    with transaction.atomic():
        for dossier_id in sorted(dossier_ids):
            Dossier.objects.select_for_update().filter(pk=dossier_id).values_list("pk").first()
            dossier_recount(dossier_id)


def _summed(path: str = "") -> dict[str, Sum]:
    return {f"sum_{column}": Sum(f"{path}{column}") for column in COLUMNS}


def _delete_all(model: Any) -> None:
    """DELETE FROM model's table: not the ORM's delete, which reads every row to cascade first
    (the tables are emptied in order, the participants before the parts they point to)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def _insert_from(model: Any, columns: list[str], rows: QuerySet[Any]) -> int:
    """INSERT INTO model's table (columns) SELECT rows: the rows never leave the database."""
    sql, params = rows.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) {sql}", params)
        return cursor.rowcount


def daily_counts_rebuild() -> int:
    """Recompute every dossier's part and the rows of every daily count table from the dossiers,
    in one transaction; returns the number of `DailyDossierCount` rows made."""
    with transaction.atomic():
        tables: list[type[models.Model]] = [CountedParticipant, OfficerDailyCount, CountedDossier, *ROLLUPS]
        for model in tables:
            _delete_all(model)
        _insert_from(CountedDossier, ["dossier_id", *KEY, *COLUMNS], _dossier_parts(Dossier.objects.all()))
        counted = {"dossier__counted__isnull": False}
        participants = _participants(
            Dossier.objects.filter(counted__isnull=False), DossierStep.objects.filter(**counted)
        )
        _insert_from(CountedParticipant, ["dossier_id", "officer_id"], participants)
        officers = ["officer_id", *(f"dossier__{name}" for name in OFFICER_KEY)]
        sums = CountedParticipant.objects.values(*officers).annotate(**_summed(path="dossier__")).order_by()
        _insert_from(OfficerDailyCount, ["officer_id", *OFFICER_KEY, *COLUMNS], sums)
        for model, names in ROLLUPS.items():
            source = CountedDossier if model in _SUMMED_FROM_PARTS else DailyDossierCount
            sums = source.objects.values(*names).annotate(**_summed()).order_by()
            _insert_from(model, [*names, *COLUMNS], sums)
        return DailyDossierCount.objects.count()


def count_table(reads: set[str]) -> type[DossierCounts] | None:
    """The smallest daily count table whose key has every name in `reads` (of `KEY`, or an
    officer's); None when none has (an officer's rows by agency, a procedure's by field)."""
    for model in (AgencyDailyCount, ProvinceDailyCount, DailyDossierCount, ProcedureDailyCount, OfficerDailyCount):
        if reads <= set(TABLE_KEYS[model]):
            return model
    return None
