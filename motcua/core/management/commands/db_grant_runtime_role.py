"""Give the runtime database role what the web and worker processes need, and no more.

Production runs with two PostgreSQL roles: the owner, which owns the tables and runs `migrate`,
and the runtime role, which serves. Only a table's owner (or a superuser) can disable, drop or
alter its triggers, so the runtime role cannot lift the audit trail's insert-only protection;
it may only INSERT and SELECT there, and likewise on the dossiers' domain events. Run as the
owner after every `migrate` (it is idempotent): tables a migration adds get normal DML through
default privileges, and the insert-only tables' grants are narrowed again.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from motcua.core.models import AuditEvent
from motcua.events.models import DomainEvent

# Insert-only tables: the audit trail first (its owner is checked), then the domain events.
AUDIT_TABLES = (AuditEvent._meta.db_table, DomainEvent._meta.db_table)


class Command(BaseCommand):
    help = (
        "Grant the runtime database role normal DML on the application's tables but only INSERT and "
        "SELECT on the audit trail and the domain events. Run as the owner role after every migrate."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("role", help="The runtime role (created beforehand with CREATE ROLE ... LOGIN).")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Only the PostgreSQL profile has database roles.")
        role = options["role"]
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.rolsuper, t.tableowner, pg_has_role(r.oid, t.tableowner, 'MEMBER'), current_schema(), "
                "current_database() FROM pg_roles r, pg_tables t "
                "WHERE r.rolname = %s AND t.tablename = %s AND t.schemaname = current_schema()",
                [role, AUDIT_TABLES[0]],
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"Role {role} does not exist, or migrate has not run: create it, then migrate.")
            superuser, owner, member_of_owner, schema, database = found
            if superuser or member_of_owner:
                raise CommandError(
                    f"Role {role} is a superuser or acts as the owner {owner}: it could lift the audit protection."
                )
            role, owner, schema = quote(role), quote(owner), quote(schema)
            defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}"
            statements = [
                f"GRANT CONNECT ON DATABASE {quote(database)} TO {role}",
                f"GRANT USAGE ON SCHEMA {schema} TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                # Tables and sequences later migrations create get the same, until this runs again.
                f"{defaults} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            ]
            for table in map(quote, AUDIT_TABLES):
                statements += [f"REVOKE ALL ON {table} FROM {role}", f"GRANT SELECT, INSERT ON {table} TO {role}"]
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(
            f"Granted {role} DML on the tables of {schema} in {database}, and only INSERT and SELECT on "
            f"{', '.join(AUDIT_TABLES)} (owned by {owner})."
        )
