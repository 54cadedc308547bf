from django.urls import path

from motcua.reports import views

app_name = "reports_staff"
urlpatterns = [
    path("phan-anh/", views.staff_feedback, name="feedback"),
    path("danh-gia/", views.staff_ratings, name="ratings"),
]
