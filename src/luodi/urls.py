from django.contrib import admin
from django.urls import include, path, re_path

from luodi.api.api import api, endpoint_not_found
from luodi.core.views import healthz
from luodi.web.urls import auth_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", endpoint_not_found),
    *auth_patterns,
    path("", include("luodi.web.urls")),
]
