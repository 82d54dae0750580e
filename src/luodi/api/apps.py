from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "luodi.api"
    label = "api"
