from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from veoui.scenes.models import Scene, Shot
from veoui.scenes.shots import MIN_SHOT_SECONDS
from veoui.studio.forms import image_limits_text, inspect_image

COLOUR = r"^#[0-9a-fA-F]{6}$"


class SceneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, error_messages={"required": _("Give the scene a title.")})
    aspect_ratio = forms.ChoiceField(
        label=_("Aspect ratio"), choices=Scene.AspectRatio.choices, initial=Scene.AspectRatio.LANDSCAPE,
        widget=forms.RadioSelect,
    )  # fmt: skip
    visibility = forms.ChoiceField(
        label=_("Who sees it"), choices=Scene.Visibility.choices, initial=Scene.Visibility.TEAM,
        widget=forms.RadioSelect,
    )  # fmt: skip
    # Offered from the projects the person may see (the view passes them); any other is refused next to the field.
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=None, required=False, empty_label=_("No project"), to_field_name="uuid",
        error_messages={"invalid_choice": _("Choose one of the projects in the list, or No project.")},
    )  # fmt: skip

    def __init__(self, *args, projects: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ShotForm(forms.Form):
    """A shot's in and out points (seconds of its clip), the join after it and its sound."""

    start_seconds = forms.DecimalField(label=_("In (seconds)"), min_value=0, max_digits=7, decimal_places=3)
    end_seconds = forms.DecimalField(label=_("Out (seconds)"), min_value=0, max_digits=7, decimal_places=3)
    join = forms.ChoiceField(label=_("Then"), choices=Shot.Join.choices)
    crossfade_seconds = forms.DecimalField(
        label=_("Crossfade (seconds)"), min_value=Decimal("0.1"), max_value=Decimal(2), max_digits=3,
        decimal_places=1, initial=Decimal("0.5"), required=False,
    )  # fmt: skip
    muted = forms.BooleanField(label=_("Mute"), required=False)

    def __init__(self, *args, clip: Decimal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clip = clip
        for name in ("start_seconds", "end_seconds"):
            self.fields[name].widget.attrs.update({"step": "0.1", "max": str(clip)})

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_seconds"), data.get("end_seconds")
        if start is not None and end is not None:
            if end > self.clip:
                self.add_error(
                    "end_seconds",
                    gettext("The clip is %(n)s seconds long: end it there or earlier.") % {"n": self.clip},
                )
            elif start >= end:
                self.add_error("start_seconds", gettext("Start before the end."))
            elif end - start < MIN_SHOT_SECONDS:
                self.add_error("end_seconds", gettext("Keep at least half a second of the shot."))
        if data.get("crossfade_seconds") is None:
            data["crossfade_seconds"] = Decimal("0.5")
        return data


class EndCardForm(forms.Form):
    end_card = forms.ChoiceField(label=_("End card"), choices=Scene.EndCard.choices, required=False,
                                 widget=forms.RadioSelect)  # fmt: skip
    picture = forms.FileField(label=_("Picture"), required=False)
    text = forms.CharField(label=_("Text"), max_length=200, required=False)
    colour = forms.RegexField(
        label=_("Colour"), regex=COLOUR, initial="#000000", widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Choose a colour.")},
    )  # fmt: skip
    seconds = forms.DecimalField(
        label=_("Shown for (seconds)"), min_value=1, max_value=5, max_digits=3, decimal_places=1, initial=2,
    )  # fmt: skip

    def __init__(self, *args, has_picture: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_picture = has_picture
        self.fields["picture"].help_text = image_limits_text()

    def clean_picture(self):
        picture = self.cleaned_data.get("picture")
        if picture:
            inspect_image(picture)
        return picture

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("end_card")
        if kind == Scene.EndCard.PICTURE and not data.get("picture") and not self.has_picture:
            self.add_error("picture", gettext("Choose a picture for the end card."))
        if kind == Scene.EndCard.TEXT and not data.get("text", "").strip():
            self.add_error("text", gettext("Write the line the end card shows."))
        return data
