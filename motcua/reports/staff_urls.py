from django.urls import path

from motcua.reports import views

app_name = "reports_staff"
urlpatterns = [path("", views.staff_feedback, name="feedback")]
