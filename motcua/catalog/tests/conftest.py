import pytest

from motcua.core.testing import directory_minimal


@pytest.fixture
def agencies(db):  # type: ignore[no-untyped-def]
    return directory_minimal()


@pytest.fixture
def national(db):  # type: ignore[no-untyped-def]
    """The demo province's directory and default agency mappings, and a reader of real records."""
    import copy
    import json
    from functools import cache

    from motcua.catalog.national import DEMO_MAPPINGS, DEMO_RECORDS, national_files_read, national_mappings_load
    from motcua.core.management.commands.load_demo import DEMO_DIRECTORY
    from motcua.directory.services import directory_load

    directory_load(actor="test", document=json.loads(DEMO_DIRECTORY.read_text()))
    national_mappings_load(document=json.loads(DEMO_MAPPINGS.read_text()))

    @cache
    def by_code() -> dict[str, dict]:  # type: ignore[type-arg]
        records, _index = national_files_read(records_path=DEMO_RECORDS, index_path=None)
        return {r["code"]: r for r in records}

    def record(code: str) -> dict:  # type: ignore[type-arg]
        return copy.deepcopy(by_code()[code])

    return record
