from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "veoui.projects"
    label = "projects"
    verbose_name = "Projects"
