from django.urls import path

from motcua.leaders import views

app_name = "leaders"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ho-so/", views.dossier_list, name="dossiers"),
    path("can-bo/", views.performance, name="performance"),
    path("goi-y/", views.choices, name="choices"),
]
