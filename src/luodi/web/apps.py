from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "luodi.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from luodi.web import signin  # noqa: F401  (connects the sign-in/out receivers)
