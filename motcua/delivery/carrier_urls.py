from django.urls import path

from motcua.delivery import carrier_views

app_name = "carrier"
urlpatterns = [
    path("buu-chinh/thong-bao/", carrier_views.carrier_webhook, name="webhook"),
    path("can-bo/buu-gui/<int:pk>/bang-chung-giao/", carrier_views.shipment_proof, name="shipment_proof"),
]
