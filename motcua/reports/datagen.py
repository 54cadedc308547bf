"""A province's realistic dossier history, generated in bulk for the statistics' scale benchmark
and tests (`manage.py statistics_generate`).

It lives in the reports app because it exists for what the reports read (the board, the daily
counts, the dashboards and the statutory report built on them) and has no model of its own.

What makes it realistic, cheaply: agencies of very different sizes (a few busy departments, the
service centre, a long tail of small communes, sizes drawn from a log-normal law), procedures
with Zipf-like popularity and a yearly profile (civil status and land peak before Tết, education
in the school season; almost nothing during Tết), demand on working days of the repo's calendar
(Mondays busiest, a trickle of online dossiers on days off), the online share growing over the
two years, early / on time / late shares that vary by agency, dossiers still open (some overdue),
refused, withdrawn and stopped ones, ratings with a dissatisfied share higher for late results,
and fees paid online or at the counter.

Rows are written with COPY on PostgreSQL and `executemany` on SQLite, without events: the daily
counts are rebuilt afterwards (`daily_counts_rebuild`, `statutory_counts_rebuild`). Generated rows
are recognised by their applicants (`synthetic-` accounts, as `generate_dossiers` makes) and their
code's `-G` part.
"""

import datetime
import json
import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from motcua.catalog.constants import ProcedureLevel, TimeUnit, VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ApplicationError
from motcua.core.workdays import get_calendar
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure
from motcua.dossiers.constants import Channel, DeliveryMethod, DossierStatus, Outcome
from motcua.dossiers.management.commands.generate_dossiers import synthetic_applicants
from motcua.dossiers.models import Dossier
from motcua.dossiers.search import applicant_folded
from motcua.payments.constants import PaymentMethod, PaymentStatus
from motcua.payments.models import Payment
from motcua.reports.aggregates import daily_counts_rebuild
from motcua.reports.constants import Satisfaction
from motcua.reports.models import SatisfactionRating
from motcua.reports.statutory_counts import statutory_counts_rebuild

SYNTHETIC_PREFIX = "synthetic-"
OFFICER_PREFIX = "datagen-officer-"
UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
# Office hours in UTC (Asia/Ho_Chi_Minh is UTC+7): 07:30-17:00 local.
OFFICE_START, OFFICE_HOURS = datetime.timedelta(hours=0, minutes=30), 9.5
WEEKDAY_DEMAND = [1.25, 1.05, 1.0, 1.0, 0.9, 0.12, 0.06]  # Monday .. Sunday
DAY_OFF_DEMAND = 0.08  # online dossiers handed in on a holiday
# Share of the dossiers of each outcome; the rest are received and processed.
REJECTED, WITHDRAWN, STOPPED, STUCK = 0.02, 0.01, 0.007, 0.004
CHANNEL_MIX_START = {Channel.ONLINE: 0.40, Channel.NATIONAL_PORTAL: 0.05, Channel.POST_OFFICE: 0.04}
CHANNEL_MIX_END = {Channel.ONLINE: 0.62, Channel.NATIONAL_PORTAL: 0.10, Channel.POST_OFFICE: 0.03}
RATED_SHARE, DISSATISFIED_ON_TIME, DISSATISFIED_LATE = 0.3, 0.02, 0.25
FEE_SHARE = 0.35  # procedures with a fee
COMMUNE_SHARE = 0.65


class GeneratedDataRefused(ApplicationError):
    code = "datagen_real_data"


@dataclass(frozen=True)
class Season:
    """A yearly demand profile: factors around Tết and in the school season."""

    before_tet: float
    during_tet: float
    school: float


SEASONS = {
    "flat": Season(before_tet=1.1, during_tet=0.05, school=1.0),
    "tet": Season(before_tet=1.9, during_tet=0.02, school=0.9),
    "school": Season(before_tet=0.9, during_tet=0.05, school=2.2),
}
SEASON_WORDS = {"tet": ["hộ tịch", "đất đai", "đăng ký", "xây dựng", "cư trú"], "school": ["giáo dục", "đào tạo"]}


@dataclass
class Stats:
    dossiers: int = 0
    ratings: int = 0
    payments: int = 0
    daily_rows: int = 0
    seconds: float = 0.0


def generated_dossiers() -> "models.QuerySet[Dossier]":
    return Dossier.objects.filter(applicant__username__startswith=SYNTHETIC_PREFIX)


def real_dossiers_exist() -> bool:
    """Whether the database holds dossiers this generator did not make (a real or demo site)."""
    return Dossier.objects.exclude(applicant__username__startswith=SYNTHETIC_PREFIX).exists()


def statistics_generate(
    *,
    dossiers: int,
    seed: int = 1,
    days: int = 730,
    force: bool = False,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Stats:
    """Add `dossiers` generated dossiers received over the last `days` days, then rebuild the
    daily counts. Refused where real dossiers exist unless `force`."""
    if real_dossiers_exist() and not force:
        raise GeneratedDataRefused(
            "Cơ sở dữ liệu đã có hồ sơ thật: không sinh dữ liệu thử nghiệm vào đây (dùng --force nếu "
            "chắc chắn đây là cơ sở dữ liệu thử nghiệm). / The database holds real dossiers: refusing "
            "to add generated ones (pass --force if this is surely a test database)."
        )
    started = time.perf_counter()
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    province = _Province.build(rng=rng, today=today or timezone.localdate(), days=days)
    stats = Stats()
    with _foreign_key_triggers_off():
        stats.dossiers, stats.ratings, stats.payments = province.write(count=dossiers, say=say)
    say(f"{stats.dossiers} dossiers written in {time.perf_counter() - started:.0f} s; rebuilding the daily counts")
    stats.daily_rows = daily_counts_rebuild()
    statutory_counts_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    stats.seconds = time.perf_counter() - started
    return stats


@dataclass
class _Version:
    id: int
    field_id: int
    working_days: int
    season: Season
    fee: int
    agencies: list[Agency]
    agency_weights: list[float]
    popularity: float


class _Province:
    """The directory and catalogue as the generator sees them, with the demand weights."""

    def __init__(self, rng: random.Random, today: datetime.date, days: int) -> None:
        self.rng = rng
        self.today = today
        self.days = [today - datetime.timedelta(days=n) for n in range(days, -1, -1)]
        calendar = get_calendar()
        self.working = [day for day in self.days if calendar.is_working_day(day)]
        # Working days after today too, for appointments of the last dossiers.
        day = today
        while len(self.working) < len([d for d in self.days if calendar.is_working_day(d)]) + 80:
            day += datetime.timedelta(days=1)
            if calendar.is_working_day(day):
                self.working.append(day)
        self.working_index = {day: n for n, day in enumerate(self.working)}
        self.tet_days = _tet_days(self.days, calendar.is_working_day)
        self.versions: list[_Version] = []
        self.officers: dict[int, list[int]] = {}
        self.applicants: list[tuple[int, str]] = []
        self.lateness: dict[int, float] = {}

    @classmethod
    def build(cls, *, rng: random.Random, today: datetime.date, days: int) -> "_Province":
        province = cls(rng, today, days)
        province._agencies_and_versions()
        province._people()
        return province

    def _agencies_and_versions(self) -> None:
        rng = self.rng
        agencies = list(Agency.objects.filter(is_active=True).select_related("unit").order_by("code"))
        communes = [a for a in agencies if a.kind == AgencyKind.COMMUNE_COMMITTEE and a.unit.valid_to is None]
        provincial = [a for a in agencies if a.kind in (AgencyKind.DEPARTMENT, AgencyKind.SERVICE_CENTRE)]
        if not communes and not provincial:
            raise ApplicationError(
                "Chưa có cơ quan nào: nạp danh mục cơ quan trước (manage.py load_demo --no-dossiers).",
                code="datagen_no_directory",
            )
        # Sizes: a commune's demand follows its population (a long log-normal tail); a department's
        # is several communes' worth.
        size = {a.pk: rng.lognormvariate(0, 0.9) for a in communes}
        size.update({a.pk: rng.lognormvariate(2.0, 0.6) for a in provincial})
        # Some units are chronically slower: their late share is up to four times the mean.
        self.lateness = {pk: min(4.0, rng.lognormvariate(0, 0.6)) for pk in size}
        versions = list(
            ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("field")
            .order_by("procedure__code", "id")
        )
        if not versions:
            raise ApplicationError(
                "Chưa có thủ tục nào được công bố: nạp danh mục thủ tục trước (manage.py load_demo --no-dossiers).",
                code="datagen_no_catalogue",
            )
        rng.shuffle(versions)
        by_pk = {a.pk: a for a in provincial}
        # Communes receive most dossiers (civil status, certifications): their procedures share
        # COMMUNE_SHARE of the demand, each group by its own Zipf-like ranking.
        local = [v for v in versions if v.level == ProcedureLevel.COMMUNE and communes]
        ranks = {
            v.pk: rank for group in (local, [v for v in versions if v not in local]) for rank, v in enumerate(group, 1)
        }
        group_total = {True: sum(1 / n**1.1 for n in range(1, len(local) + 1)) or 1.0}
        group_total[False] = sum(1 / n**1.1 for n in range(1, len(versions) - len(local) + 1)) or 1.0
        for version in versions:
            is_local = version in local
            if is_local:
                receivers = communes
            elif version.managing_agency_id in by_pk:
                receivers = [by_pk[version.managing_agency_id]]
            else:
                receivers = provincial or communes
            amount = float(version.processing_time or 1)
            working_days = max(
                1, math.ceil(amount / 8 if version.processing_time_unit == TimeUnit.WORKING_HOUR else amount)
            )
            field_name = (version.field.name if version.field else "").lower()
            season = next(
                (SEASONS[name] for name, words in SEASON_WORDS.items() if any(w in field_name for w in words)),
                SEASONS["flat"],
            )
            fee = rng.choice([20_000, 50_000, 100_000, 200_000, 500_000]) if rng.random() < FEE_SHARE else 0
            self.versions.append(
                _Version(
                    id=version.pk,
                    field_id=version.field_id,
                    working_days=working_days,
                    season=season,
                    fee=fee,
                    agencies=receivers,
                    agency_weights=list(accumulate(size[a.pk] for a in receivers)),
                    popularity=(COMMUNE_SHARE if is_local else 1 - COMMUNE_SHARE)
                    / ranks[version.pk] ** 1.1
                    / group_total[is_local],
                )
            )

    def _people(self) -> None:
        """A thousand synthetic citizens and two reception officers per agency."""
        User = get_user_model()

        # Their own generator: the first run creates them, a later one finds them, same draws after.
        people = synthetic_applicants(random.Random(self.rng.random()))  # noqa: S311 - synthetic data
        self.applicants = [
            (user.pk, applicant_folded(user.citizen.full_name)) for user in sorted(people, key=lambda u: u.username)
        ]
        agency_ids = {a.pk: a for version in self.versions for a in version.agencies}
        existing = dict(User.objects.filter(username__startswith=OFFICER_PREFIX).values_list("username", "pk"))
        for agency in agency_ids.values():
            officers = []
            for n in (1, 2):
                username = f"{OFFICER_PREFIX}{agency.code.lower()}-{n}"
                if username not in existing:
                    existing[username] = staff_ensure(
                        actor="statistics_generate",
                        username=username,
                        full_name=f"Cán bộ Thử nghiệm {agency.code} {n}",
                        password=None,
                        roles=[(Role.RECEPTION, agency.code, None)],
                    ).pk
                officers.append(existing[username])
            self.officers[agency.pk] = officers

    def _season(self, day: datetime.date, season: Season) -> float:
        tet = self.tet_days.get(day)
        if tet == "during":
            return season.during_tet
        if tet == "before":
            return season.before_tet
        if tet == "after":
            return 0.7
        if (day.month == 7 and day.day >= 15) or day.month == 8:
            return season.school
        return 1.0

    def _daily_totals(self, count: int) -> list[tuple[datetime.date, int]]:
        """`count` dossiers spread over the days by demand, with a 15 % yearly growth."""
        calendar = get_calendar()
        weights = []
        for n, day in enumerate(self.days):
            base = WEEKDAY_DEMAND[day.weekday()] if calendar.is_working_day(day) else DAY_OFF_DEMAND
            growth = 1.15 ** (n / 365)
            weights.append(base * growth * self._season(day, SEASONS["flat"]))
        total = sum(weights)
        out, carry = [], 0.0
        for day, weight in zip(self.days, weights, strict=True):
            exact = count * weight / total + carry
            whole = int(exact)
            carry = exact - whole
            out.append((day, whole))
        if carry > 0.5 or sum(n for _, n in out) < count:
            out[-1] = (out[-1][0], out[-1][1] + count - sum(n for _, n in out))
        return out

    def write(self, *, count: int, say: Callable[[str], None]) -> tuple[int, int, int]:
        first_id = (Dossier.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        tables = [
            _BulkTable(Dossier, _DOSSIER_COLUMNS),
            _BulkTable(SatisfactionRating, _RATING_COLUMNS),
            _BulkTable(Payment, _PAYMENT_COLUMNS),
        ]
        rows = _Rows(self, first_id)
        done = 0
        started = time.perf_counter()
        buffers: list[list[tuple[Any, ...]]] = [[], [], []]
        for day, total in self._daily_totals(count):
            for generated in rows.day(day, total):
                for buffer, row in zip(buffers, generated, strict=True):
                    if row:
                        buffer.append(row)
            done += total
            if len(buffers[0]) >= 50_000 or day == self.today:
                for table, buffer in zip(tables, buffers, strict=True):
                    table.write(buffer)
                    buffer.clear()
                say(f"{day}: {done} dossiers ({done / (time.perf_counter() - started):.0f}/s)")
        for model in (Dossier, SatisfactionRating, Payment):
            _sequence_reset(model)
        return done, rows.ratings, rows.payments


def _tet_days(days: list[datetime.date], is_working_day: Callable[[datetime.date], bool]) -> dict[datetime.date, str]:
    """The Tết holidays of each year (the longest run of days off in January-February), the three
    weeks before (people settle their papers) and the week after (offices restart slowly)."""
    marks: dict[datetime.date, str] = {}
    for year in sorted({day.year for day in days}):
        best: list[datetime.date] = []
        run: list[datetime.date] = []
        day = datetime.date(year, 1, 10)
        while day <= datetime.date(year, 3, 5):
            if is_working_day(day):
                best, run = max(best, run, key=len), []
            else:
                run.append(day)
            day += datetime.timedelta(days=1)
        best = max(best, run, key=len)
        if len(best) < 4:
            continue
        for n in range(1, 22):
            marks[best[0] - datetime.timedelta(days=n)] = "before"
        for day in best:
            marks[day] = "during"
        for n in range(1, 8):
            marks[best[-1] + datetime.timedelta(days=n)] = "after"
    return marks


_DOSSIER_COLUMNS = [
    "id",
    "code",
    "applicant_folded",
    "procedure_version_id",
    "agency_id",
    "applicant_id",
    "channel",
    "status",
    "delivery_method",
    "created_at",
    "updated_at",
    "submitted_at",
    "received_at",
    "received_by_id",
    "due_at",
    "outcome",
    "fees_due",
    "fees_paid_at",
    "processed_at",
    "returned_at",
]
_RATING_COLUMNS = [
    "dossier_id",
    "agency_id",
    "officer_id",
    "agency_level",
    "officer_level",
    "result_level",
    "created_at",
]
_PAYMENT_COLUMNS = ["dossier_id", "reference", "method", "gateway", "amount", "status", "created_at", "paid_at"]
ONLINE_CHANNELS = (Channel.ONLINE, Channel.NATIONAL_PORTAL)


class _Rows:
    """The rows of one day's dossiers, with their rating and payment."""

    def __init__(self, province: _Province, first_id: int) -> None:
        self.p = province
        self.next_id = first_id
        self.ratings = 0
        self.payments = 0
        self.now = datetime.datetime.combine(province.today, datetime.time(10), tzinfo=UTC)  # 17:00 local
        self.span = len(province.days)
        self.codes = {a.pk: a.electronic_id or a.code for v in province.versions for a in v.agencies}

    def _at(self, day: datetime.date, rng: random.Random) -> datetime.datetime:
        offset = OFFICE_START + rng.random() * OFFICE_HOURS * HOUR
        return datetime.datetime.combine(day, datetime.time(0), tzinfo=UTC) + offset

    def _working_day_after(self, day: datetime.date, n: int) -> datetime.date:
        working, index = self.p.working, self.p.working_index
        start = index.get(day)
        if start is None:  # a day off: the next working day counts as the day itself
            start = bisect(working, day)
        return working[min(len(working) - 1, max(0, start + n))]

    def day(self, day: datetime.date, total: int) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
        p, rng = self.p, self.p.rng
        if total <= 0:
            return
        weights = [v.popularity * p._season(day, v.season) for v in p.versions]
        chosen = rng.choices(p.versions, weights=weights, k=total)
        share = p.days.index(day) / self.span if self.span else 1.0
        mix = {c: CHANNEL_MIX_START[c] + (CHANNEL_MIX_END[c] - CHANNEL_MIX_START[c]) * share for c in CHANNEL_MIX_START}
        online_cut = mix[Channel.ONLINE]
        portal_cut = online_cut + mix[Channel.NATIONAL_PORTAL]
        post_cut = portal_cut + mix[Channel.POST_OFFICE]
        working = p.working_index.get(day) is not None
        for version in chosen:
            yield self._one(day, version, rng, working, online_cut, portal_cut, post_cut)

    def _one(
        self,
        day: datetime.date,
        version: _Version,
        rng: random.Random,
        working: bool,
        online_cut: float,
        portal_cut: float,
        post_cut: float,
    ) -> tuple[tuple[Any, ...], Any, Any]:
        agency = (
            version.agencies[bisect(version.agency_weights, rng.random() * version.agency_weights[-1])]
            if len(version.agencies) > 1
            else version.agencies[0]
        )
        pk = self.next_id
        self.next_id += 1
        draw = rng.random()
        channel = (
            Channel.ONLINE
            if draw < online_cut or not working
            else Channel.NATIONAL_PORTAL
            if draw < portal_cut
            else Channel.POST_OFFICE
            if draw < post_cut
            else Channel.COUNTER
        )
        applicant_id, applicant_folded_name = rng.choice(self.p.applicants)
        submitted = self._at(day, rng)
        received_day = day if working else self._working_day_after(day, 0)
        received = self._at(received_day, rng) if channel in ONLINE_CHANNELS else submitted
        if received < submitted:
            received = submitted + datetime.timedelta(minutes=rng.randrange(5, 120))
        due_day = self._working_day_after(received_day, version.working_days)
        due = datetime.datetime.combine(due_day, datetime.time(10), tzinfo=UTC)  # 17:00 local
        officer = rng.choice(self.p.officers[agency.pk])
        never_received = False
        status: str = DossierStatus.RETURNED
        outcome: str = Outcome.GRANTED
        processed: datetime.datetime | None = None
        returned: datetime.datetime | None = None
        fate = rng.random()
        late_share = 0.06 * self.p.lateness[agency.pk]
        if fate < REJECTED:
            status, outcome, never_received = DossierStatus.REJECTED, "", True
        elif received > self.now:
            status, outcome, never_received = DossierStatus.SUBMITTED, "", True
        elif fate < REJECTED + WITHDRAWN:
            status, outcome = DossierStatus.WITHDRAWN, ""
        elif fate < REJECTED + WITHDRAWN + STOPPED:
            status, outcome = DossierStatus.STOPPED, ""
        elif fate < REJECTED + WITHDRAWN + STOPPED + STUCK:
            status, outcome = DossierStatus.IN_PROGRESS, ""  # forgotten: overdue for long
        else:
            timing = rng.random()
            if timing < late_share:
                finished_day = self._working_day_after(due_day, rng.randint(1, 10))
            elif timing < late_share + 0.4:
                finished_day = due_day
            else:
                finished_day = self._working_day_after(due_day, -rng.randint(1, max(1, version.working_days - 1)))
            processed = self._at(max(finished_day, received_day), rng)
            if finished_day == due_day and processed > due:
                processed = due - datetime.timedelta(minutes=rng.randrange(1, 90))
            processed = max(processed, received + datetime.timedelta(minutes=10))
            if processed > self.now:
                processed = None
                status, outcome = (DossierStatus.PAUSED if rng.random() < 0.05 else DossierStatus.IN_PROGRESS), ""
            else:
                returned = processed + datetime.timedelta(hours=rng.randrange(1, 72))
                if returned > self.now:
                    status, returned = DossierStatus.PROCESSED, None
                outcome = Outcome.REFUSED if rng.random() < 0.03 else Outcome.GRANTED
        paid = None
        payment = None
        if version.fee and not never_received:
            paid = submitted if channel in ONLINE_CHANNELS else received
            method, gateway = (
                (PaymentMethod.GATEWAY, "vnpay")
                if channel == Channel.ONLINE
                else (PaymentMethod.NATIONAL, "national")
                if channel == Channel.NATIONAL_PORTAL
                else (PaymentMethod.CASH if rng.random() < 0.7 else PaymentMethod.CARD, "")
            )
            payment = (pk, f"G{pk:012d}", method, gateway, version.fee, PaymentStatus.PAID, paid, paid)
            self.payments += 1
        rating = None
        if status == DossierStatus.RETURNED and rng.random() < RATED_SHARE:
            late = processed is not None and processed > due
            sour = rng.random() < (DISSATISFIED_LATE if late else DISSATISFIED_ON_TIME)
            levels = [Satisfaction.VERY_SATISFIED if rng.random() < 0.4 else Satisfaction.SATISFIED for _ in range(3)]
            if sour:
                levels[rng.randrange(3)] = Satisfaction.DISSATISFIED
            rating = (pk, agency.pk, officer, *levels, returned)
            self.ratings += 1
        row = (
            pk,
            f"{self.codes[agency.pk]}-{day:%y%m%d}-G{pk:08d}",
            applicant_folded_name,
            version.id,
            agency.pk,
            applicant_id,
            channel.value,
            status,
            DeliveryMethod.ONLINE.value if channel in ONLINE_CHANNELS else DeliveryMethod.COUNTER.value,
            submitted,
            returned or processed or (submitted if never_received else received),
            submitted,
            None if never_received else received,
            None if never_received else officer,
            None if never_received else due,
            outcome,
            version.fee,
            paid,
            processed,
            returned,
        )
        return row, rating, payment


class _BulkTable:
    """Rows of `model` written fast: COPY on PostgreSQL, `executemany` on SQLite. The columns
    not given take the model's defaults, computed once."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key]
        self.columns = [*columns, *(f.column for f in fields)]
        self.defaults = tuple(_column_default(f) for f in fields)

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """One COPY (one connection runs one at a time) or one `executemany` for `rows`."""
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table, defaults = self.model._meta.db_table, self.defaults
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + defaults)
            else:
                marks = ", ".join("?" * len(self.columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - the model's own names
                    (tuple(_sqlite(value) for value in row) + defaults for row in rows),
                )


def _sqlite(value: Any) -> Any:
    # Django keeps SQLite datetimes as naive UTC text.
    return value.replace(tzinfo=None).isoformat(" ") if isinstance(value, datetime.datetime) else value


def _column_default(field: models.Field) -> Any:
    value = field.get_default()
    return json.dumps(value) if isinstance(field, models.JSONField) else value


@contextmanager
def _foreign_key_triggers_off() -> Iterator[None]:
    """On PostgreSQL, as a superuser, skip the per-row foreign-key checks while loading (the keys
    come from the rows just read): millions of deferred checks would dominate the load. Each
    batch commits on its own, so a big load does not hold one huge transaction."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if superuser:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def _sequence_reset(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608 - the model's table
        )
