"""Back-office pages of the exchange, mounted at /can-bo/ with the namespace "exchange"."""

from django.urls import URLPattern, path

from motcua.exchange import views

app_name = "exchange"
urlpatterns: list[URLPattern] = [
    path("ho-so/<int:pk>/tra-cuu-doanh-nghiep/", views.business_lookup_view, name="business_lookup"),
]
