"""Work the worker does for the team. Safe to run twice."""

from django.tasks import task

from veoui.team import balance


@task()
def refresh_balance() -> None:
    balance.refresh()
