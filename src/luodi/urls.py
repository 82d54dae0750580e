from django.contrib import admin
from django.urls import include, path

from luodi.api.api import api
from luodi.core.views import healthz
from luodi.web.urls import auth_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    *auth_patterns,
    path("", include("luodi.web.urls")),
]
