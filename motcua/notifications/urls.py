"""Provider webhooks, mounted at /webhooks/ (no namespace: providers are given fixed paths)."""

from django.urls import URLPattern, path

from motcua.notifications import views

webhook_urlpatterns: list[URLPattern] = [
    path("sms/delivery/", views.sms_delivery_webhook, name="webhook_sms_delivery"),
    path("sms/inbound/", views.sms_inbound_webhook, name="webhook_sms_inbound"),
    path("zalo/delivery/", views.zalo_delivery_webhook, name="webhook_zalo_delivery"),
    path("zalo/inbound/", views.zalo_inbound_webhook, name="webhook_zalo_inbound"),
]
