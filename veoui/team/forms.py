from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from veoui.team.models import Role, TeamSettings

BUDGET_HELP = _("In credits, for each calendar month. Leave empty for no limit.")


def budget_field(label: str = _("Monthly budget (credits)")) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=BUDGET_HELP,
        error_messages={"invalid": _("Enter a number of credits, like 500, or leave it empty.")},
    )


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text=_("Admins can add people, set budgets and see everyone's usage."),
    )


class UsernameField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            label=_("Username"),
            max_length=150,
            validators=[UnicodeUsernameValidator()],
            help_text=_("Used to log in. Letters, digits and . @ + - _ only."),
            **kwargs,
        )

    def clean(self, value: object) -> str:
        username = super().clean(value)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(gettext("Someone already has that username. Choose another one."))
        return username


class InviteForm(forms.Form):
    note = forms.CharField(
        label=_("Who is it for?"),
        max_length=100,
        required=False,
        help_text=_("Optional, for your own list, e.g. “Maya from design”."),
    )
    role = role_field()
    monthly_budget = budget_field()


class AddPersonForm(forms.Form):
    username = UsernameField()
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False, help_text=_("Optional."))
    role = role_field()
    monthly_budget = budget_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Someone else's account: the browser must not offer the admin's own saved username.
        self.fields["username"].widget.attrs.update(autocomplete="off", autocapitalize="none")


class PersonForm(forms.Form):
    role = role_field()
    monthly_budget = budget_field()


class TeamSettingsForm(forms.ModelForm):
    monthly_budget = budget_field(_("Team monthly budget (credits)"))
    low_balance_threshold = forms.DecimalField(
        label=_("Warn when kie.ai's balance is below (credits)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("Admins see a warning in the header below this balance. Leave empty for no warning."),
        error_messages={"invalid": _("Enter a number of credits, like 1000, or leave it empty.")},
    )

    class Meta:
        model = TeamSettings
        fields = ["monthly_budget", "low_balance_threshold"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_budget"].help_text = _(
            "The most the whole team may spend each calendar month, on top of each person's own budget. "
            "Leave empty for no limit."
        )


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, and not a common password."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def check_passwords(self, user: object) -> None:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("The two passwords are different. Type the same one twice."))
            return
        if first:
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class JoinForm(NewPasswordMixin):
    username = UsernameField()
    first_name = forms.CharField(
        label=_("Your name"), max_length=150, required=False, help_text=_("Optional: shown to your team.")
    )
    field_order = ["first_name", "username", "password1", "password2"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "name"
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")

    def clean(self) -> dict:
        data = super().clean()
        user = get_user_model()(username=data.get("username", ""), first_name=data.get("first_name", ""))
        self.check_passwords(user)
        return data


class ChangePasswordForm(NewPasswordMixin):
    """A new password; the current one is asked for unless it is a temporary one the person just used."""

    current = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current", "password1", "password2"]

    def __init__(self, *args: object, user: object, ask_current: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not ask_current:
            del self.fields["current"]

    def clean_current(self) -> str:
        current = self.cleaned_data["current"]
        if not self.user.check_password(current):
            raise forms.ValidationError(gettext("That isn't your current password."))
        return current

    def clean(self) -> dict:
        data = super().clean()
        self.check_passwords(self.user)
        if data.get("password1") and self.user.check_password(data["password1"]):
            self.add_error("password1", gettext("Choose a password different from the one you have now."))
        return data
