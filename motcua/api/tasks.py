"""Periodic jobs of the API app."""

from oauth2_provider.models import clear_expired

from motcua.core.tasks import task


@task()
def client_tokens_clear() -> None:
    """Periodic: delete the systems' expired access tokens. django-oauth-toolkit keeps a token as
    issued until then (its digest is only the look-up key), so none outlives its use by long."""
    clear_expired()
