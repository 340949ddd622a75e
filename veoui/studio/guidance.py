"""Help for people new to making videos: what each mode does, an example prompt to try, and tips.

The example prompts are also what the demo's sample videos are made from (``samples.py``), so what a new person
sees in the gallery is exactly what "Try this" gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from veoui.studio import rules


@dataclass(frozen=True)
class ModeGuide:
    summary: Promise
    example: Promise
    try_prompt: Promise


GUIDES: dict[str, ModeGuide] = {
    rules.TEXT: ModeGuide(
        summary=_("Describe a scene in words and get an 8-second video of it, with sound. No pictures needed."),
        example=_("For example: a barista pouring a heart into a latte, close up, in warm morning light."),
        try_prompt=_(
            "A barista in a small sunny café pours a heart into a cup of latte. Close-up, the camera slowly moves in. "
            "Warm morning light. Soft café chatter and the hiss of the milk steamer."
        ),
    ),
    rules.FRAMES: ModeGuide(
        summary=_(
            "Start from your own picture: the video begins with it and brings it to life. "
            "Add a second picture and the video ends on it."
        ),
        example=_("For example: a photo of a closed gift box first, and the same box opened last."),
        try_prompt=_(
            "The scene slowly comes to life: a light breeze moves through it and the camera gently moves forward. "
            "Soft natural light. Quiet birdsong."
        ),
    ),
    rules.REFERENCE: ModeGuide(
        summary=_(
            "Show one to three pictures of a person, product or place, then describe a new scene: "
            "they appear in it, looking like your pictures."
        ),
        example=_("For example: a photo of your product, shown on a kitchen table in a short advert."),
        try_prompt=_(
            "The product from the pictures stands on a wooden kitchen table. A hand picks it up and turns it "
            "toward the camera. Bright daylight, shallow focus. Cheerful music."
        ),
    ),
}

TIPS: tuple[tuple[Promise, Promise], ...] = (
    (_("Who or what"), _("Name the subject plainly: “a golden retriever”, “a woman in a red coat”, “our blue mug”.")),
    (
        _("What happens"),
        _("One main action is enough for 8 seconds: “runs along the shore”, “opens the box and smiles”."),
    ),
    (_("Where and when"), _("Set the scene: “on a rainy street at night”, “in a bright kitchen in the morning”.")),
    (_("Camera"), _("Say how it is filmed: “close-up”, “slow pan to the left”, “seen from above”.")),
    (_("Light and style"), _("Describe the look: “golden evening light”, “soft pastel colours”, “like an old film”.")),
    (
        _("Sound"),
        _(
            "Videos come with sound. Name it (“waves and seagulls”, “upbeat music”), "
            "or give spoken words in quotes: She says: “Welcome in!”"
        ),
    ),
)


def guide_for(mode_key: str) -> ModeGuide:
    return GUIDES[mode_key]


def usual_wait(seconds: int) -> str:
    """How long a model usually takes, in the words a person would use."""
    if seconds < 60:
        return str(_("Usually ready in under a minute."))
    minutes = round(seconds / 60)
    text = ngettext("Usually ready in about %(n)d minute.", "Usually ready in about %(n)d minutes.", minutes)
    return text % {"n": minutes}
