"""The back office's search over every dossier an officer may read.

One free-text box: a dossier code (or its start), the applicant's name with or without accents
(each word matches the start of a word of the name), a 12-digit personal ID number or a phone
number, the last two matched exactly on the applicant's profile. Then filters by submission
date, status, procedure and receiving agency; newest first.

The name is matched on `Dossier.applicant_folded` through a word index kept by the triggers
below (migrations 0008 and 0010): an FTS5 table on SQLite, a tsvector table on PostgreSQL. The
index also holds each dossier's scope (the agencies whose officers read it), so an agency's
officer searches only the words of that agency's dossiers, at a million dossiers as at ten.
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
from motcua.core.phones import phone_normalize
from motcua.core.text import fold, search_terms
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_list_for_officer, officer_agency_ids

# The agencies whose officers may read the dossier (its receiving agency and those of its steps,
# as dossier_list_for_officer), so a search within one agency intersects two word lists inside the
# index instead of fetching every dossier in the province with a common name.
_SCOPE = (
    "(SELECT coalesce(d.agency_id, '') || ' ' || coalesce((SELECT group_concat(DISTINCT s.agency_id) "
    "FROM dossiers_dossierstep s WHERE s.dossier_id = d.id), '') FROM dossiers_dossier d WHERE d.id = {})"
)
FTS5_SQL = [
    # The index keeps its own copy of the two columns: the scope is not a column of the dossier.
    "CREATE VIRTUAL TABLE IF NOT EXISTS dossiers_dossier_fts USING fts5(applicant_folded, scope, prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_insert AFTER INSERT ON dossiers_dossier BEGIN "  # noqa: S608 - constant SQL
    "INSERT INTO dossiers_dossier_fts(rowid, applicant_folded, scope) "
    f"VALUES (new.id, new.applicant_folded, {_SCOPE.format('new.id')}); END",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_delete AFTER DELETE ON dossiers_dossier BEGIN "
    "DELETE FROM dossiers_dossier_fts WHERE rowid = old.id; END",
    # Every save() writes every column: only a changed name or agency touches the index.
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_update AFTER UPDATE OF applicant_folded, agency_id "  # noqa: S608 - constant SQL
    "ON dossiers_dossier WHEN old.applicant_folded IS NOT new.applicant_folded OR old.agency_id IS NOT new.agency_id "
    "BEGIN UPDATE dossiers_dossier_fts SET applicant_folded = new.applicant_folded, "
    f"scope = {_SCOPE.format('new.id')} WHERE rowid = new.id; END",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_step_insert AFTER INSERT ON dossiers_dossierstep BEGIN "  # noqa: S608 - constant SQL
    f"UPDATE dossiers_dossier_fts SET scope = {_SCOPE.format('new.dossier_id')} WHERE rowid = new.dossier_id; END",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_step_update AFTER UPDATE OF agency_id, dossier_id "  # noqa: S608 - constant SQL
    "ON dossiers_dossierstep WHEN old.agency_id IS NOT new.agency_id OR old.dossier_id IS NOT new.dossier_id BEGIN "
    f"UPDATE dossiers_dossier_fts SET scope = {_SCOPE.format('old.dossier_id')} WHERE rowid = old.dossier_id; "
    f"UPDATE dossiers_dossier_fts SET scope = {_SCOPE.format('new.dossier_id')} WHERE rowid = new.dossier_id; END",
    "CREATE TRIGGER IF NOT EXISTS dossiers_dossier_fts_step_delete AFTER DELETE ON dossiers_dossierstep BEGIN "  # noqa: S608 - constant SQL
    f"UPDATE dossiers_dossier_fts SET scope = {_SCOPE.format('old.dossier_id')} WHERE rowid = old.dossier_id; END",
    "DELETE FROM dossiers_dossier_fts",
    "INSERT INTO dossiers_dossier_fts(rowid, applicant_folded, scope) "  # noqa: S608 - constant SQL
    f"SELECT id, applicant_folded, {_SCOPE.format('dossiers_dossier.id')} FROM dossiers_dossier",
    "INSERT INTO dossiers_dossier_fts(dossiers_dossier_fts) VALUES ('optimize')",
]
FTS5_DROP_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS dossiers_dossier_fts_{name}"
        for name in ("insert", "delete", "update", "step_insert", "step_update", "step_delete")
    ),
    "DROP TABLE IF EXISTS dossiers_dossier_fts",
]

# PostgreSQL: the same two things and the dossier's procedure in a table of their own, kept by
# triggers, with one GIN index over the three, so a name within an agency or a procedure is one
# index scan. Its words are every start of each word of the name ("hung": h, hu, hun, hung): a
# prefix query (:*) collects every matching word into a bitmap first, 40 ms for "nguyen van" at a
# million, where exact words intersect their lists by skipping. The procedure is a one-element
# array so GIN takes it without the btree_gin extension. A common word without such a filter walks
# the dossiers newest first and checks applicant_folded on each row instead.
_PG_ROW = (
    "SELECT d.id, array_to_tsvector(ARRAY(SELECT DISTINCT left(word, n) "
    "FROM unnest(tsvector_to_array(to_tsvector('simple', d.applicant_folded))) word, "
    "generate_series(1, length(word)) n)), "
    "ARRAY(SELECT d.agency_id WHERE d.agency_id IS NOT NULL "
    "UNION SELECT s.agency_id FROM dossiers_dossierstep s WHERE s.dossier_id = d.id), "
    "ARRAY(SELECT v.procedure_id FROM catalog_procedureversion v WHERE v.id = d.procedure_version_id) "
    "FROM dossiers_dossier d"
)
POSTGRES_SQL = [
    "CREATE TABLE IF NOT EXISTS dossiers_dossier_search "
    "(dossier_id bigint PRIMARY KEY, words tsvector NOT NULL, scope bigint[] NOT NULL, procedure bigint[] NOT NULL)",
    "CREATE OR REPLACE FUNCTION dossiers_dossier_search_refresh(target bigint) RETURNS void LANGUAGE sql AS $$ "
    f"INSERT INTO dossiers_dossier_search (dossier_id, words, scope, procedure) {_PG_ROW} WHERE d.id = target "
    "ON CONFLICT (dossier_id) DO UPDATE SET words = excluded.words, scope = excluded.scope, "
    "procedure = excluded.procedure $$",
    "CREATE OR REPLACE FUNCTION dossiers_dossier_search_dossier() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN DELETE FROM dossiers_dossier_search WHERE dossier_id = OLD.id; "
    "ELSE PERFORM dossiers_dossier_search_refresh(NEW.id); END IF; RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER dossiers_dossier_search_insert AFTER INSERT OR DELETE ON dossiers_dossier "
    "FOR EACH ROW EXECUTE FUNCTION dossiers_dossier_search_dossier()",
    # Every save() writes every column: only a changed name, agency or procedure touches the index.
    "CREATE OR REPLACE TRIGGER dossiers_dossier_search_update "
    "AFTER UPDATE OF applicant_folded, agency_id, procedure_version_id "
    "ON dossiers_dossier FOR EACH ROW WHEN (OLD.applicant_folded IS DISTINCT FROM NEW.applicant_folded "
    "OR OLD.agency_id IS DISTINCT FROM NEW.agency_id "
    "OR OLD.procedure_version_id IS DISTINCT FROM NEW.procedure_version_id) "
    "EXECUTE FUNCTION dossiers_dossier_search_dossier()",
    "CREATE OR REPLACE FUNCTION dossiers_dossier_search_step() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN PERFORM dossiers_dossier_search_refresh(OLD.dossier_id); END IF; "
    "IF TG_OP <> 'DELETE' THEN PERFORM dossiers_dossier_search_refresh(NEW.dossier_id); END IF; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER dossiers_dossier_search_step AFTER INSERT OR DELETE OR UPDATE OF agency_id, dossier_id "
    "ON dossiers_dossierstep FOR EACH ROW EXECUTE FUNCTION dossiers_dossier_search_step()",
    f"INSERT INTO dossiers_dossier_search (dossier_id, words, scope, procedure) {_PG_ROW} ON CONFLICT DO NOTHING",
    "CREATE INDEX IF NOT EXISTS dossiers_dossier_search_words ON dossiers_dossier_search "
    "USING gin (words, scope, procedure)",
    # The bitmap of a common trigram costs more than walking the dossiers newest first.
    "DROP INDEX IF EXISTS dossiers_dossier_applicant_trgm",
    "ANALYZE dossiers_dossier_search",
]
_PG_ROWS = "SELECT dossier_id FROM dossiers_dossier_search WHERE words @@ to_tsquery('simple', %s)"

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


def _fts_match(terms: list[str], scope: list[int] | None) -> str:
    # Each term a word prefix: "hung" finds "nguyen van hung"; quotes keep terms literal.
    match = "applicant_folded : (" + " AND ".join(f'"{term}"*' for term in terms) + ")"
    if scope:
        match += " AND scope : (" + " OR ".join(f'"{agency_id}"' for agency_id in scope) + ")"
    return match


def _name_matches(text: str, *, scope: list[int] | None, procedure_id: int | None) -> Q:
    terms = search_terms(text)
    if not terms:
        return Q(pk__in=[])  # only punctuation: no name has it
    params: list[Any]
    if connection.vendor == "sqlite":
        rows, params = _FTS_ROWS, [_fts_match(terms, scope)]
    else:
        # Folded terms hold no quote: each a quoted word, all required; the index holds every
        # start of each word, so an exact word is a word prefix.
        rows, params = _PG_ROWS, [" & ".join(f"'{term}'" for term in terms)]
        if scope:
            rows, params = f"{rows} AND scope && %s::bigint[]", [*params, scope]
        if procedure_id:
            rows, params = f"{rows} AND procedure @> %s::bigint[]", [*params, [procedure_id]]
    with connection.cursor() as cursor:
        cursor.execute(f"{rows} LIMIT {COMMON_NAME_HITS}", params)
        hits = [row[0] for row in cursor.fetchall()]
    if len(hits) < COMMON_NAME_HITS:
        # A rare name, or a common one within an agency: fetch the matches by id, then sort them.
        # PostgreSQL gets the ids themselves, as one array: with the subquery it misjudges how
        # many there are and reads the whole scope; SQLite plans the subquery better than a list.
        if connection.vendor == "sqlite":
            return Q(pk__in=RawSQL(rows, params))  # noqa: S611 - the terms are bound parameters
        return Q(RawSQL("dossiers_dossier.id = ANY(%s)", [hits], output_field=BooleanField()))
    if connection.vendor == "sqlite":
        # A common word ("hung") over a wide scope: the unary + keeps SQLite from fetching and
        # sorting every match; it walks the dossiers newest first and stops at the page's end.
        common = RawSQL(f"+dossiers_dossier.id IN ({rows})", params, output_field=BooleanField())  # noqa: S611
        return Q(common)
    condition = Q()
    for term in terms:
        condition &= Q(applicant_folded__startswith=term) | Q(applicant_folded__contains=f" {term}")
    return condition


def _text_matches(text: str, *, scope: list[int] | None, procedure_id: int | None) -> Q:
    """A text with a digit is a code, an ID number or a phone; any other text is a name."""
    if not any(ch.isdigit() for ch in text):
        return _name_matches(text, scope=scope, procedure_id=procedure_id)
    code = text.strip().upper()
    condition = Q(code__gte=code, code__lt=code + _TOP)
    if connection.vendor == "sqlite":
        # A subquery, so SQLite fetches the few codes by id rather than reading the officer's
        # whole scope first (it cannot tell how few dossiers a range of codes holds).
        condition = Q(pk__in=Dossier.objects.filter(condition).values("pk"))
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
    agency_ids = officer_agency_ids(user=user)
    text = search.text.strip()
    if text:
        # Narrows the word index only: the scope and the procedure are still filtered below.
        scope = [search.agency_id] if search.agency_id else agency_ids
        qs = qs.filter(_text_matches(text, scope=scope, procedure_id=search.procedure_id))
    filters = Q()
    if search.submitted_from:
        filters &= Q(submitted_at__gte=_local_midnight(search.submitted_from))
    if search.submitted_to:
        filters &= Q(submitted_at__lt=_local_midnight(search.submitted_to + datetime.timedelta(days=1)))
    if search.status:
        filters &= Q(status=search.status)
    if search.procedure_id:
        filters &= Q(procedure_version__procedure_id=search.procedure_id)
    if search.agency_id:
        filters &= Q(agency_id=search.agency_id)
    if filters and agency_ids and not text and connection.vendor == "sqlite":
        # An agency's officer with filters only: the matching dossiers by id, then the scope
        # checked on each, so SQLite does not first read every dossier of the scope.
        return qs.filter(pk__in=Dossier.objects.filter(filters).values("pk")).order_by("-submitted_at", "-id")
    return qs.filter(filters).order_by("-submitted_at", "-id")
