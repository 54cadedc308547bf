from django.urls import path

from motcua.payments import staff_views

app_name = "payments_staff"
urlpatterns = [
    path("ho-so/<int:pk>/thu-phi/", staff_views.counter_payment, name="counter_payment"),
    path("thu-phi/", staff_views.finance, name="finance"),
]
