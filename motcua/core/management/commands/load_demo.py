import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from motcua.accounts.demo import demo_citizens_ensure
from motcua.catalog.eforms import procedure_forms_load
from motcua.catalog.groups import procedure_groups_load
from motcua.catalog.processes import process_defaults_ensure
from motcua.catalog.services import catalog_import
from motcua.directory.demo import DEMO_PASSWORD, demo_staff_ensure
from motcua.directory.services import directory_load
from motcua.documents.results import result_templates_load
from motcua.dossiers.demo import demo_dossiers_ensure

DEMO_DIRECTORY = Path(settings.PACKAGE_DIR) / "directory" / "demo_data" / "dak_lak.json"
DEMO_CATALOG = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "procedures.json"
DEMO_FORMS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "forms.json"
DEMO_GROUPS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "procedure_groups.json"
DEMO_RESULT_TEMPLATES = Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json"


class Command(BaseCommand):
    help = "Load the demo province (Đắk Lắk): units, agencies, procedures and staff. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-dossiers", action="store_true", help="Skip the sample dossiers.")

    def handle(self, *args: object, no_dossiers: bool = False, **options: object) -> None:
        actor = "load_demo"
        counts = directory_load(actor=actor, document=json.loads(DEMO_DIRECTORY.read_text()))
        self.stdout.write(f"Directory: {counts}")
        report = catalog_import(actor=actor, document=json.loads(DEMO_CATALOG.read_text()))
        self.stdout.write(f"Catalogue: {report.as_dict()}")
        groups = procedure_groups_load(document=json.loads(DEMO_GROUPS.read_text()), actor=actor)
        self.stdout.write(f"Procedure groups: {groups}")
        forms = procedure_forms_load(document=json.loads(DEMO_FORMS.read_text()))
        self.stdout.write(f"E-forms: {forms}")
        processes = process_defaults_ensure(actor=actor)
        self.stdout.write(f"Default processes built: {processes}")
        templates = result_templates_load(document=json.loads(DEMO_RESULT_TEMPLATES.read_text()), actor=actor)
        self.stdout.write(f"Result templates: {templates}")
        accounts = demo_staff_ensure(actor=actor)
        self.stdout.write(f"Demo staff accounts: {len(accounts)} (password {DEMO_PASSWORD})")
        citizens = demo_citizens_ensure(actor=actor)
        self.stdout.write(f"Demo citizens: {len(citizens)} (log in with the phone number, password {DEMO_PASSWORD})")
        if not no_dossiers:
            self.stdout.write(f"Sample dossiers at every stage: {demo_dossiers_ensure()}")
