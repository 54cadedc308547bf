from django.urls import path

from motcua.postal import views

app_name = "postal"
urlpatterns = [
    path("buu-dien/", views.my_post_office, name="my_office"),
    path("buu-dien/ho-so-dang-chuyen/", views.incoming, name="incoming"),
    path("buu-dien/bien-ban/<int:pk>/", views.record, name="record"),
    path("buu-dien/bien-ban/<int:pk>/pdf/", views.record_pdf, name="record_pdf"),
    path("buu-dien/bien-ban/<int:pk>/xac-nhan/", views.record_confirm, name="record_confirm"),
    path("buu-dien/<str:code>/", views.office, name="office"),
    path("buu-dien/<str:code>/ban-giao/", views.hand_over_new, name="hand_over_new"),
]
