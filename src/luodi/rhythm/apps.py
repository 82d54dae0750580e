from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RhythmConfig(AppConfig):
    name = "luodi.rhythm"
    label = "rhythm"
    verbose_name = _("Weekly rhythm")
