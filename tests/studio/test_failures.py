"""Every documented kie.ai code and failure message ends in the right state, with words a person understands."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from tests.conftest import TEST_KIE_API_KEY
from tests.people import make_user
from tests.studio.test_flow import finished, submit
from veoui.studio import tasks
from veoui.studio.models import Generation, Status

# (body code on generate, kie.ai's message, category the member is shown, final state)
GENERATE_ANSWERS = [
    (400, "Missing required parameter: prompt", "kie_error", Status.FAILED),  # veoui's fault: the admin is told
    (400, "The aspect ratio is not supported", "your_input", Status.FAILED),
    (401, "You do not have access permissions", "access", Status.FAILED),
    (402, "The current credits are insufficient. Please top up.", "out_of_credits", Status.FAILED),
    (404, "Not found", "kie_error", Status.FAILED),
    (
        408,
        "Upstream is currently experiencing service issues. No result has been returned for over 10 minutes.",
        "busy",
        Status.FAILED,
    ),
    (
        422,
        "Your request was rejected by Flow(Your prompt was flagged by Website as violating content policies). "
        "You may consider using our other fallback channels...",
        "content_policy",
        Status.FAILED,
    ),
    (429, "Too many requests", "busy", Status.SUCCEEDED),  # waited and sent again by itself
    (
        451,
        "Failed to fetch the image. Kindly verify any access limits set by you or your service provider.",
        "your_input",
        Status.FAILED,
    ),
    (455, "Service Unavailable - System is currently undergoing maintenance", "busy", Status.SUCCEEDED),
    (500, "Internal Error, Please try again later.", "kie_error", Status.FAILED),
    (500, "Internal Error - Timeout", "kie_error", Status.FAILED),
    (500, "Timeout", "kie_error", Status.FAILED),
    (501, "Generation failed", "kie_error", Status.FAILED),
    (505, "Feature disabled", "kie_error", Status.FAILED),
]

# (successFlag, errorCode, errorMessage, category, worth trying again as is)
TASK_FAILURES = [
    (3, 400, "Your prompt was flagged by Website as violating content policies.", "content_policy", False),
    (
        3,
        400,
        "Failed to fetch the image. Kindly verify any access limits set by you or your service provider.",
        "your_input",
        False,
    ),
    (3, 400, "public error unsafe image upload.", "content_policy", False),
    (3, 400, "Only English prompts are supported at this time.", "your_input", False),
    (
        3,
        400,
        "Request temporarily unavailable due to high traffic on Google models. Please try again later.",
        "busy",
        True,
    ),
    (3, 400, "The Google model was unable to generate audio for this request.", "kie_error", True),
    (3, 422, "failed", "content_policy", False),
    (2, 500, "Internal Error, Please try again later.", "kie_error", True),
    (2, 501, "Generation failed", "kie_error", True),
]


@pytest.fixture
def logged_in(client: Client, worker, django_user_model, monkeypatch) -> Client:
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 0.2)
    client.force_login(make_user("maya"))
    return client


def shown_to_member(client: Client, generation: Generation) -> str:
    page = client.get(f"/videos/{generation.uuid}/").content.decode()
    card = page[page.index(f'id="generation-{generation.uuid}"') :]
    return re.sub(r"<[^>]+>", " ", card[: card.index("</article>")])


def assert_plain(text: str) -> None:
    for raw in ("{", "}", "Traceback", "Exception", "code=", "msg", TEST_KIE_API_KEY, "Bearer"):
        assert raw not in text, f"{raw!r} shown to the member: {text}"


@pytest.mark.parametrize(("code", "message", "category", "state"), GENERATE_ANSWERS)
def test_it_handles_each_answer_to_generate(logged_in, worker, kie, code, message, category, state) -> None:
    kie.control.add_fault("generate", "body_code", code=code, msg=message)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == state
    generate_requests = len(kie.control.requests("generate"))
    if state == Status.SUCCEEDED:
        assert generate_requests == 2  # refused for sure, so sent once more; never more
    else:
        assert generate_requests == 1
        assert generation.error_category == category
        assert generation.error_message and generation.error_next_step
        text = shown_to_member(logged_in, generation)
        assert generation.error_message.replace("'", "&#x27;") in text or generation.error_message in text
        assert_plain(text)


@pytest.mark.parametrize(("flag", "code", "message", "category", "transient"), TASK_FAILURES)
def test_it_handles_each_failure_kie_reports_later(logged_in, worker, kie, flag, code, message, category, transient):
    kie.control.add_fault("generate", "task_failure", success_flag=flag, error_code=code, error_message=message)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.FAILED
    assert (generation.error_category, generation.error_transient) == (category, transient)
    text = shown_to_member(logged_in, generation)
    assert_plain(text)
    assert ("Try again (60 credits, about $0.30)" in text) is transient


def test_it_tries_again_as_a_new_generation_that_costs_again(logged_in, worker, kie) -> None:
    kie.control.add_fault(
        "generate",
        "task_failure",
        success_flag=3,
        error_code=400,
        error_message="Request temporarily unavailable due to high traffic on Google models. Please try again later.",
    )
    first = submit(logged_in, "text", seed="12345")
    worker.wait_for(finished(first))
    response = logged_in.post(f"/videos/{first.uuid}/retry/", {"submission_token": str(uuid.uuid4())})
    second = Generation.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/videos/{second.uuid}/"
    assert (second.prompt, second.seed, second.model) == (first.prompt, 12345, first.model)
    worker.wait_for(finished(second))
    assert second.status == Status.SUCCEEDED
    assert len(kie.control.requests("generate")) == 2


def test_it_says_when_kie_delivered_a_video_without_sound(logged_in, worker) -> None:
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    Generation.objects.filter(pk=generation.pk).update(has_audio=False)
    assert "without sound" in logged_in.get(f"/videos/{generation.uuid}/").content.decode()
