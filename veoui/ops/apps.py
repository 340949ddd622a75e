from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "veoui.ops"
    label = "core"
    verbose_name = "veoui"
