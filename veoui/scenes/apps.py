from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "veoui.scenes"
    label = "scenes"
    verbose_name = "Scenes"

    def ready(self) -> None:
        from veoui.scenes import continuing, shots
        from veoui.studio import hooks

        for hooked, hook in [
            (hooks.delete_warnings, shots.delete_warning),
            (hooks.continue_notes, continuing.note),
            (hooks.continued, continuing.remember),
            (hooks.finished, continuing.join),
        ]:
            if hook not in hooked:
                hooked.append(hook)
