"""The back office's search over every dossier an officer may read.

One free-text box: a dossier code (or its start), the applicant's name with or without accents
(each word matches the start of a word of the name), a 12-digit personal ID number or a phone
number, the last two matched exactly on the applicant's profile. Then filters by submission
date, status, procedure and receiving agency; newest first.

The name is matched on `Dossier.applicant_folded` through a word index: an FTS5 table on SQLite
(kept by the triggers below, created by migration 0008), a trigram index on PostgreSQL.
"""

import contextlib
import dataclasses
import datetime
import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.accounts.models import CitizenProfile
from motcua.core.text import fold, search_terms
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_list_for_officer, officer_is_province_wide
from motcua.notifications.sms import phone_normalize

FTS5_SQL = [
    # External content: the words live in dossiers_dossier; the table keeps only the index.
    "CREATE VIRTUAL TABLE IF NOT EXISTS dossiers_dossier_fts USING fts5("
    "applicant_folded, content='dossiers_dossier', content_rowid='id', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_insert AFTER INSERT ON dossiers_dossier "
    "WHEN new.applicant_folded != '' BEGIN "
    "INSERT INTO dossiers_dossier_fts(rowid, applicant_folded) VALUES (new.id, new.applicant_folded); END",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_delete AFTER DELETE ON dossiers_dossier "
    "WHEN old.applicant_folded != '' BEGIN "
    "INSERT INTO dossiers_dossier_fts(dossiers_dossier_fts, rowid, applicant_folded) "
    "VALUES ('delete', old.id, old.applicant_folded); END",
    # Every save() writes every column: only a changed name touches the index.
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_update AFTER UPDATE OF applicant_folded ON dossiers_dossier "
    "WHEN old.applicant_folded IS NOT new.applicant_folded BEGIN "
    "INSERT INTO dossiers_dossier_fts(dossiers_dossier_fts, rowid, applicant_folded) "
    "SELECT 'delete', old.id, old.applicant_folded WHERE old.applicant_folded != ''; "
    "INSERT INTO dossiers_dossier_fts(rowid, applicant_folded) "
    "SELECT new.id, new.applicant_folded WHERE new.applicant_folded != ''; END",
    "INSERT INTO dossiers_dossier_fts(dossiers_dossier_fts) VALUES ('rebuild')",
]
FTS5_DROP_SQL = [
    "DROP TRIGGER IF EXISTS dossiers_dossier_fts_insert",
    "DROP TRIGGER IF EXISTS dossiers_dossier_fts_delete",
    "DROP TRIGGER IF EXISTS dossiers_dossier_fts_update",
    "DROP TABLE IF EXISTS dossiers_dossier_fts",
]

_FTS_ROWS = "SELECT rowid FROM dossiers_dossier_fts WHERE dossiers_dossier_fts MATCH %s"
# From this many matching dossiers on, walking the newest first beats sorting the matches.
COMMON_NAME_HITS = 5000
_NUMBER_SEPARATORS = re.compile(r"[\s.\-()+]")
_ID_NUMBER = re.compile(r"\d{12}")
# Above every character a code holds, so [prefix, prefix + _TOP) is "starts with" on an index.
_TOP = "\U0010ffff"


@dataclasses.dataclass(frozen=True, kw_only=True)
class DossierSearch:
    text: str = ""
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None
    status: str = ""
    procedure_id: int | None = None
    agency_id: int | None = None


def applicant_folded(name: str) -> str:
    return fold(name)[:200]


def _fts_match(terms: list[str]) -> str:
    # Each term a word prefix: "hung" finds "nguyen van hung"; quotes keep terms literal.
    return " AND ".join(f'"{term}"*' for term in terms)


def _name_matches(text: str, *, everything: bool) -> Q:
    terms = search_terms(text)
    if not terms:
        return Q(pk__in=[])  # only punctuation: no name has it
    if connection.vendor == "sqlite":
        match = _fts_match(terms)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({_FTS_ROWS} LIMIT {COMMON_NAME_HITS})", [match])  # noqa: S608
            hits = cursor.fetchone()[0]
        if hits < COMMON_NAME_HITS or not everything:
            # A rare name, or an agency's scope: fetch the matches by id, then sort them.
            return Q(pk__in=RawSQL(_FTS_ROWS, [match]))  # noqa: S611 - the terms are a bound parameter
        # A common word ("hung") over the whole province: the unary + keeps SQLite from fetching
        # and sorting every match; it walks the dossiers newest first and stops at the page's end.
        common = RawSQL(f"+dossiers_dossier.id IN ({_FTS_ROWS})", [match], output_field=BooleanField())  # noqa: S611
        return Q(common)
    condition = Q()
    for term in terms:
        condition &= Q(applicant_folded__startswith=term) | Q(applicant_folded__contains=f" {term}")
    return condition


def _text_matches(text: str, *, everything: bool) -> Q:
    """A text with a digit is a code, an ID number or a phone; any other text is a name."""
    if not any(ch.isdigit() for ch in text):
        return _name_matches(text, everything=everything)
    code = text.strip().upper()
    condition = Q(code__gte=code, code__lt=code + _TOP)
    people = Q()
    digits = _NUMBER_SEPARATORS.sub("", text)
    if _ID_NUMBER.fullmatch(digits):
        people |= Q(id_number=digits)
    with contextlib.suppress(ValueError):
        people |= Q(phone=phone_normalize(text))
    if people:
        # Resolved first on the profile's unique indexes, so the dossiers come by applicant's index.
        applicants = list(CitizenProfile.objects.filter(people).values_list("user_id", flat=True))
        condition |= Q(applicant_id__in=applicants)
    return condition


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def dossier_search_for_officer(*, user: Any, search: DossierSearch) -> QuerySet[Dossier]:
    """The dossiers the officer may read (dossier_list_for_officer) that match, newest first."""
    qs = dossier_list_for_officer(user=user)
    if search.text.strip():
        qs = qs.filter(_text_matches(search.text, everything=officer_is_province_wide(user=user)))
    if search.submitted_from:
        qs = qs.filter(submitted_at__gte=_local_midnight(search.submitted_from))
    if search.submitted_to:
        qs = qs.filter(submitted_at__lt=_local_midnight(search.submitted_to + datetime.timedelta(days=1)))
    if search.status:
        qs = qs.filter(status=search.status)
    if search.procedure_id:
        qs = qs.filter(procedure_version__procedure_id=search.procedure_id)
    if search.agency_id:
        qs = qs.filter(agency_id=search.agency_id)
    return qs.order_by("-submitted_at", "-id")
