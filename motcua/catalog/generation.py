"""The catalogue's generation: a token that changes whenever anything on the public catalogue
pages changes (a procedure, its versions, papers and fees, fields, agencies, groups).

What is built from the catalogue (whole pages, search results, filter choices) is kept in the
shared cache under the generation it was built in, so a change is on every page at the next
request, in every process, without deleting anything: the old entries are never asked for again
and expire.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save

GENERATION_KEY = "catalog-generation"
# How long something built from the catalogue is kept when nobody asks for it: arbitrary search
# queries make entries too, and production's Redis evicts nothing (docs/operations.md).
KEPT_SECONDS = 600

T = TypeVar("T")
logger = logging.getLogger(__name__)
# Set while the shared cache fails, so an outage is logged once, not on every page.
_cache_failing = False


def _cache_down(action: str) -> None:
    global _cache_failing
    if not _cache_failing:
        logger.warning("Catalogue cache unreachable (%s): pages are built for each visitor", action, exc_info=True)
    _cache_failing = True


def catalog_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # First read since the cache started (or lost the key): any token unused before will do.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def catalog_kept(kind: str, variant: object, build: Callable[[], T]) -> T:
    """`build()`, kept under the catalogue's current generation.

    `variant` (anything whose repr says which one: a path, a query's folded words, filters) is
    hashed, so a key stays short whatever a visitor typed. The generation is read before
    building: a change committed meanwhile leaves the result under the old one, never asked for.

    A result is kept from its second ask on: the first only leaves a marker of a few bytes. A
    flood of queries nobody repeats would otherwise fill the cache with pages, and production's
    Redis (which also holds the task queue, so it must not evict) with it.

    An unreachable cache never stops the site: the result is then built for this visitor.
    """
    global _cache_failing
    digest = hashlib.sha256(repr(variant).encode()).hexdigest()[:32]
    try:
        key = f"catalog:{catalog_generation()}:{kind}:{digest}"
        value = cache.get(key)
    except Exception:  # any cache outage
        _cache_down("read")
        return build()
    _cache_failing = False
    if value is None:
        value = build()
        try:
            if not cache.add(f"{key}:asked", 1, KEPT_SECONDS):
                cache.set(key, value, KEPT_SECONDS)
        except Exception:
            _cache_down("write")
    return cast(T, value)


def catalog_changed() -> None:
    """A new generation once the change is committed.

    Not before: a page built from the old rows in the meantime would be kept under the new
    generation. One new generation per transaction, however many rows it writes (an import
    writes thousands).
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _new_generation for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # the change is committed; kept pages expire within KEPT_SECONDS
        _cache_down("new generation")


def _on_row_change(sender: Any, **kwargs: Any) -> None:
    catalog_changed()


def _on_migrate(sender: Any, **kwargs: Any) -> None:
    _new_generation()


def connect_signals() -> None:
    """Every row the public pages show: saves and deletes through the ORM. Bulk writes (which
    send no signals) happen next to a save of their procedure, version or group, or call
    `catalog_changed` themselves. An upgrade runs `migrate`: pages kept by the old code's
    templates are not served by the new one."""
    from motcua.catalog.models import (
        DossierComponent,
        Fee,
        Field,
        Procedure,
        ProcedureGroup,
        ProcedureGroupMember,
        ProcedureVersion,
    )
    from motcua.directory.models import Agency

    for model in (
        Field,
        Procedure,
        ProcedureVersion,
        Fee,
        DossierComponent,
        ProcedureGroup,
        ProcedureGroupMember,
        Agency,
    ):
        post_save.connect(_on_row_change, sender=model, dispatch_uid=f"catalog-generation-save-{model.__name__}")
        post_delete.connect(_on_row_change, sender=model, dispatch_uid=f"catalog-generation-delete-{model.__name__}")
    post_migrate.connect(_on_migrate, sender=apps.get_app_config("catalog"), dispatch_uid="catalog-generation-migrate")
