"""The acceptance test: twenty simultaneous submits against a budget with room for exactly five.

Real threads, each with its own Django test client and database connection, against the real database
(SQLite or PostgreSQL): exactly five generations are created and the other fifteen see the over-budget message.
"""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.people import client_for, make_generation, make_user, text
from veoui.studio.models import Generation, Pricing
from veoui.team import budgets
from veoui.team.models import Membership, Role, TeamSettings

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITS = 20
ROOM_FOR = 5


@pytest.fixture
def slow_count(monkeypatch) -> None:
    """Widen the gap between reading the spend and saving the generation, so that any two submits not
    serialised by the budget lock would both see room: without the lock this test fails every time."""
    spent = budgets.spent

    def slowly(**kwargs: object) -> Decimal:
        total = spent(**kwargs)
        time.sleep(0.02)
        return total

    monkeypatch.setattr(budgets, "spent", slowly)


def press_generate_together(clients: list[Client]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(clients))
    results: list[object] = [None] * len(clients)

    def press(index: int, client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(
                "/studio/text/",
                {
                    "submission_token": str(uuid.uuid4()),
                    "prompt": f"A lighthouse in a storm, take {index}",
                    "model": "veo3_fast",
                    "aspect_ratio": "16:9",
                },
            )
            results[index] = (response.status_code, text(response))
        except Exception as error:  # reported below, with the thread's own traceback in the message
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i, client)) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [r for r in results if not isinstance(r, tuple)]
    assert not errors, errors
    return results


def check_exactly_five(results: list[tuple[int, str]], message: str, budget: Decimal) -> None:
    accepted = [r for r in results if r[0] == 302]
    refused = [r for r in results if r[0] == 200 and message in r[1]]
    assert (len(accepted), len(refused)) == (ROOM_FOR, SUBMITS - ROOM_FOR), [r[0] for r in results]
    start = budgets.month_start()
    assert budgets.spent(since=start, until=budgets.next_month(start)) <= budget


def test_it_accepts_exactly_five_of_twenty_simultaneous_submits_against_the_team_budget(slow_count) -> None:
    fast = Pricing.current().fast
    admin = make_user("alex", "Alex", role=Role.ADMIN)
    make_generation(admin, 1000 - ROOM_FOR * fast)
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": Decimal(1000)})
    members = [make_user(f"member{n}", f"Member {n}") for n in range(4)]
    clients = [client_for(members[i % len(members)]) for i in range(SUBMITS)]

    results = press_generate_together(clients)

    check_exactly_five(results, "left of the team's budget", Decimal(1000))
    assert Generation.objects.exclude(owner=admin).count() == ROOM_FOR


def test_it_accepts_exactly_five_of_twenty_simultaneous_submits_against_a_persons_budget(slow_count) -> None:
    fast = Pricing.current().fast
    make_user("alex", "Alex", role=Role.ADMIN)
    maya = make_user("maya", "Maya")
    make_generation(maya, 100)
    Membership.objects.filter(user=maya).update(monthly_budget=100 + ROOM_FOR * fast)
    clients = [client_for(maya) for _ in range(SUBMITS)]

    results = press_generate_together(clients)

    check_exactly_five(results, "left of your budget", 100 + ROOM_FOR * fast)
    assert Generation.objects.filter(owner=maya).count() == 1 + ROOM_FOR
