"""Provider webhooks, mounted at /webhooks/ (no namespace: providers are given fixed paths)."""

from django.urls import URLPattern, path

from motcua.notifications import views
from motcua.notifications.constants import NotificationChannel

# /webhooks/<channel>/<kind>/ for SMS and Zalo delivery receipts and inbound texts.
webhook_urlpatterns: list[URLPattern] = [
    path(
        f"{channel}/{kind}/",
        views.provider_webhook,
        {"channel": channel, "kind": kind},
        name=f"webhook_{channel}_{kind}",
    )
    for channel in (NotificationChannel.SMS.value, NotificationChannel.ZALO.value)
    for kind in ("delivery", "inbound")
]
