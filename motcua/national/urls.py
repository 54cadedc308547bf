from django.urls import path

from motcua.national import views

app_name = "national"
urlpatterns = [
    path("dong-bo-quoc-gia/", views.sync_health_page, name="sync_health"),
]
