"""What reaches the log through the configured handler: a refused page is one line, and an
exception's text has its ID numbers masked like every message."""

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings

from motcua.core.privacy import MaskIdNumbersFilter


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdNumbersFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    for name in ("django.request", "motcua"):
        logging.getLogger(name).addHandler(handler)
    yield stream
    for name in ("django.request", "motcua"):
        logging.getLogger(name).removeHandler(handler)


@pytest.mark.django_db
def test_a_refused_page_is_logged_as_one_line_without_a_traceback(client, django_user_model, log) -> None:
    citizen = django_user_model.objects.create_user(username="0900000002", password="x")
    client.force_login(citizen)
    assert client.get("/can-bo/").status_code == 403
    text = log.getvalue()
    assert "Forbidden" in text and "/can-bo/" in text
    assert "Traceback" not in text


def test_an_exception_text_has_its_id_numbers_masked(log) -> None:
    try:
        raise ValueError("Không đọc được hồ sơ của 001099012345")
    except ValueError:
        logging.getLogger("motcua.test").exception("Lỗi khi đọc")
    text = log.getvalue()
    assert "Traceback" in text and "ValueError" in text
    assert "001099012345" not in text
