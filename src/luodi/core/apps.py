from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "luodi.core"
    label = "core"
