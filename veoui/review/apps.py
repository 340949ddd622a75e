from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "veoui.review"
    label = "review"
    verbose_name = "Review"
