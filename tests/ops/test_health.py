"""/health/: what a load balancer and an admin see, with and without a live worker and database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from veoui.studio import heartbeat, kie_contact
from veoui.studio.models import WorkerHeartbeat


@pytest.fixture
def fresh_kie_note(monkeypatch) -> None:
    monkeypatch.setattr(kie_contact, "_last_noted", None)


def test_it_answers_200_when_a_worker_beat_recently(client: Client, db, fresh_kie_note) -> None:
    heartbeat.beat()
    kie_contact.note_kie_success()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["live_workers"] == 1
    assert body["worker"]["seconds_since_heartbeat"] <= 5
    assert 0 <= body["kie"]["seconds_since_success"] <= 5


def test_it_answers_503_when_the_newest_heartbeat_is_older_than_a_minute(client: Client, db) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="gone-1", seen_at=now - timedelta(seconds=61))
    WorkerHeartbeat.objects.create(worker_id="gone-2", seen_at=now - timedelta(hours=3))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["worker"] == {"status": "silent", "seconds_since_heartbeat": 61, "live_workers": 0}
    assert body["database"] == "ok"


def test_it_answers_503_before_any_worker_ever_started(client: Client, db) -> None:
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "missing"
    assert response.json()["kie"]["seconds_since_success"] is None


def test_it_does_not_fail_because_kie_has_been_quiet(client: Client, db, fresh_kie_note) -> None:
    heartbeat.beat()
    from veoui.studio.models import KieContact

    KieContact.objects.create(pk=1, last_success_at=timezone.now() - timedelta(days=2))
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["kie"]["seconds_since_success"] >= 2 * 86400


def test_it_answers_503_when_the_database_is_down(client: Client, transactional_db) -> None:
    heartbeat.beat()
    assert client.get("/health/").status_code == 200
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/veoui/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/health/")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "unreachable", "worker": None, "kie": None}


def test_it_needs_no_login_and_no_https_redirect(client: Client, db, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    heartbeat.beat()
    assert client.get("/health/").status_code == 200
    head = client.head("/health/")
    assert head.status_code == 200 and head.content == b""
    assert client.get("/login/").status_code == 301  # everything else goes to https://
    assert client.post("/health/").status_code == 405


def test_it_records_a_kie_success_at_most_every_few_seconds(db, fresh_kie_note) -> None:
    from veoui.studio.models import KieContact

    kie_contact.note_kie_success()
    first = KieContact.objects.get().last_success_at
    kie_contact.note_kie_success()
    assert KieContact.objects.get().last_success_at == first
    assert kie_contact.last_kie_success() == first
