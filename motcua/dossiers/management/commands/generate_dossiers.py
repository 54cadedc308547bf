import datetime
import random
import sys
import time
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import CitizenProfile
from motcua.catalog.constants import ProcedureLevel, StepKind, VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import Channel, DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.search import applicant_folded

# Roughly how dossiers spread over states in a working province.
STATUS_WEIGHTS = {
    DossierStatus.SUBMITTED: 5,
    DossierStatus.IN_PROGRESS: 20,
    DossierStatus.PAUSED: 2,
    DossierStatus.RETURNED: 60,
    DossierStatus.SUPPLEMENT_REQUESTED: 3,
    DossierStatus.REJECTED: 2,
    DossierStatus.WITHDRAWN: 1,
    DossierStatus.STOPPED: 1,
}
# Synthetic applicants' names, combined: common words ("hung", "nguyen") and rarer whole names.
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc"]
GIVEN_NAMES = ["Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Mai", "Sơn", "Hà", "Nam", "Linh", "Đạt", "Thảo", "Phúc"]
RECEIVED = {DossierStatus.IN_PROGRESS, DossierStatus.PAUSED, DossierStatus.RETURNED, DossierStatus.STOPPED}
CHANNEL_WEIGHTS = {Channel.ONLINE: 60, Channel.COUNTER: 30, Channel.POST_OFFICE: 5, Channel.NATIONAL_PORTAL: 5}


class Command(BaseCommand):
    help = "Insert synthetic dossiers for benchmarks and demos (needs the demo province loaded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args: object, count: int, seed: int, batch: int, **options: object) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        versions = list(
            ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).only("id", "level", "managing_agency_id")
        )
        communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__valid_to__isnull=True))
        departments = list(Agency.objects.filter(kind__in=[AgencyKind.DEPARTMENT, AgencyKind.SERVICE_CENTRE]))
        if not versions or not communes or not departments:
            raise CommandError("Load the demo province first (manage.py load_demo).")
        applicants = synthetic_applicants(rng)
        sequences: dict[tuple[int, datetime.date], int] = defaultdict(int)
        existing = Dossier.objects.count()
        now = timezone.now()
        statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        channels, channel_weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
        started = time.perf_counter()
        done = 0
        while done < count:
            rows = []
            for _ in range(min(batch, count - done)):
                version = rng.choice(versions)
                if version.level == ProcedureLevel.COMMUNE:
                    agency = rng.choice(communes)
                else:
                    agency = next(
                        (a for a in departments if a.pk == version.managing_agency_id), rng.choice(departments)
                    )
                submitted = now - datetime.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
                day = timezone.localdate(submitted)
                sequences[(agency.pk, day)] += 1
                status = rng.choices(statuses, status_weights)[0]
                received = submitted + datetime.timedelta(hours=2) if status in RECEIVED else None
                applicant = rng.choice(applicants)
                rows.append(
                    Dossier(
                        # "S" marks synthetic codes, so they never collide with real ones.
                        code=f"{agency.electronic_id}-{day:%y%m%d}-S{sequences[(agency.pk, day)] + existing:07d}",
                        procedure_version_id=version.pk,
                        agency=agency,
                        applicant=applicant,
                        applicant_folded=applicant_folded(applicant.citizen.full_name),
                        channel=rng.choices(channels, channel_weights)[0],
                        status=status,
                        submitted_at=submitted,
                        received_at=received,
                        due_at=received + datetime.timedelta(days=rng.randrange(1, 20)) if received else None,
                        delivery_method="online",
                    )
                )
            with transaction.atomic():
                Dossier.objects.bulk_create(rows, batch_size=batch)
                DossierStep.objects.bulk_create(self._steps(rows, rng), batch_size=batch)
            done += len(rows)
            rate = done / (time.perf_counter() - started)
            sys.stderr.write(f"\r{done}/{count} dossiers ({rate:.0f}/s)")
        sys.stderr.write("\n")
        # Bulk rows record no domain events: the reports' daily counts are recomputed apart.
        self.stdout.write(f"Inserted {count} synthetic dossiers; run `manage.py reports_rebuild` to count them.")

    def _steps(self, dossiers: list[Dossier], rng: random.Random) -> list[DossierStep]:
        """The reception step of every received dossier, then its open step or its finished ones."""
        steps = []
        for dossier in dossiers:
            if dossier.received_at is None or dossier.due_at is None:
                continue
            common = {"dossier_id": dossier.pk, "agency_id": dossier.agency_id}
            steps.append(
                DossierStep(
                    **common,
                    kind=StepKind.RECEPTION,
                    name="Tiếp nhận hồ sơ",
                    role=Role.RECEPTION,
                    status=StepStatus.DONE,
                    started_at=dossier.received_at,
                    due_at=dossier.received_at + datetime.timedelta(hours=1),
                    finished_at=dossier.received_at,
                )
            )
            open_step = dossier.status in {DossierStatus.IN_PROGRESS, DossierStatus.PAUSED}
            started = dossier.received_at + datetime.timedelta(minutes=5)
            # A stopped dossier's step was cancelled by the stop; a returned one's was done.
            ended = StepStatus.CANCELLED if dossier.status == DossierStatus.STOPPED else StepStatus.DONE
            steps.append(
                DossierStep(
                    **common,
                    kind=StepKind.PROCESS,
                    name="Thẩm định, xử lý hồ sơ",
                    role=Role.SPECIALIST,
                    status=StepStatus.ACTIVE if open_step else ended,
                    started_at=started,
                    due_at=started + datetime.timedelta(hours=rng.randrange(4, 120)),
                    finished_at=None if open_step else started + datetime.timedelta(hours=rng.randrange(1, 100)),
                )
            )
        return steps


def synthetic_applicants(rng: random.Random) -> list[Any]:
    """A thousand citizens with a name, an ID number and a phone, so the search has them."""
    User = get_user_model()
    users = list(User.objects.filter(username__startswith="synthetic-").select_related("citizen")[:1000])
    if users:
        return users
    users = User.objects.bulk_create([User(username=f"synthetic-{i:04d}") for i in range(1000)])
    CitizenProfile.objects.bulk_create(
        CitizenProfile(
            user=user,
            full_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}",
            id_number=f"099{i:09d}",
            phone=f"0399{i:06d}",
        )
        for i, user in enumerate(users)
    )
    return list(User.objects.filter(username__startswith="synthetic-").select_related("citizen"))
