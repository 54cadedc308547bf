import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove every second-factor device (passkeys, authenticator app, backup codes) of a staff "
        "account whose owner lost them, after checking who they are. Recorded in the audit trail; "
        "an administrator is asked to enrol again at the next login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why (e.g. the ticket number); kept in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("--reason must not be empty.")
        removed = second_factor_reset(user=user, operator=f"operator:{getpass.getuser()}", reason=reason)
        self.stdout.write(f"Removed {removed} second-factor device(s) of {user.get_username()}.")
