from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "veoui.sharing"
    label = "sharing"
    verbose_name = "Sharing"
