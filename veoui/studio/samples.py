"""Sample videos for a new demo workspace, so the gallery shows what veoui makes before anyone has tried it.

On the first start in demo mode, one video per mode is made from the "Try this" prompts, owned by the admin
account and shared with the team. They are ordinary generations: they go through the same form checks and the
same service layer as a person's, and the worker makes them with the simulator (demo mode spends no credits).

Each sample has a fixed submission token, and generations are never removed from the database (deleting one only
hides it), so those rows are the record that the samples were made: starting again finds them and makes nothing,
even after someone deleted the samples. Samples are only made in a workspace with no videos at all, never with a
real kie.ai key.
"""

from __future__ import annotations

import io
import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from veoui.studio import guidance, rules, services
from veoui.studio.forms import GenerationForm
from veoui.studio.models import Generation
from veoui.team import budgets

log = logging.getLogger(__name__)

ADMIN_USERNAME = "admin"
# Fixed tokens: the same sample is never made twice, whichever process or restart asks for it.
TOKEN_NAMESPACE = uuid.UUID("6f1d3c2e-8a47-4c1b-9f0e-5b7a2d9c4e10")


def sample_token(mode_key: str) -> uuid.UUID:
    return uuid.uuid5(TOKEN_NAMESPACE, f"demo-sample-{mode_key}")


def landscape_picture() -> SimpleUploadedFile:
    """A sunrise over green hills, 16:9: a first frame for "First and last frames"."""
    width, height = 1280, 720
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top, bottom = (255, 183, 120), (255, 236, 200)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    draw.ellipse([540, 250, 740, 450], fill=(255, 214, 102))
    draw.polygon([(0, 470), (300, 360), (620, 470), (960, 380), (1280, 460), (1280, 720), (0, 720)], fill=(94, 140, 97))
    draw.polygon([(0, 560), (420, 480), (860, 580), (1280, 520), (1280, 720), (0, 720)], fill=(61, 107, 72))
    return as_upload(image, "sample-sunrise.png")


def product_picture() -> SimpleUploadedFile:
    """A blue mug on a light background: the product for "Reference images"."""
    size = 1024
    image = Image.new("RGB", (size, size), (241, 236, 228))
    draw = ImageDraw.Draw(image)
    draw.ellipse([262, 760, 762, 840], fill=(214, 206, 194))
    draw.rounded_rectangle([300, 330, 680, 800], radius=40, fill=(48, 88, 178))
    draw.ellipse([300, 300, 680, 370], fill=(36, 66, 140))
    draw.ellipse([320, 312, 660, 358], fill=(92, 58, 38))
    draw.arc([620, 430, 800, 660], start=-80, end=80, fill=(48, 88, 178), width=44)
    draw.rounded_rectangle([360, 480, 620, 560], radius=12, fill=(241, 236, 228))
    return as_upload(image, "sample-mug.png")


# The pictures "Try this" brings in the picture modes, by the name in their address (views.sample_picture).
PICTURES = {"sunrise": landscape_picture, "mug": product_picture}
TRY_PICTURES = {rules.FRAMES: ["sunrise"], rules.REFERENCE: ["mug"]}


def as_upload(image: Image.Image, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def sample_request(mode_key: str) -> tuple[dict, dict]:
    """The form data and files a person would send for this mode's sample."""
    data = {
        "submission_token": str(sample_token(mode_key)),
        "prompt": str(guidance.guide_for(mode_key).try_prompt),
        "model": rules.FAST,
        "aspect_ratio": rules.LANDSCAPE,
        "enable_translation": "on",
        "count": "1",
        "visibility": Generation.Visibility.TEAM,
    }
    files = {}
    if mode_key == rules.FRAMES:
        files["image_1"] = landscape_picture()
    elif mode_key == rules.REFERENCE:
        files["image_1"] = product_picture()
    return data, files


def sample_owner() -> AbstractBaseUser | None:
    """The admin account made on the first start, if it is still there."""
    return get_user_model().objects.filter(username=ADMIN_USERNAME, is_superuser=True, is_active=True).first()


def make_samples() -> list[Generation]:
    """Queue one sample video per mode, once, in demo mode only; returns the samples made by this call."""
    if not settings.DEMO_MODE:
        return []
    owner = sample_owner()
    if owner is None:
        return []
    # Checked and made under one lock on the owner's row, so two starts at once can't both decide to make them.
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if Generation.objects.exists():
            return []
        made = []
        for mode_key in rules.MODES:
            data, files = sample_request(mode_key)
            form = GenerationForm(data, files, mode=mode_key)
            if not form.is_valid():
                log.warning("sample not made mode=%s errors=%s", mode_key, form.errors.as_json())
                continue
            try:
                generation, created = services.create_generation(
                    owner=owner, mode=mode_key, data=form.cleaned_data, images=form.images
                )
            except budgets.OverBudget:
                log.info("sample not made mode=%s: over budget", mode_key)
                continue
            if created:
                made.append(generation)
    log.info("demo samples queued count=%d", len(made))
    return made
