from django.urls import path, register_converter
from django.urls.converters import StringConverter

from motcua.api import auth, backoffice, clients, dossiers, payments, views


class CodeConverter(StringConverter):
    """A code in the path: anything but a slash or NUL (PostgreSQL cannot compare with NUL), else 404."""

    regex = "[^/\x00]+"


register_converter(CodeConverter, "code")
app_name = "api"
urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", auth.TokenRevokeView.as_view(), name="token_revoke"),
    path("auth/token/revoke-all/", auth.TokenRevokeAllView.as_view(), name="token_revoke_all"),
    path("auth/token/refresh/", auth.TokenRefreshView.as_view(), name="token_refresh"),
    path("procedures/", views.ProcedureListView.as_view(), name="procedure_list"),
    path("procedures/<code:code>/", views.ProcedureDetailView.as_view(), name="procedure_detail"),
    path("fields/", views.FieldListView.as_view(), name="field_list"),
    path("agencies/", views.AgencyListView.as_view(), name="agency_list"),
    path("units/", views.AdministrativeUnitListView.as_view(), name="unit_list"),
    path("tracking/<code:code>", views.TrackingView.as_view(), name="tracking"),
    path("verification/<str:code>/", views.VerificationView.as_view(), name="verification"),
    path("dossiers/", dossiers.DossierListCreateView.as_view(), name="dossier_list"),
    path("dossiers/<int:pk>/", dossiers.DossierDetailView.as_view(), name="dossier_detail"),
    path("dossiers/<int:pk>/attachments/", dossiers.DossierAttachmentView.as_view(), name="dossier_attach"),
    path(
        "dossiers/<int:pk>/attachments/<int:attachment_id>/",
        dossiers.DossierAttachmentDeleteView.as_view(),
        name="dossier_detach",
    ),
    path("dossiers/<int:pk>/submit/", dossiers.DossierSubmitView.as_view(), name="dossier_submit"),
    path("dossiers/<int:pk>/confirm/", dossiers.DossierConfirmView.as_view(), name="dossier_confirm"),
    path("dossiers/<int:pk>/withdraw/", dossiers.DossierWithdrawView.as_view(), name="dossier_withdraw"),
    path(
        "dossiers/<int:pk>/withdrawal-request/",
        dossiers.DossierWithdrawalRequestView.as_view(),
        name="dossier_withdrawal_request",
    ),
    path("dossiers/<int:pk>/fees/", payments.DossierFeesView.as_view(), name="dossier_fees"),
    path("dossiers/<int:pk>/pay/", payments.DossierPayView.as_view(), name="dossier_pay"),
    path("dossiers/<int:pk>/payment/", payments.DossierPaymentView.as_view(), name="dossier_payment"),
    path("dossiers/<int:pk>/receipts/", payments.DossierReceiptListView.as_view(), name="dossier_receipts"),
    path(
        "dossiers/<int:pk>/receipts/<int:receipt_id>/",
        payments.DossierReceiptView.as_view(),
        name="dossier_receipt",
    ),
    path(
        "dossiers/<int:pk>/receipts/<int:receipt_id>/pdf/",
        payments.DossierReceiptPdfView.as_view(),
        name="dossier_receipt_pdf",
    ),
    # Other systems (OAuth2 client credentials, one agency each): motcua.api.backoffice.
    path("oauth/token/", clients.ClientTokenView.as_view(), name="oauth_token"),
    path("backoffice/reception-queue/", backoffice.ReceptionQueueView.as_view(), name="backoffice_reception_queue"),
    path("backoffice/work-queue/", backoffice.WorkQueueView.as_view(), name="backoffice_work_queue"),
    path("backoffice/dossiers/", backoffice.SearchView.as_view(), name="backoffice_search"),
    path("backoffice/dossiers/<int:pk>/", backoffice.DossierView.as_view(), name="backoffice_dossier"),
    path("backoffice/dossiers/<int:pk>/accept/", backoffice.AcceptView.as_view(), name="backoffice_accept"),
    path(
        "backoffice/dossiers/<int:pk>/request-supplement/",
        backoffice.RequestSupplementView.as_view(),
        name="backoffice_request_supplement",
    ),
    path("backoffice/dossiers/<int:pk>/refuse/", backoffice.RefuseView.as_view(), name="backoffice_refuse"),
    path("backoffice/dossiers/<int:pk>/result/", backoffice.ResultDownloadView.as_view(), name="backoffice_result"),
    path(
        "backoffice/dossiers/<int:pk>/steps/<int:step_id>/take/",
        backoffice.StepTakeView.as_view(),
        name="backoffice_step_take",
    ),
    path(
        "backoffice/dossiers/<int:pk>/steps/<int:step_id>/forward/",
        backoffice.StepForwardView.as_view(),
        name="backoffice_step_forward",
    ),
    path(
        "backoffice/dossiers/<int:pk>/steps/<int:step_id>/return/",
        backoffice.StepReturnView.as_view(),
        name="backoffice_step_return",
    ),
]
