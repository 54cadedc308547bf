"""The events table refuses UPDATE and DELETE, like the audit trail (triggers off in the test
profile; installed here, inside the test's transaction, which rolls them back)."""

from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.events.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted(hung, birth_version):
    from motcua.dossiers.testing import submitted_dossier

    dossier = submitted_dossier(hung, birth_version)
    import_module("motcua.events.migrations.0002_insert_only_and_acknowledged").install_triggers(connection)
    event = DomainEvent.objects.filter(dossier=dossier).first()
    assert event is not None
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        DomainEvent.objects.filter(pk=event.pk).update(kind="withdrawn")
    # A plain SQL DELETE: the ORM's delete would stop earlier, at the national outbox's PROTECT
    # foreign key, and prove nothing about the table.
    table = connection.ops.quote_name(DomainEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert DomainEvent.objects.get(pk=event.pk).kind == event.kind
