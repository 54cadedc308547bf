"""Receipts by their random token: the public verification page the QR code points to, and
the PDF for the dossier's applicant and the officers who may read the dossier."""

from django.urls import path

from motcua.payments import receipt_views

app_name = "receipts"
urlpatterns = [
    path("<str:token>/", receipt_views.verify, name="verify"),
    path("<str:token>/tai/", receipt_views.download, name="download"),
]
