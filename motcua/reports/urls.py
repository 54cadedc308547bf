from django.urls import path

from motcua.reports import views

app_name = "reports"
urlpatterns = [
    path("cong-khai/", views.board, name="board"),
    path("cong-khai/tre-han/", views.late_list, name="late_list"),
    path("danh-gia/<int:pk>/", views.rate, name="rate"),
    path("phan-anh/", views.feedback_list, name="feedback_list"),
    path("phan-anh/gui/", views.feedback_new, name="feedback_new"),
]
