from django.urls import path

from motcua.report_templates import views

app_name = "report_templates"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/tai/", views.report_download, name="download"),
]
