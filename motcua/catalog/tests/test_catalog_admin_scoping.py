"""An agency administrator edits only their own agency's procedures and e-forms in the admin."""

import pytest

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, load_catalog, procedure
from motcua.directory.constants import Role
from motcua.directory.demo import agency_admin_group
from motcua.directory.services import staff_ensure

pytestmark = pytest.mark.django_db


def test_agency_admin_sees_only_their_procedures(client) -> None:
    load_catalog(BIRTH, procedure("1.013225", "Cấp giấy phép xây dựng", field="XD", managing_agency=""))
    admin = staff_ensure(
        actor="t", username="stp.qt", full_name="Quản Trị", password="x", roles=[(Role.AGENCY_ADMIN, "STP", None)]
    )
    admin.groups.add(agency_admin_group())
    client.force_login(admin)
    listing = client.get("/quan-tri/catalog/procedure/").content.decode()
    assert "1.001193" in listing and "1.013225" not in listing
    other = Procedure.objects.get(code="1.013225")
    assert client.get(f"/quan-tri/catalog/procedure/{other.pk}/change/").status_code in {302, 404}
