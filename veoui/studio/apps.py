from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "veoui.studio"
    label = "studio"
    verbose_name = "Studio"
