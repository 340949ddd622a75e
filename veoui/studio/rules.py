"""The one table of what kie.ai's Veo 3.1 API accepts.

The studio form, the browser (serialised with ``json_script``) and the simulator all read this module, so a
rule changes in one place. It follows the newest kie.ai documentation: reference images work with Fast and
Lite only, in 16:9 or 9:16; Auto aspect ratio needs an image to crop from.

Pure data and pure functions: no Django models and no settings, so the simulator can import it.
"""

from __future__ import annotations

from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks text for translation (makemessages finds it by this name) without needing Django's settings."""
    return message


TEXT = "TEXT_2_VIDEO"
FRAMES = "FIRST_AND_LAST_FRAMES_2_VIDEO"
REFERENCE = "REFERENCE_2_VIDEO"

QUALITY = "veo3"
FAST = "veo3_fast"
LITE = "veo3_lite"

LANDSCAPE = "16:9"
PORTRAIT = "9:16"
AUTO = "Auto"

SEED_MIN = 10000
SEED_MAX = 99999
MAX_VARIATIONS = 4  # "How many" videos one press of Generate may make, each with its own seed
PROMPT_MAX_LENGTH = 2000
WATERMARK_MAX_LENGTH = 40


@dataclass(frozen=True)
class Mode:
    key: str
    slug: str
    label: str
    min_images: int
    max_images: int
    roles: tuple[str, ...]
    models: tuple[str, ...]
    aspect_ratios: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    key: str
    label: str
    purpose: str
    typical_seconds: int


MODELS: dict[str, Model] = {
    QUALITY: Model(QUALITY, gettext_noop("Quality"), gettext_noop("The most detailed result, for final videos."), 180),
    FAST: Model(
        FAST, gettext_noop("Fast"), gettext_noop("Good quality at a quarter of the price; the everyday choice."), 70
    ),
    LITE: Model(LITE, gettext_noop("Lite"), gettext_noop("The cheapest, for quick drafts and trying ideas."), 50),
}

MODES: dict[str, Mode] = {
    TEXT: Mode(TEXT, "text", gettext_noop("Text to video"), 0, 0, (), (QUALITY, FAST, LITE), (LANDSCAPE, PORTRAIT)),
    FRAMES: Mode(
        FRAMES,
        "frames",
        gettext_noop("First and last frames"),
        1,
        2,
        ("first", "last"),
        (QUALITY, FAST, LITE),
        (LANDSCAPE, PORTRAIT, AUTO),
    ),
    REFERENCE: Mode(
        REFERENCE,
        "reference",
        gettext_noop("Reference images"),
        1,
        3,
        ("reference", "reference", "reference"),
        (FAST, LITE),
        (LANDSCAPE, PORTRAIT),
    ),
}

ASPECT_RATIOS = (LANDSCAPE, PORTRAIT, AUTO)

ROLE_LABELS = {
    "first": gettext_noop("First frame"),
    "last": gettext_noop("Last frame"),
    "reference": gettext_noop("Reference"),
}

# Messages are plain English marked for translation; callers translate them with gettext.
MESSAGES = {
    "unknown_mode": gettext_noop("Choose one of the three ways to make a video."),
    "unknown_model": gettext_noop("Choose Quality, Fast or Lite."),
    "model_not_in_mode": gettext_noop("%(model)s can't use reference images. Choose Fast or Lite."),
    "unknown_aspect_ratio": gettext_noop("Choose 16:9 (wide) or 9:16 (tall)."),
    "auto_needs_image": gettext_noop("Auto needs a picture to match. Choose 16:9 or 9:16."),
    "aspect_ratio_not_in_mode": gettext_noop("Reference images work in 16:9 or 9:16 only."),
    "no_images_allowed": gettext_noop("Text to video uses no pictures. Remove them or pick another tab."),
    "too_few_images": gettext_noop("Add at least %(min)d picture."),
    "too_many_images": gettext_noop("Use at most %(max)d pictures here: remove %(extra)d."),
    "seed_range": gettext_noop("The seed must be a whole number from 10000 to 99999, or left empty."),
}


@dataclass(frozen=True)
class Violation:
    field: str
    code: str
    params: dict

    @property
    def message(self) -> str:
        """The English message; the studio translates ``MESSAGES[code]`` itself."""
        return MESSAGES[self.code] % self.params


def role_for(mode_key: str, position: int, count: int) -> str:
    """The role of the image at ``position`` (0-based) when ``count`` images are given."""
    mode = MODES[mode_key]
    if mode.key == FRAMES:
        return "first" if position == 0 else "last"
    return mode.roles[position] if position < len(mode.roles) else "reference"


def check(
    mode_key: str, model_key: str, aspect_ratio: str, image_count: int, seed: int | None = None
) -> list[Violation]:
    """Every rule this combination breaks, empty when kie.ai would accept it."""
    mode = MODES.get(mode_key)
    if mode is None:
        return [Violation("mode", "unknown_mode", {})]
    problems: list[Violation] = []
    if model_key not in MODELS:
        problems.append(Violation("model", "unknown_model", {}))
    elif model_key not in mode.models:
        problems.append(Violation("model", "model_not_in_mode", {"model": MODELS[model_key].label}))
    if aspect_ratio not in ASPECT_RATIOS:
        problems.append(Violation("aspect_ratio", "unknown_aspect_ratio", {}))
    elif aspect_ratio not in mode.aspect_ratios:
        code = "auto_needs_image" if aspect_ratio == AUTO and mode.max_images == 0 else "aspect_ratio_not_in_mode"
        problems.append(Violation("aspect_ratio", code, {}))
    if mode.max_images == 0 and image_count > 0:
        problems.append(Violation("images", "no_images_allowed", {}))
    elif image_count < mode.min_images:
        problems.append(Violation("images", "too_few_images", {"min": mode.min_images}))
    elif image_count > mode.max_images:
        extra = image_count - mode.max_images
        problems.append(Violation("images", "too_many_images", {"max": mode.max_images, "extra": extra}))
    if seed is not None and not SEED_MIN <= seed <= SEED_MAX:
        problems.append(Violation("seed", "seed_range", {}))
    return problems


def closer_ratio(width: int, height: int) -> str:
    """Which of 16:9 and 9:16 kie.ai's Auto crops an image of this size to."""
    return LANDSCAPE if width >= height else PORTRAIT


def as_json() -> dict:
    """The table for the browser; messages stay in English keys for the template to translate."""
    return {
        "modes": {
            m.key: {
                "slug": m.slug,
                "minImages": m.min_images,
                "maxImages": m.max_images,
                "models": list(m.models),
                "aspectRatios": list(m.aspect_ratios),
            }
            for m in MODES.values()
        },
        "seed": {"min": SEED_MIN, "max": SEED_MAX},
        "promptMaxLength": PROMPT_MAX_LENGTH,
        "watermarkMaxLength": WATERMARK_MAX_LENGTH,
    }
