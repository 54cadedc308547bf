from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from motcua.accounts.urls import sso_urlpatterns
from motcua.core.views import healthz
from motcua.dossiers.tracking_views import track, track_code
from motcua.notifications.urls import webhook_urlpatterns
from motcua.notifications.views import demo_sms_inbox
from motcua.portal.views import trivial

admin.site.site_header = _("Quản trị hệ thống Một cửa điện tử")
admin.site.site_title = _("Quản trị")
admin.site.index_title = _("Danh mục và cấu hình")
# Django's own Vietnamese admin catalogue has this message only as two singular entries while the
# admin templates ask for its plural form, so the admin showed it in English: named here, it is in
# our catalogue, which LOCALE_PATHS puts before Django's.
ADMIN_FORM_ERRORS = ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "count")

urlpatterns = [
    path("", include("motcua.portal.urls")),
    path("", include("motcua.reports.urls")),
    path("can-bo/", include("motcua.reports.staff_urls")),
    path("can-bo/lanh-dao/", include("motcua.leaders.urls")),
    path("can-bo/", include("motcua.service_index.urls")),
    path("can-bo/bao-cao-dinh-ky/", include("motcua.report_templates.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("can-bo/", include("motcua.delivery.urls")),
    path("can-bo/", include("motcua.postal.urls")),
    # The postal carrier's tracking webhook and the delivery proofs it sent (docs/delivery.md).
    path("", include("motcua.delivery.carrier_urls")),
    path("can-bo/", include("motcua.exchange.urls")),
    path("can-bo/", include("motcua.national.urls")),
    path("can-bo/", include("motcua.payments.collections_urls")),
    path("can-bo/", include("motcua.payments.staff_urls")),
    path("can-bo/", include("motcua.forecast.urls")),
    # Passkey ceremonies (django-otp-webauthn's JSON views, driven by its JavaScript).
    path("can-bo/khoa-truy-cap/", include("django_otp_webauthn.urls")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    # allauth reverses its OIDC URLs without a namespace, so they live outside "accounts".
    path("tai-khoan/sso/", include(sso_urlpatterns)),
    path("ho-so/", include("motcua.dossiers.urls")),
    # The citizen's online payment, the gateways' returns and notifications (docs/payments.md).
    path("thanh-toan/", include("motcua.payments.urls")),
    path("kho-du-lieu/", include("motcua.documents.urls")),
    path("xac-thuc/", include("motcua.documents.verify_urls")),
    path("bien-lai/", include("motcua.payments.receipt_urls")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("sms-mo-phong/", demo_sms_inbox, name="demo_sms_inbox"),
    # Delivery receipts and inbound texts from the SMS and Zalo providers (signed, CSRF-exempt).
    path("webhooks/", include(webhook_urlpatterns)),
    path("tra-cuu/", track, name="tracking"),
    path("tra-cuu/<str:code>/", track_code, name="tracking_code"),
    path("healthz", healthz, name="healthz"),
    path("_trivial", trivial, name="trivial"),
]

# Error pages in Vietnamese in the site's look; problem+json under /api/ (motcua.api.errors).
handler400 = "motcua.core.views.bad_request"
handler403 = "motcua.core.views.permission_denied"
handler404 = "motcua.core.views.page_not_found"
handler500 = "motcua.core.views.server_error"
