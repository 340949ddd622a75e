"""Work the worker (`manage.py db_worker`) does. Each task takes ids only and is safe to run twice."""

from django.tasks import task

from veoui.studio import renditions, services


@task()
def submit_generation(*, generation_id: int) -> None:
    services.submit(generation_id)
    services.email_owner_if_finished(generation_id)  # a refusal ends it at once


@task()
def refresh_generation(*, generation_id: int, check: int | None = None) -> None:
    # ``check``: the number of the status check this task makes; one that was overtaken does nothing.
    services.refresh(generation_id, check)
    services.email_owner_if_finished(generation_id)


@task()
def adopt_generation(*, generation_id: int, task_id: str) -> None:
    services.adopt(generation_id, task_id)
    services.email_owner_if_finished(generation_id)


@task()
def archive_generation(*, generation_id: int) -> None:
    services.archive_generation(generation_id)
    services.email_owner_if_finished(generation_id)


@task()
def submit_rendition(*, rendition_id: int) -> None:
    renditions.submit(rendition_id)


@task()
def refresh_rendition(*, rendition_id: int, check: int | None = None) -> None:
    renditions.refresh(rendition_id, check)


@task()
def archive_rendition(*, rendition_id: int) -> None:
    renditions.archive(rendition_id)
