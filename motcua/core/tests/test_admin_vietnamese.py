"""Staff screens are Vietnamese whatever the browser asks for: the admin's own chrome, the
third-party apps' sections (named in Vietnamese or taken out) and the back office."""

import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from motcua.accounts.models import User
from motcua.core.testing import BIRTH, load_catalog
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(
    r"\b(welcome|log out|view site|add|change|email addresses|social accounts|social applications"
    r"|tokens|auth tokens|task results|access attempts|access failures|access logs|axes|knox"
    r"|toggle theme|skip to main content|recent actions|authentication and authorization)\b",
    re.IGNORECASE,
)


def _english(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return sorted(set(ENGLISH.findall(text)))


def test_admin_is_vietnamese_for_an_english_browser(client) -> None:
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    assert _english(client.get("/quan-tri/", HTTP_ACCEPT_LANGUAGE="en")) == []
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert _english(client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")) == [], url


def test_unused_third_party_pages_are_gone_and_the_rest_are_named_in_vietnamese(client) -> None:
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    index = client.get("/quan-tri/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ["Khoá đăng nhập", "Mã truy cập API", "Kết quả tác vụ nền", "Nhật ký đăng nhập sai"]:
        assert name in index
    registered = {model._meta.label for model in admin.site._registry}
    assert not registered & {"account.EmailAddress", "socialaccount.SocialAccount", "axes.AccessLog"}


def test_back_office_is_vietnamese_for_an_english_browser(client) -> None:
    load_catalog(BIRTH)
    client.force_login(officer("xa.tn"))
    client.cookies["django_language"] = "en"
    response = client.get("/can-bo/viec/", HTTP_ACCEPT_LANGUAGE="en")
    assert _english(response) == []
    assert '<html lang="vi"' in response.content.decode()
