"""Public verification pages of issued results; mounted at xac-thuc/ (the URL in QR codes)."""

from django.urls import path

from motcua.documents import verify_views

app_name = "verify"
urlpatterns = [
    path("<str:code>/", verify_views.verify, name="document"),
]
