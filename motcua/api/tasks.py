"""Periodic jobs of the API app."""

from oauth2_provider.models import clear_expired

from motcua.core.tasks import task


@task()
def client_tokens_clear() -> None:
    """Periodic: delete the systems' expired access tokens (their digests), which nothing reads
    again, so the table holds the tokens in use and not every one ever issued."""
    clear_expired()
