from collections.abc import Iterator

import pytest
from django.test import Client

from tests.people import client_for, make_user
from tests.support import RunningWorker
from veoui.kie.simulator.process import RunningSimulator, running_simulator
from veoui.team.models import Role

TEST_KIE_API_KEY = "test-kie-key-DO-NOT-LEAK-7f3a"
TEST_WEBHOOK_HMAC_KEY = "test-webhook-hmac-key"


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    """One kie.ai simulator for the whole run, with tasks that take about a second."""
    with running_simulator(
        TEST_KIE_API_KEY, min_seconds=0.5, max_seconds=1.0, webhook_hmac_key=TEST_WEBHOOK_HMAC_KEY
    ) as running:
        yield running


@pytest.fixture
def sim(simulator: RunningSimulator) -> RunningSimulator:
    """The shared simulator with no tasks, faults, logs or configuration changes left by earlier tests."""
    simulator.control.reset(config=True)
    simulator.control.clear_faults()
    return simulator


@pytest.fixture
def kie(sim: RunningSimulator, settings, tmp_path) -> RunningSimulator:
    """veoui pointed at the simulator, with short timings so flows finish in seconds."""
    settings.KIE_API_KEY = sim.api_key
    settings.KIE_API_BASE_URL = sim.url
    settings.KIE_UPLOAD_BASE_URL = sim.url
    settings.KIE_READ_TIMEOUT = 3.0
    settings.VEOUI_POLL_INTERVAL = 0.3
    settings.MEDIA_ROOT = tmp_path / "media"
    return sim


@pytest.fixture
def worker(transactional_db, kie: RunningSimulator) -> Iterator[RunningWorker]:
    """veoui's worker really running tasks, in a thread of the test process."""
    running = RunningWorker()
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session", autouse=True)
def _watch_for_key_leaks() -> Iterator[None]:
    """Every log record and test-client response of the run is searched for the kie.ai key (tests/security)."""
    from tests.security import leaks

    assert TEST_KIE_API_KEY in leaks.SECRETS
    with leaks.watching():
        yield


@pytest.fixture(autouse=True)
def _no_key_leak(_watch_for_key_leaks: None) -> Iterator[None]:
    from tests.security import leaks

    leaks.LEAKS.clear()
    yield
    if leaks.LEAKS:
        found, leaks.LEAKS[:] = list(leaks.LEAKS), []
        pytest.fail("the kie.ai key leaked:\n" + "\n".join(found[:5]), pytrace=False)


@pytest.fixture
def admin(db) -> object:
    """Alex, who runs the team."""
    return make_user("alex", "Alex", role=Role.ADMIN)


@pytest.fixture
def member(db) -> object:
    """Maya, a member who makes videos."""
    return make_user("maya", "Maya")


@pytest.fixture
def outsider(db) -> object:
    """Otto, who left the team."""
    return make_user("otto", "Otto", active=False)


@pytest.fixture
def maya(member) -> object:
    """Maya by name, when a test also has her teammate Tom."""
    return member


@pytest.fixture
def tom(db) -> object:
    """Tom, Maya's teammate."""
    return make_user("tom", "Tom")


@pytest.fixture
def admin_client(admin) -> Client:
    return client_for(admin)


@pytest.fixture
def member_client(member) -> Client:
    return client_for(member)
