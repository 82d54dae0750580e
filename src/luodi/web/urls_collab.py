"""Pages of luodi.collab (included by web/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
