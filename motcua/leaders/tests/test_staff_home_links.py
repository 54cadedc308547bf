"""The leaders' pages are reached from the staff home page, each shown to whoever may open it;
ids beyond the database's range in their query strings are bad input, not a crash."""

from typing import Any

import pytest
from django.urls import reverse

from motcua.directory.constants import Role
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db
PAGES = {
    "dashboard": reverse("leaders:dashboard"),
    "statutory": reverse("reports_staff:statutory"),
    "periodic": reverse("report_templates:list"),
    "index": reverse("service_index:index"),
}


def _linked(client: Any, user: Any) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("backoffice:home")).content.decode()
    return {name for name, url in PAGES.items() if f'href="{url}"' in html}


@pytest.mark.parametrize(
    ("username", "role", "linked"),
    [
        ("tinh.gs", Role.SUPERVISOR, {"dashboard", "statutory", "periodic", "index"}),
        ("xa.ld", Role.LEADER, {"dashboard", "statutory", "periodic", "index"}),
        ("xa.tn", Role.RECEPTION, {"dashboard"}),
    ],
)
def test_each_staff_member_sees_the_pages_they_may_open(
    client: Any, birth_version: Any, username: str, role: str, linked: set
) -> None:
    user = officer(username, role=role)
    assert _linked(client, user) == linked
    for name in linked:
        assert client.get(PAGES[name]).status_code == 200, name


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Not an id the database can hold: malformed, 400 like any other (docs/reports.md, Refusals).
        (f"{PAGES['dashboard']}?linh-vuc={HUGE}&thu-tuc=²", 400),
        (f"{reverse('leaders:dossiers')}?chi-so=received&linh-vuc={HUGE}", 400),
        (f"{PAGES['dashboard']}?pham-vi=co-quan-{HUGE}", 400),
        (f"{PAGES['statutory']}?co_quan={HUGE}", 400),
        (f"{reverse('reports_staff:statutory_list')}?cot=tiep-nhan&linh_vuc={HUGE}", 400),
        (f"{PAGES['index']}?pham_vi=co-quan&co_quan={HUGE}", 400),
    ],
)
def test_ids_too_large_for_the_database_are_refused_not_a_crash(
    client: Any, birth_version: Any, url: str, expected: int
) -> None:
    client.force_login(officer("tinh.gs", role=Role.SUPERVISOR))
    assert client.get(url).status_code == expected
