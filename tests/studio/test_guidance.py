"""Guidance for new people: what each mode does, "Try this", tips, how long models take, and empty pages that
say what to do first."""

from __future__ import annotations

import html
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.people import PASSWORD
from veoui.studio import guidance, rules
from veoui.studio.models import Generation

pytestmark = pytest.mark.django_db

MODE_SLUGS = {mode.key: mode.slug for mode in rules.MODES.values()}


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def prompt_box(body: str) -> str:
    """What the prompt box holds when the page opens."""
    start = body.index('name="prompt"')
    start = body.index(">", start) + 1
    return body[start : body.index("</textarea>", start)]


def make_video(owner: object, prompt: str = "A red kite over green hills") -> Generation:
    return Generation.objects.create(
        owner=owner,
        mode=rules.TEXT,
        model=rules.FAST,
        prompt=prompt,
        aspect_ratio=rules.LANDSCAPE,
        submission_token=uuid.uuid4(),
        estimated_credits=60,
    )


@pytest.mark.parametrize("mode_key", list(rules.MODES))
def test_it_explains_each_mode_with_an_example(member_client: Client, mode_key: str) -> None:
    body = page(member_client, f"/studio/{MODE_SLUGS[mode_key]}/")
    guide = guidance.guide_for(mode_key)
    assert str(guide.summary) in body
    assert str(guide.example) in body
    for other_key, other in guidance.GUIDES.items():
        if other_key != mode_key:
            assert str(other.summary) not in body


def test_it_gives_each_mode_its_own_example_prompt_within_the_limits() -> None:
    prompts = [str(guide.try_prompt) for guide in guidance.GUIDES.values()]
    assert set(guidance.GUIDES) == set(rules.MODES)
    assert len(set(prompts)) == len(prompts)
    assert all(20 < len(prompt) < rules.PROMPT_MAX_LENGTH for prompt in prompts)


@pytest.mark.parametrize("mode_key", list(rules.MODES))
def test_it_offers_try_this_as_a_link_that_works_without_javascript(member_client: Client, mode_key: str) -> None:
    slug = MODE_SLUGS[mode_key]
    body = page(member_client, f"/studio/{slug}/")
    assert "Try this" in body
    assert f'href="/studio/{slug}/?try=1#id_prompt"' in body
    assert f'data-try-prompt="{guidance.guide_for(mode_key).try_prompt}"' in body
    assert prompt_box(body) == ""

    filled = page(member_client, f"/studio/{slug}/?try=1")
    assert prompt_box(filled) == str(guidance.guide_for(mode_key).try_prompt)


def test_it_keeps_the_settings_of_an_earlier_video_over_the_example(member_client: Client, member) -> None:
    earlier = make_video(member, "Paper boats on a pond")
    body = page(member_client, f"/studio/text/?from={earlier.uuid}&try=1")
    assert prompt_box(body) == "Paper boats on a pond"


def test_it_sends_the_example_prompt_like_any_other(member_client: Client) -> None:
    prompt = str(guidance.guide_for(rules.TEXT).try_prompt)
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": prompt,
        "model": rules.FAST,
        "aspect_ratio": rules.LANDSCAPE,
        "enable_translation": "on",
    }
    response = member_client.post("/studio/text/", data)
    assert response.status_code == 302
    assert Generation.objects.get().prompt == prompt


def test_it_lists_tips_for_good_prompts_folded_away(member_client: Client) -> None:
    body = page(member_client, "/studio/text/")
    tips = body[body.index('<details class="tips">') : body.index("</details>", body.index('<details class="tips">'))]
    assert "Tips for good prompts" in tips
    assert 4 <= len(guidance.TIPS) <= 6
    for title, text in guidance.TIPS:
        assert str(title) in tips and str(text) in tips
    assert "sound" in tips.lower()
    assert " open" not in tips.split(">", 1)[0]


def test_it_shows_what_each_model_costs_and_how_long_it_usually_takes(member_client: Client) -> None:
    body = page(member_client, "/studio/text/")
    for model in rules.MODELS.values():
        assert guidance.usual_wait(model.typical_seconds) in body
    assert "credits · $" in body


def test_it_says_waits_in_plain_words() -> None:
    assert guidance.usual_wait(50) == "Usually ready in under a minute."
    assert guidance.usual_wait(70) == "Usually ready in about 1 minute."
    assert guidance.usual_wait(180) == "Usually ready in about 3 minutes."


def test_it_has_a_place_for_the_auto_crop_preview_only_where_auto_exists(member_client: Client) -> None:
    frames = page(member_client, "/studio/frames/")
    assert "data-auto-preview" in frames and "data-auto-hint" in frames
    assert 'aria-label="Preview of the part of your picture the video keeps"' in frames
    assert "data-auto-preview" not in page(member_client, "/studio/text/")


def test_it_tells_the_browser_what_to_say_about_the_crop(member_client: Client) -> None:
    body = page(member_client, "/studio/frames/")
    assert "The video keeps the part inside the frame; the darker edges are cut off." in body
    assert "It already has that shape, so nothing is cut off." in body


def test_it_tells_someone_with_no_videos_what_to_do_first(member_client: Client) -> None:
    body = page(member_client, "/studio/frames/")
    recent = body[body.index('id="recent-list"') :]
    assert "Nothing yet. Write a prompt and press Generate" in recent
    assert 'href="/studio/frames/?try=1#id_prompt"' in recent


def test_it_shows_videos_instead_of_the_empty_note(member_client: Client, member) -> None:
    make_video(member)
    body = page(member_client, "/studio/text/")
    assert "Nothing yet" not in body


def test_it_invites_the_first_video_in_an_empty_gallery(member_client: Client) -> None:
    body = page(member_client, "/gallery/")
    assert "No videos yet. Make the first one in the studio" in body
    assert 'href="/studio/text/?try=1#id_prompt"' in body
    assert "No videos match" not in body


def test_it_treats_a_gallery_form_sent_without_filters_as_no_filter(member_client: Client) -> None:
    body = page(member_client, "/gallery/?whose=&mode=&model=&status=&q=")
    assert "No videos yet" in body


def test_it_says_when_filters_match_nothing(member_client: Client, member) -> None:
    make_video(member)
    body = page(member_client, "/gallery/?q=submarine")
    assert "No videos match. Change the filters or clear them." in body
    assert "Show all videos" in body
    assert "No videos yet" not in body


def test_it_says_what_to_do_when_nothing_was_spent(client: Client) -> None:
    admin = get_user_model().objects.create_superuser("alex", password=PASSWORD)
    client.force_login(admin)
    body = page(client, "/usage/")
    assert "Nothing was spent in" in body
    assert "Costs show up here as soon as someone makes a video." in body
    assert 'href="/studio/text/"' in body

    make_video(admin)
    assert "Nothing was spent in" not in page(client, "/usage/")
