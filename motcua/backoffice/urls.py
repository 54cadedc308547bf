from django.urls import path

from motcua.backoffice import closing, security, views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("xac-thuc/", security.second_factor, name="second_factor"),
    path("bao-mat/", security.security, name="security"),
    path("bao-mat/ung-dung-xac-thuc/", security.security_totp, name="security_totp"),
    path("bao-mat/ma-du-phong/", security.security_backup_codes, name="security_backup_codes"),
    path("bao-mat/go/<path:device_id>/", security.security_remove, name="security_remove"),
    path("tiep-nhan/", views.reception_queue, name="reception_queue"),
    path("tra-cuu-ho-so/", views.dossier_search, name="dossier_search"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("nop-thay/", views.assisted_start, name="assisted_start"),
    path("ho-so/<int:pk>/phieu/<int:slip_id>/", views.slip_download, name="slip_download"),
    path("ho-so/<int:pk>/giay-to/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("viec/", views.work_queue, name="work_queue"),
    path("ho-so/<int:pk>/buoc/<int:step_id>/", views.step_action, name="step_action"),
    path("ho-so/<int:pk>/buoc/<int:step_id>/tep/<int:file_id>/", views.step_file_download, name="step_file"),
    path("ho-so/<int:pk>/dung-giai-quyet/", closing.stop, name="dossier_stop"),
    path("ho-so/<int:pk>/de-nghi-rut/", closing.withdrawal, name="withdrawal_decide"),
    path("ho-so/<int:pk>/phieu-kiem-soat/", views.control_sheet, name="control_sheet"),
    path("ho-so/<int:pk>/ket-qua/", views.result_download, name="result_download"),
    path("ho-so/<int:pk>/buoc/<int:step_id>/du-thao-ket-qua/", views.result_preview, name="result_preview"),
    path("so-theo-doi/", views.register, name="register"),
]
