"""Support details for admins: the kie.ai task id on the video page, selectable and with a Copy button."""

from __future__ import annotations

import pytest

from tests.people import make_generation, text

pytestmark = pytest.mark.django_db


def test_an_admin_sees_the_task_id_to_quote_to_kie(admin_client, member) -> None:
    video = make_generation(member, 60, kie_task_id="veo_task_abc123")
    page = text(admin_client.get(f"/videos/{video.uuid}/"))
    assert "Support details" in page
    assert '<code class="selectable" id="kie-task-id">veo_task_abc123</code>' in page
    assert 'data-copy="veo_task_abc123"' in page and ">Copy</button>" in page


def test_a_member_does_not_see_it_even_on_their_own_video(member_client, member) -> None:
    video = make_generation(member, 60, kie_task_id="veo_task_abc123")
    page = text(member_client.get(f"/videos/{video.uuid}/"))
    assert "veo_task_abc123" not in page and "Support details" not in page


def test_before_kie_took_it_the_admin_is_told_so(admin_client, member) -> None:
    video = make_generation(member, 60, status="queued")
    page = text(admin_client.get(f"/videos/{video.uuid}/"))
    assert "None yet: kie.ai has not taken it." in page
