from django.urls import path

from motcua.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.store, name="store"),
    path("<int:pk>/", views.download, name="download"),
]
