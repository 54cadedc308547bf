from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from motcua.core.views import healthz
from motcua.portal.views import trivial

admin.site.site_header = _("Quản trị hệ thống Một cửa điện tử")
admin.site.site_title = _("Quản trị")
admin.site.index_title = _("Danh mục và cấu hình")

urlpatterns = [
    path("", include("motcua.portal.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    path("ho-so/", include("motcua.dossiers.urls")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("_trivial", trivial, name="trivial"),
]
