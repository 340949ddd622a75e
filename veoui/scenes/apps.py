from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "veoui.scenes"
    label = "scenes"
    verbose_name = "Scenes"
