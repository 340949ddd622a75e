from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "veoui.scenes"
    label = "scenes"
    verbose_name = "Scenes"

    def ready(self) -> None:
        from veoui.scenes import shots
        from veoui.studio import hooks

        if shots.delete_warning not in hooks.delete_warnings:
            hooks.delete_warnings.append(shots.delete_warning)
