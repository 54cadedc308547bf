from django.urls import path

from motcua.service_index import views

app_name = "service_index"
urlpatterns = [
    path("chi-so-766/", views.index_page, name="index"),
    path("chi-so-766/<str:code>/ho-so/", views.index_dossiers, name="dossiers"),
]
