from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veoui.review.forms import CommentForm
from veoui.review.models import Comment, ReviewState
from veoui.sharing.models import DEFAULT_DAYS, MAX_DAYS


class ShareForm(forms.Form):
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        initial=DEFAULT_DAYS,
        min_value=1,
        max_value=MAX_DAYS,
        error_messages={
            "required": _("Give the number of days the link works, from 1 to %(max)d.") % {"max": MAX_DAYS},
            "invalid": _("Give the number of days as a whole number, such as 14."),
            "min_value": _("A link works for at least 1 day."),
            "max_value": _("A link works for at most %(limit_value)s days."),
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DAYS}),
    )
    allow_download = forms.BooleanField(label=_("Allow download"), required=False)
    hide_prompt = forms.BooleanField(label=_("Hide the prompt"), required=False)
    show_names = forms.BooleanField(label=_("Show names"), required=False)
    allow_approve = forms.BooleanField(label=_("Let them approve"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "share-%s")
        super().__init__(*args, **kwargs)


NAME_REQUIRED = _("Give your name first, so the team knows who wrote this.")


class GuestCommentForm(CommentForm):
    """A comment by someone outside the team: their name first."""

    guest_name = forms.CharField(
        label=_("Your name"),
        max_length=Comment.guest_name.field.max_length,
        error_messages={"required": NAME_REQUIRED},
    )
    field_order = ["guest_name", "text", "at_moment", "at_seconds"]

    def clean_guest_name(self) -> str:
        return " ".join(self.cleaned_data["guest_name"].split())


GUEST_STATES = [ReviewState.IN_REVIEW, ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED]


class GuestReviewForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Your name"),
        max_length=Comment.guest_name.field.max_length,
        error_messages={"required": NAME_REQUIRED},
    )
    state = forms.ChoiceField(choices=[(s.value, s.label) for s in GUEST_STATES])

    def clean_guest_name(self) -> str:
        return " ".join(self.cleaned_data["guest_name"].split())
