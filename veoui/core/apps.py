from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "veoui.core"
    label = "core"
    verbose_name = "veoui"
