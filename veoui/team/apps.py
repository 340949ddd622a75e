from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "veoui.team"
    label = "team"
    verbose_name = "Team"

    def ready(self) -> None:
        from veoui.team import signals  # noqa: F401
