"""The citizen's online payment, mounted at /thanh-toan/. The return and IPN addresses are fixed
per gateway (they are registered with the gateway, e.g. in VNPay's merchant portal)."""

from django.urls import URLPattern, path

from motcua.payments import views

app_name = "payments"

GATEWAY_KEYS = ("demo", "vnpay", "national")

urlpatterns: list[URLPattern] = [
    path("ho-so/<int:pk>/", views.online_pay, name="online_pay"),
    path("mo-phong/<str:token>/", views.demo_checkout, name="demo_checkout"),
    *(
        path(f"ket-qua/{key}/", views.online_return, {"gateway_key": key}, name=f"online_return_{key}")
        for key in GATEWAY_KEYS
    ),
    *(path(f"ipn/{key}/", views.online_ipn, {"gateway_key": key}, name=f"online_ipn_{key}") for key in GATEWAY_KEYS),
]
