import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

DEMO = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data"


@pytest.fixture
def real_birth_registration(db: Any) -> None:
    """The real birth registration (and death registration) of the demo catalogue, with its e-form."""
    from motcua.catalog.eforms import procedure_forms_load
    from motcua.catalog.services import catalog_import
    from motcua.core.testing import directory_minimal

    directory_minimal()
    catalog = json.loads((DEMO / "procedures.json").read_text())
    catalog["procedures"] = [p for p in catalog["procedures"] if p["code"] in {"1.001193", "1.000656"}]
    for procedure in catalog["procedures"]:
        procedure.pop("managing_agency", None)
    catalog["fields"] = [f for f in catalog["fields"] if f["code"] in {p["field"] for p in catalog["procedures"]}]
    for field in catalog["fields"]:
        field.pop("managing_agency", None)
    catalog_import(actor="test", document=catalog)
    forms = json.loads((DEMO / "forms.json").read_text())
    procedure_forms_load(document={"1.001193": forms["1.001193"]})
