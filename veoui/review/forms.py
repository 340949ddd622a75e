from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from veoui.review.models import Comment

MAX_SECONDS = 99999  # what the moment's column holds; far longer than any video


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=Comment.text.field.max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write your comment first."),
            "max_length": _("A comment can be at most %(limit_value)d characters long (this one has %(show_value)d)."),
        },
    )
    at_moment = forms.BooleanField(label=_("At this moment"), required=False)
    at_seconds = forms.DecimalField(
        label=_("Second of the video"),
        required=False,
        min_value=0,
        max_value=MAX_SECONDS,
        error_messages={"invalid": _("Give the moment in seconds, such as 12 or 12.5.")},
    )

    def clean_at_seconds(self) -> Decimal | None:
        seconds = self.cleaned_data["at_seconds"]
        return None if seconds is None else seconds.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("at_moment") and data.get("at_seconds") is None and "at_seconds" not in self.errors:
            self.add_error("at_seconds", _("Give the second of the video, or untick “At this moment”."))
        return data

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)

    @property
    def moment(self) -> Decimal | None:
        return self.cleaned_data["at_seconds"] if self.cleaned_data.get("at_moment") else None
