from django.urls import path

from motcua.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("cua-toi/", views.my_dossiers, name="my_list"),
    path("bat-dau/<str:code>/", views.start, name="start"),
    path("lien-thong/<str:code>/bat-dau/", views.group_start, name="group_start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tiep-tuc/", views.resume, name="resume"),
    path("<int:pk>/to-khai/<slug:page_id>/", views.form_page, name="form_page"),
    path("<int:pk>/giay-to/", views.papers, name="papers"),
    path("<int:pk>/nhan-ket-qua/", views.delivery, name="delivery"),
    path("<int:pk>/kiem-tra/", views.review, name="review"),
    path("<int:pk>/uoc-tinh-phi/", views.fee_estimate, name="fee_estimate"),
    path("<int:pk>/xac-nhan/", views.confirm, name="confirm"),
    path("<int:pk>/da-nop/", views.done, name="done"),
    path("<int:pk>/giay-xac-nhan.pdf", views.acknowledgement, name="acknowledgement"),
    path("<int:pk>/rut/", views.withdraw, name="withdraw"),
    path("<int:pk>/de-nghi-rut/", views.withdrawal_request, name="withdrawal_request"),
    path("<int:pk>/bo-sung/", views.supplement_send, name="supplement_send"),
    path("<int:pk>/phieu/<int:slip_id>/", views.slip_download, name="slip"),
    path("<int:pk>/tep/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
