"""An import of national records shows on the public pages at once, although it writes its rows
in bulk (which sends no row signals): the pages kept for anonymous visitors are renewed."""

import pytest
from django.test import Client

from motcua.catalog.national import national_import
from motcua.catalog.tests.test_national_index_only import ENTRY


@pytest.mark.django_db(transaction=True)  # the kept pages are renewed when the import commits
def test_national_import_renews_the_kept_pages(national):
    anonymous = Client()
    query = {"q": "tham dinh co so phan phoi thuoc"}
    assert "1.014203" not in anonymous.get("/thu-tuc/", query).content.decode()
    national_import(actor="test", records=[], index=[ENTRY])
    assert "1.014203" in anonymous.get("/thu-tuc/", query).content.decode()
