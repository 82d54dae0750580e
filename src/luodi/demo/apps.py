from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "luodi.demo"
    label = "demo"
