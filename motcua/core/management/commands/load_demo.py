import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.demo import demo_citizens_ensure
from motcua.catalog.eforms import procedure_forms_load
from motcua.catalog.groups import procedure_groups_load
from motcua.catalog.national import (
    DEMO_INDEX,
    DEMO_MAPPINGS,
    DEMO_RECORDS,
    national_files_read,
    national_import,
    national_mappings_load,
)
from motcua.catalog.processes import process_defaults_ensure
from motcua.catalog.services import catalog_import
from motcua.directory.demo import DEMO_PASSWORD, demo_passwords_issue, demo_staff_ensure
from motcua.directory.models import Agency
from motcua.directory.services import directory_load
from motcua.documents.results import result_templates_load
from motcua.dossiers.demo import demo_dossiers_ensure
from motcua.notifications.selectors import demo_sms_for_phone
from motcua.notifications.services import demo_sms_clear
from motcua.payments.demo import demo_fees_pay
from motcua.payments.receipts import receipt_series_ensure
from motcua.reports.aggregates import daily_counts_rebuild

DEMO_DIRECTORY = Path(settings.PACKAGE_DIR) / "directory" / "demo_data" / "dak_lak.json"
DEMO_CATALOG = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "procedures.json"
DEMO_FORMS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "forms.json"
DEMO_GROUPS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "procedure_groups.json"
DEMO_RESULT_TEMPLATES = Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json"


class Command(BaseCommand):
    help = (
        "Load the demo province (Đắk Lắk): units, agencies, procedures and staff. Idempotent. "
        "Refused on the production profile unless --allow-production is given or "
        "MOTCUA_ALLOW_DEMO_ACCOUNTS=true."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-dossiers", action="store_true", help="Skip the sample dossiers.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo on the production profile (a staging or training site). The demo "
            "accounts then get random passwords, printed once (the published one where "
            "MOTCUA_ALLOW_DEMO_ACCOUNTS=true).",
        )
        parser.add_argument(
            "--known-password",
            action="store_true",
            help=f"With --allow-production: give the demo accounts the published password {DEMO_PASSWORD} "
            "instead of random ones (a public demonstration site only).",
        )

    def handle(
        self,
        *args: object,
        no_dossiers: bool = False,
        allow_production: bool = False,
        known_password: bool = False,
        **options: object,
    ) -> None:
        production = settings.MOTCUA_PROFILE == "production"
        demonstration_site = settings.MOTCUA_ALLOW_DEMO_ACCOUNTS
        if production and not (allow_production or demonstration_site):
            raise CommandError(
                "Refusing to load the demo province on the production profile: it creates demo staff "
                "and citizen accounts (a superuser among them) and fictional dossiers. On a staging or "
                "training site, run `manage.py load_demo --allow-production`: the accounts then get "
                "random passwords, printed once. A public demonstration site that wants the published "
                f"password {DEMO_PASSWORD} sets MOTCUA_ALLOW_DEMO_ACCOUNTS=true."
            )
        # The published password opens every demo account, the superuser too: only where asked.
        published = not production or demonstration_site or known_password
        password = DEMO_PASSWORD if published else None
        actor = "load_demo"
        counts = directory_load(actor=actor, document=json.loads(DEMO_DIRECTORY.read_text()))
        self.stdout.write(f"Directory: {counts}")
        # Every agency can issue receipts at once (demo series; a real one is declared in the admin).
        agencies = Agency.objects.exclude(tax_code="")
        for agency in agencies:
            receipt_series_ensure(agency=agency, actor=actor)
        self.stdout.write(f"Receipt series in use: {agencies.count()}")
        report = catalog_import(actor=actor, document=json.loads(DEMO_CATALOG.read_text()))
        self.stdout.write(f"Catalogue: {report.as_dict()}")
        groups = procedure_groups_load(document=json.loads(DEMO_GROUPS.read_text()), actor=actor)
        self.stdout.write(f"Procedure groups: {groups}")
        forms = procedure_forms_load(document=json.loads(DEMO_FORMS.read_text()))
        self.stdout.write(f"E-forms: {forms}")
        started = time.monotonic()
        mappings = national_mappings_load(document=json.loads(DEMO_MAPPINGS.read_text()))
        records, index = national_files_read(records_path=DEMO_RECORDS, index_path=DEMO_INDEX)
        national = national_import(actor=actor, records=records, index=index)
        self.stdout.write(
            f"National catalogue: {national.as_dict()} (mappings added: {mappings}; {time.monotonic() - started:.1f} s)"
        )
        processes = process_defaults_ensure(actor=actor)
        self.stdout.write(f"Default processes built: {processes}")
        templates = result_templates_load(document=json.loads(DEMO_RESULT_TEMPLATES.read_text()), actor=actor)
        self.stdout.write(f"Result templates: {templates}")
        accounts = demo_staff_ensure(actor=actor, password=password)
        citizens = demo_citizens_ensure(actor=actor, password=password)
        if password is None:
            self._print_issued(demo_passwords_issue(actor=actor, users=[*accounts, *citizens]))
        else:
            self.stdout.write(f"Demo staff accounts: {len(accounts)} (password {password})")
            self.stdout.write(f"Demo citizens: {len(citizens)} (log in with the phone number, password {password})")
        if not no_dossiers:
            samples = demo_dossiers_ensure(
                sms_inbox=lambda phone: [message.text for message in demo_sms_for_phone(phone=phone, limit=5)],
                sms_inbox_clear=demo_sms_clear,
                fees_pay=demo_fees_pay,
            )
            self.stdout.write(f"Sample dossiers at every stage: {samples}")
        # Dossiers made before the reports consumed the events (or by `generate_dossiers`, in
        # bulk without events) count too.
        self.stdout.write(f"Daily dossier counts rebuilt: {daily_counts_rebuild()} rows")

    def _print_issued(self, issued: dict[str, str]) -> None:
        if not issued:
            self.stdout.write("Demo accounts: all exist already and keep their passwords.")
            return
        self.stdout.write("Demo accounts created with random passwords (shown only now, note them):")
        for username, password in issued.items():
            self.stdout.write(f"  {username:<16} {password}")
