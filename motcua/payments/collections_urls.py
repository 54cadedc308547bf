from django.urls import path

from motcua.payments import collections_views

app_name = "collections"
urlpatterns = [
    path("thu-phi-le-phi/", collections_views.collections_page, name="report"),
    path("thu-phi-le-phi/chi-tiet/", collections_views.collections_list, name="list"),
    path("thu-phi-le-phi/excel/", collections_views.collections_export, name="export"),
]
