from django.urls import path

from motcua.delivery import views

app_name = "delivery"
urlpatterns = [
    path("ho-so/<int:pk>/tra-ket-qua/tai-quay/", views.hand_over, name="hand_over"),
    path("ho-so/<int:pk>/tra-ket-qua/bien-ban/", views.hand_over_note, name="hand_over_note"),
    path("ho-so/<int:pk>/tra-ket-qua/buu-chinh/", views.shipment_send_view, name="shipment_send"),
    path("ho-so/<int:pk>/tra-ket-qua/buu-chinh/da-giao/", views.shipment_delivered_view, name="shipment_delivered"),
    path("ho-so/<int:pk>/tra-ket-qua/buu-chinh/tra-lai/", views.shipment_failed_view, name="shipment_failed"),
]
