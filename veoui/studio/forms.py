"""The generation form: the same rules table as the browser and the simulator, plus checks only a server can do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from veoui.common import addresses
from veoui.studio import rules

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_MIN_SIDE = 256
IMAGE_MAX_SIDE = 4096
# Why a picture is refused, in the server's checks and in the browser's (which get them through client_labels).
PICTURE_REFUSALS = {
    "notPicture": _("This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image."),
    "tooLarge": _("This picture is larger than %(mb)d MB. Save it smaller and add it again."),
    "tooManyPixels": _("This picture is %(w)d×%(h)d pixels; the most kie.ai takes is %(max)d on each side."),
    "tooFewPixels": _("This picture is only %(w)d×%(h)d pixels; use one at least %(min)d on each side."),
}


@dataclass
class ImageInput:
    """One picture of the form, in order: an uploaded file or a pasted address."""

    position: int
    file: UploadedFile | None = None
    url: str = ""
    width: int | None = None
    height: int | None = None


def image_limits_text() -> str:
    return gettext("JPEG, PNG or WebP, up to %(mb)d MB, between %(min)d and %(max)d pixels on each side.") % {
        "mb": settings.VEOUI_UPLOAD_MAX_MB,
        "min": IMAGE_MIN_SIDE,
        "max": IMAGE_MAX_SIDE,
    }


def translated(params: dict) -> dict:
    """A rule's message parameters in the reader's language (model names are marked in the rules table)."""
    return {key: gettext(value) if isinstance(value, str) else value for key, value in params.items()}


def inspect_image(upload: UploadedFile) -> tuple[int, int]:
    """Decode the picture to prove it is one; returns its size or raises ValidationError in plain words."""
    max_bytes = settings.VEOUI_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size > max_bytes:
        raise forms.ValidationError(PICTURE_REFUSALS["tooLarge"] % {"mb": settings.VEOUI_UPLOAD_MAX_MB})
    not_a_picture = forms.ValidationError(str(PICTURE_REFUSALS["notPicture"]))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise not_a_picture
            width, height = image.size
            # Checked before decoding the pixels, so a small file claiming a huge size can't exhaust memory.
            if max(width, height) > IMAGE_MAX_SIDE:
                raise forms.ValidationError(
                    PICTURE_REFUSALS["tooManyPixels"] % {"w": width, "h": height, "max": IMAGE_MAX_SIDE}
                )
            if min(width, height) < IMAGE_MIN_SIDE:
                raise forms.ValidationError(
                    PICTURE_REFUSALS["tooFewPixels"] % {"w": width, "h": height, "min": IMAGE_MIN_SIDE}
                )
            image.load()
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise not_a_picture from None
    finally:
        upload.seek(0)
    return width, height


class GenerationForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    prompt = forms.CharField(
        label=_("Prompt"),
        max_length=rules.PROMPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Describe the video you want: what happens, where, and how it looks."),
            "max_length": _("Keep the prompt under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    model = forms.ChoiceField(label=_("Model"), choices=[(m.key, _(m.label)) for m in rules.MODELS.values()])
    aspect_ratio = forms.ChoiceField(label=_("Aspect ratio"), choices=[(r, r) for r in rules.ASPECT_RATIOS])
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        error_messages={"invalid": _("The seed must be a whole number from 10000 to 99999, or left empty.")},
    )
    watermark = forms.CharField(
        label=_("Watermark"),
        required=False,
        max_length=rules.WATERMARK_MAX_LENGTH,
        error_messages={"max_length": _("Keep the watermark under %(limit_value)d characters.")},
    )
    enable_translation = forms.BooleanField(label=_("Translate prompt to English"), required=False, initial=True)
    count = forms.TypedChoiceField(
        label=_("How many"),
        choices=[(n, str(n)) for n in range(1, rules.MAX_VARIATIONS + 1)],
        coerce=int,
        required=False,
        initial=1,
        empty_value=1,
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=[("team", _("Team")), ("private", _("Only me"))], required=False, initial="team"
    )
    # Offered from the projects the person may see (the view passes them); any other is refused next to the field.
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=None,
        required=False,
        empty_label=_("No project"),
        to_field_name="uuid",
        error_messages={"invalid_choice": _("Choose one of the projects in the list, or No project.")},
    )

    def __init__(self, *args: object, mode: str, projects: QuerySet | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mode = rules.MODES[mode]
        self.fields["project"].queryset = (
            projects if projects is not None else apps.get_model("projects", "Project").objects.none()
        )
        self.images: list[ImageInput] = []
        self.given_count = 0
        self.fields["model"].initial = rules.FAST
        self.fields["aspect_ratio"].initial = rules.LANDSCAPE
        self.fields["aspect_ratio"].choices = [(r, r) for r in self.mode.aspect_ratios]
        self.fields["model"].error_messages["invalid_choice"] = gettext(rules.MESSAGES["unknown_model"])
        self.fields["aspect_ratio"].error_messages["invalid_choice"] = gettext(
            rules.MESSAGES["aspect_ratio_not_in_mode"]
            if self.mode.key == rules.REFERENCE
            else rules.MESSAGES["auto_needs_image"]
        )
        for slot in range(1, self.mode.max_images + 1):
            self.fields[f"image_{slot}"] = forms.FileField(required=False, label=_("Picture %d") % slot)
            self.fields[f"image_url_{slot}"] = forms.URLField(
                required=False,
                max_length=2000,
                assume_scheme="https",
                label=_("Picture %d address") % slot,
                error_messages={"invalid": _("That isn't a web address. It should start with https://")},
            )
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
            self.initial.setdefault("enable_translation", True)
            self.initial.setdefault("visibility", "team")

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or "team"

    def clean_prompt(self) -> str:
        prompt = " ".join(self.cleaned_data["prompt"].split())
        if not prompt:
            raise forms.ValidationError(self.fields["prompt"].error_messages["required"])
        if any(ord(ch) < 32 for ch in prompt):
            raise forms.ValidationError(gettext("The prompt contains characters that can't be sent. Retype it."))
        return prompt

    def clean_watermark(self) -> str:
        watermark = " ".join(self.cleaned_data["watermark"].split())
        if any(ord(ch) < 32 for ch in watermark):
            raise forms.ValidationError(gettext("The watermark contains characters that can't be sent."))
        return watermark

    def clean(self) -> dict:
        data = super().clean()
        self.images = self._clean_images()
        seed = data.get("seed")
        violations = rules.check(
            self.mode.key,
            data.get("model", rules.FAST),
            data.get("aspect_ratio", rules.LANDSCAPE),
            self.given_count,
            seed,
        )
        for violation in violations:
            field = violation.field if violation.field in self.fields else "images"
            if field in {"model", "aspect_ratio"} and field not in data:
                continue  # already explained by the field's own check
            self.add_error(
                None if field == "images" else field,
                forms.ValidationError(
                    gettext(rules.MESSAGES[violation.code]) % translated(violation.params), code=field
                ),
            )
        return data

    def _clean_images(self) -> list[ImageInput]:
        images: list[ImageInput] = []
        # Pictures given, usable or not: a bad picture is explained on its own, not as a missing one.
        self.given_count = 0
        for slot in range(1, self.mode.max_images + 1):
            upload = self.cleaned_data.get(f"image_{slot}")
            url = self.cleaned_data.get(f"image_url_{slot}") or ""
            if upload or url or f"image_{slot}" in self.errors or f"image_url_{slot}" in self.errors:
                self.given_count += 1
            if upload and url:
                self.add_error(f"image_url_{slot}", gettext("Use either a file or an address for this picture."))
                continue
            if upload:
                try:
                    width, height = inspect_image(upload)
                except forms.ValidationError as error:
                    self.add_error(f"image_{slot}", error)
                    continue
                images.append(ImageInput(len(images), file=upload, width=width, height=height))
            elif url:
                if not url.lower().startswith(("http://", "https://")):
                    self.add_error(
                        f"image_url_{slot}", gettext("That isn't a web address. It should start with https://")
                    )
                    continue
                if refusal := refuse_private_address(url):
                    self.add_error(f"image_url_{slot}", refusal)
                    continue
                images.append(ImageInput(len(images), url=url))
        return images

    @property
    def general_errors(self) -> list[str]:
        messages = [e.message % (e.params or {}) for e in self.non_field_errors().as_data() if e.code != "images"]
        if "submission_token" in self.errors:
            messages.append(gettext("This form has expired. Reload the page, check your settings and try again."))
        return messages

    @property
    def image_errors(self) -> list[str]:
        """Every message about the pictures (how many, and each one's problem), shown next to Images.

        A refused picture is named too: its file is no longer in the form when the page comes back.
        """
        messages = [e.message % (e.params or {}) for e in self.non_field_errors().as_data() if e.code == "images"]
        for slot in self.refused_slots:
            name = self.picture_name(slot)
            for field in (f"image_{slot}", f"image_url_{slot}"):
                for error in self.errors.get(field, []):
                    message = gettext("Picture %(n)d: %(error)s") % {"n": slot, "error": error}
                    if name:
                        # Translators: why a picture was refused, then its file name or web address.
                        message = gettext("%(message)s (%(name)s)") % {"message": message, "name": name}
                    messages.append(message)
        return messages

    @property
    def refused_slots(self) -> list[int]:
        """The picture slots the server refused (the page drops those pictures and keeps the others)."""
        return [
            slot
            for slot in range(1, self.mode.max_images + 1)
            if f"image_{slot}" in self.errors or f"image_url_{slot}" in self.errors
        ]

    def picture_name(self, slot: int) -> str:
        upload = self.files.get(f"image_{slot}")
        return Truncator(getattr(upload, "name", "") or self.data.get(f"image_url_{slot}", "")).chars(60)


class RenditionForm(forms.Form):
    """The member's confirmed request for a 1080P or 4K version or an extension, with the offers shown."""

    kind = forms.ChoiceField(choices=[(kind, kind) for kind in ("1080p", "4k", "extend")])  # checked, never shown
    request_token = forms.UUIDField()
    prompt = forms.CharField(required=False, max_length=rules.PROMPT_MAX_LENGTH)
    model = forms.ChoiceField(required=False, choices=[(m, m) for m in rules.MODELS])

    def __init__(self, *args: object, orderable: set[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.orderable = orderable

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind and kind not in self.orderable:
            raise forms.ValidationError(gettext("That isn't available for this video any more."))
        if kind == "extend":
            prompt = " ".join((data.get("prompt") or "").split())
            if not prompt:
                self.add_error("prompt", gettext("Describe what happens next in the video."))
            if not data.get("model"):
                data["model"] = rules.FAST
            data["prompt"] = prompt
        return data


def picture_hosts() -> list[str]:
    """Hosts a picture address may name although they are on a private network."""
    allowed = list(settings.VEOUI_ALLOWED_IMAGE_HOSTS)
    if settings.DEMO_MODE:
        allowed.append(addresses.host_of(settings.KIE_API_BASE_URL))
    return allowed


def refuse_private_address(url: str) -> str:
    """A plain refusal when a pasted address points into a private network, else "".

    veoui never fetches these addresses itself; kie.ai does. Refusing private, loopback and link-local targets
    keeps the form from being used to point a fetcher at this server's own network (the simulator's address in
    demo mode and VEOUI_ALLOWED_IMAGE_HOSTS aside). A name that does not exist here is left to kie.ai; one whose
    lookup fails or takes too long is refused, since it might be private.
    """
    try:
        addresses.check(url, allowed=picture_hosts(), timeout=settings.VEOUI_NAME_LOOKUP_TIMEOUT)
    except addresses.NotAnAddress:
        return gettext("That isn't a web address. It should start with https://")
    except addresses.NameNotFound:
        return ""
    except addresses.LookupFailed:
        return gettext("veoui couldn't check this address in time. Try again in a moment, or upload the file.")
    except addresses.PrivateAddress:
        return gettext("kie.ai can't reach pictures on a private network. Use a public address or upload the file.")
    return ""
