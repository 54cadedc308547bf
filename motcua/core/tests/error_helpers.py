"""Shared by the error-page tests: Django's English pages must never reach a person."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

DJANGO_ENGLISH = (
    "Not Found",
    "Server Error",
    "Bad Request",
    "403 Forbidden",
    "CSRF verification failed",
    "Request aborted",
    "Service Unavailable",
    "The requested resource",
)


def assert_vietnamese_page(response, *texts: str) -> str:
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in body
    for text in texts:
        assert text in body, text
    for english in DJANGO_ENGLISH:
        assert english not in body, english
    return body


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Points this thread's connection at a database that is not there (a closed port for
    PostgreSQL, a missing folder for SQLite), as during an outage; restores it afterwards."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-motcua-folder/db.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)
