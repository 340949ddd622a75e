"""The team's shared work in a browser: the gallery's filters and search, re-run and vary, and notifications."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.browser

NOTIFICATION_STUB = """
window.__notes = [];
window.__asked = 0;
window.__permission = "default";
window.Notification = class {
  constructor(title, options) { window.__notes.push({ title, body: options.body, tag: options.tag }); }
  static get permission() { return window.__permission; }
  static requestPermission() {
    window.__asked += 1;
    window.__permission = "granted";
    return Promise.resolve("granted");
  }
};
"""


def make(owner, prompt: str, **fields) -> Generation:
    values = {"mode": "TEXT_2_VIDEO", "model": "veo3_fast", "aspect_ratio": "16:9", "status": Status.SUCCEEDED}
    values.update(fields)
    return Generation.objects.create(
        owner=owner, prompt=prompt, submission_token=uuid.uuid4(), estimated_credits=Decimal(60), **values
    )


def cards(page: Page):
    return page.locator(".gallery-item__prompt")


def test_it_filters_and_searches_the_gallery(desktop: Page, person, django_user_model) -> None:
    page = desktop
    tom = django_user_model.objects.create_user("tom", first_name="Tom")
    make(person, "Maya's red balloon")
    make(tom, "Tom's cat jumps", mode="FIRST_AND_LAST_FRAMES_2_VIDEO", model="veo3_lite")
    make(tom, "Tom's broken dream", status=Status.FAILED, model="veo3")
    make(tom, "Tom's secret plan", visibility="private")
    page.goto("/")
    page.get_by_role("link", name="Gallery").click()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    expect(cards(page)).to_have_count(3)
    expect(page.get_by_text("Tom's secret plan")).to_have_count(0)
    screenshot(page, "gallery-1280")

    def show(**choices: str) -> None:
        page.get_by_role("link", name="Clear").click()
        page.wait_for_load_state()
        for label, value in choices.items():  # each applies as it is chosen or typed: no button to press
            control = page.get_by_label(label, exact=True)
            control.fill(value) if label == "Search prompts" else control.select_option(value)

    show(Whose="Mine")
    expect(cards(page)).to_have_text(["Maya's red balloon"])
    show(Whose="Team's")
    expect(cards(page)).to_have_count(2)
    show(Mode="First and last frames")
    expect(cards(page)).to_have_text(["Tom's cat jumps"])
    show(Model="Quality")
    expect(cards(page)).to_have_text(["Tom's broken dream"])
    show(Status="Failed")
    expect(cards(page)).to_have_text(["Tom's broken dream"])
    expect(page.locator(".gallery-item .badge--failed")).to_have_text("Failed")
    show(**{"Search prompts": "balloon"})
    expect(cards(page)).to_have_text(["Maya's red balloon"])
    show(Whose="Team's", **{"Search prompts": "balloon"})
    expect(page.get_by_text("No videos match")).to_be_visible()
    page.get_by_role("link", name="Clear").click()
    page.get_by_text("Tom's cat jumps").click()
    expect(page).to_have_url(re.compile(r"/videos/[0-9a-f-]+/$"))


def test_it_counts_running_videos_in_the_title_and_notifies_when_one_ends(
    playwright_browser, live_server, person, worker, slow_kie
) -> None:
    context = login_context(
        playwright_browser, live_server, person, viewport={"width": 1280, "height": 900}, permissions=["notifications"]
    )
    context.add_init_script(NOTIFICATION_STUB)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_title("Text to video · veoui")
    page.get_by_label("Prompt", exact=True).fill("A kite over a green hill")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_title("(1) Text to video · veoui", timeout=10_000)
    assert page.evaluate("window.__asked") == 1  # asked on the Generate click, not on page load
    page.wait_for_function("() => window.__notes.length === 1", timeout=45_000)
    expect(page).to_have_title("Text to video · veoui")
    generation = Generation.objects.get()
    assert generation.status == Status.SUCCEEDED
    note = page.evaluate("window.__notes[0]")
    assert note == {
        "title": "Your video is ready",
        "body": "A kite over a green hill",
        "tag": f"/videos/{generation.uuid}/",
    }

    # From the video's page: re-run and vary each make a new video with the expected settings.
    page.goto(f"/videos/{generation.uuid}/")
    expect(page.get_by_role("button", name="Copy seed")).to_have_count(1 if generation.result_seed else 0)
    screenshot(page, "generation-1280")
    page.get_by_role("button", name="Re-run (60 credits, about $0.30)").click()
    expect(page).not_to_have_url(re.compile(str(generation.uuid)))
    rerun = Generation.objects.exclude(pk=generation.pk).get()
    assert (rerun.prompt, rerun.model, rerun.seed) == (generation.prompt, generation.model, generation.seed)
    expect(page).to_have_title(re.compile(r"^\(1\) "), timeout=10_000)
    page.goto(f"/videos/{generation.uuid}/")
    page.get_by_role("button", name="Vary the seed (60 credits, about $0.30)").click()
    expect(page).to_have_url(re.compile(r"/videos/[0-9a-f-]+/$"))
    varied = Generation.objects.exclude(pk__in=[generation.pk, rerun.pk]).get()
    assert varied.prompt == generation.prompt and varied.seed is not None and varied.seed != generation.seed
    context.close()


def test_it_fits_the_gallery_and_a_video_page_on_a_phone(phone: Page, person) -> None:
    generation = make(person, "A lighthouse at dawn, gulls circling, calm sea")
    make(person, "A failed attempt", status=Status.FAILED)
    phone.goto("/gallery/")
    expect(cards(phone)).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "gallery-390")
    phone.goto(f"/videos/{generation.uuid}/")
    expect(phone.get_by_role("button", name="Re-run (60 credits, about $0.30)")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "generation-390")


def test_it_edits_and_reruns_and_starts_from_a_frame(desktop: Page, person, worker) -> None:
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A red tram climbs a hill")
    page.get_by_label("Lite").check()
    page.get_by_text("More settings").click()
    page.get_by_label("Seed").fill("24680")
    page.get_by_label("Only me").check()
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".recent-list .gen-card[data-status=succeeded]")).to_be_visible(timeout=45_000)
    original = Generation.objects.get()
    worker.wait_for(lambda: Generation.objects.get().poster != "")

    page.goto(f"/videos/{original.uuid}/")
    page.get_by_role("link", name="Edit and re-run").click()
    expect(page.get_by_role("tab", name="Text to video")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("A red tram climbs a hill")
    expect(page.get_by_label("Lite")).to_be_checked()
    expect(page.get_by_label("Seed")).to_have_value("24680")
    expect(page.get_by_label("Only me")).to_be_checked()
    page.get_by_label("Prompt", exact=True).fill("A blue tram climbs a hill at night")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".recent-list .gen-card")).to_have_count(2)
    edited = Generation.objects.exclude(pk=original.pk).get()
    assert (edited.prompt, edited.model, edited.seed, edited.visibility) == (
        "A blue tram climbs a hill at night",
        "veo3_lite",
        24680,
        "private",
    )

    page.goto(f"/videos/{original.uuid}/")
    page.get_by_role("link", name="Use its frame as a first frame").click()
    expect(page.get_by_role("tab", name="First and last frames")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".thumb")).to_have_count(1)
    page.get_by_label("Prompt", exact=True).fill("The tram drives away")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".recent-list .gen-card")).to_have_count(3)
    framed = Generation.objects.get(prompt="The tram drives away")
    image = framed.images.get()
    assert image.role == "first" and image.file and image.file.read() == original.poster.read()
    screenshot(page, "studio-from-frame-1280")


def test_it_makes_three_variations_with_three_seeds_and_multiplies_the_cost(desktop: Page) -> None:
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Three paper cranes take off")
    expect(page.locator("[data-cost-credits]")).to_contain_text("60 credits (about $0.30)")
    page.get_by_text("More settings").click()
    page.get_by_label("How many").select_option("3")
    expect(page.locator("[data-cost-credits]")).to_contain_text("180 credits (about $0.90)")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".recent-list .gen-card")).to_have_count(3)
    made = list(Generation.objects.order_by("pk"))
    assert len(made) == 3 and len({g.seed for g in made}) == 3 and len({g.group for g in made}) == 1
    expect(page.locator(".recent-list .gen-card[data-status=succeeded]")).to_have_count(3, timeout=45_000)
