"""The seed shown is the one kie.ai used (it returns it in ``response.seeds``), and the page says when it differs
from the one asked for: in the settings, the list of variations, the card and "Copy seed"."""

from __future__ import annotations

import re
import uuid

from tests.people import client_for, make_generation, text
from tests.studio.test_flow import finished, submit
from veoui.studio.models import Status


def test_it_shows_and_copies_the_seed_kie_used_and_says_it_differs(maya) -> None:
    group = uuid.uuid4()
    video = make_generation(maya, 60, seed=24680, result_seed=61668, group=group)
    sibling = make_generation(maya, 60, seed=24681, result_seed=50505, group=group)
    page = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    assert 'data-copy="61668"' in page and 'data-copy="24680"' not in page
    assert "61668 (kie.ai used this one instead of 24680)" in page
    assert "variation, seed 61668" in page
    assert re.search(rf'/videos/{sibling.uuid}/">Seed 50505</a>\s+<span class="muted small">\(asked for 24681\)', page)


def test_it_shows_the_seed_asked_for_when_kie_used_it(maya) -> None:
    video = make_generation(maya, 60, seed=24680, result_seed=24680)
    page = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    assert 'data-copy="24680"' in page and "instead of" not in page and "asked for" not in page


def test_it_keeps_the_seed_kie_picked_for_a_video_asked_without_one(maya, worker, kie) -> None:
    generation = submit(client_for(maya), "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED and generation.seed is None
    [task] = kie.control.tasks()
    assert generation.result_seed == task["record"]["response"]["seeds"][0]
    page = text(client_for(maya).get(f"/videos/{generation.uuid}/"))
    assert f'data-copy="{generation.result_seed}"' in page
