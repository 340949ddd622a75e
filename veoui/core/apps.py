from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "veoui.core"
    label = "core"
    verbose_name = "veoui"

    def ready(self) -> None:
        # Writes through every database connection are noted from the first one on (veoui/core/changes.py).
        from veoui.core import changes  # noqa: F401
