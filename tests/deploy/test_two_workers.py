"""Beyond one machine: two worker processes on PostgreSQL share 50 generations, and each is submitted once."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.deploy.servers import procfile, running, server_environment, wait_for
from tests.people import make_user
from veoui.studio.models import TERMINAL, Generation, Status, WorkerHeartbeat

COUNT = 50
SUCCEEDING = 6  # the rest fail at kie.ai at once: no render to wait for, the same submit and poll path


def test_two_workers_submit_each_of_50_generations_exactly_once(transactional_db, kie, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...; CI's second pass does)")
    kie.control.configure(rate_limit=0)  # the rate limit's 429s would be extra generate requests
    kie.control.add_fault(
        "generate", "task_failure", times=COUNT - SUCCEEDING, success_flag=3, error_code=500, error_message="Internal"
    )
    member = Client()
    member.force_login(make_user("maya"))
    environment = server_environment(kie, tmp_path / "media")
    worker = procfile()["worker"]
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with running(worker, environment, logs[0]), running(worker, environment, logs[1]):
        wait_for(lambda: WorkerHeartbeat.objects.count() == 2, 30, "both workers' heartbeats", logs[0])
        for number in range(COUNT):
            response = member.post(
                "/studio/text/",
                {"submission_token": str(uuid.uuid4()), "prompt": f"Scene {number}", "model": "veo3_lite",
                 "aspect_ratio": "16:9"},
            )  # fmt: skip
            assert response.status_code == 302, response.content.decode()[:1000]
        assert Generation.objects.count() == COUNT
        wait_for(
            lambda: not Generation.objects.exclude(status__in=TERMINAL).exists(),
            60,
            "all 50 generations finished",
            logs[1],
        )

    generate_requests = kie.control.requests("generate")
    assert len(generate_requests) == COUNT
    assert sorted(request["body"]["prompt"] for request in generate_requests) == sorted(
        f"Scene {number}" for number in range(COUNT)
    )
    task_ids = list(Generation.objects.values_list("kie_task_id", flat=True))
    assert len(set(task_ids)) == COUNT and all(task_ids)
    assert Generation.objects.filter(status=Status.SUCCEEDED).count() == SUCCEEDING
    assert Generation.objects.filter(status=Status.FAILED).count() == COUNT - SUCCEEDING
    # Both processes really took part: the queue recorded which worker ran each task.
    ids = [worker_id for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for worker_id in ids]
    workers = {worker_id.partition("-archive-")[0] for worker_id in ids}  # a process's archive threads are its own
    assert len(workers) == 2, workers
