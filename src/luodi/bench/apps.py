from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "luodi.bench"
    label = "bench"
    verbose_name = "Benchmarks"
