from django.urls import path

from motcua.reports import statutory_views, views

app_name = "reports_staff"
urlpatterns = [
    path("phan-anh/", views.staff_feedback, name="feedback"),
    path("danh-gia/", views.staff_ratings, name="ratings"),
    path("bao-cao-giai-quyet-tthc/", statutory_views.statutory_page, name="statutory"),
    path("bao-cao-giai-quyet-tthc/chi-tiet/", statutory_views.statutory_list, name="statutory_list"),
    path("bao-cao-giai-quyet-tthc/excel/", statutory_views.statutory_excel, name="statutory_excel"),
    path("bao-cao-giai-quyet-tthc/pdf/", statutory_views.statutory_pdf_file, name="statutory_pdf"),
]
