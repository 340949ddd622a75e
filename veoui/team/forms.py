from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from veoui.studio.models import Pricing
from veoui.team import audit
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
    """Shown beside AddPersonForm on People: each form's fields have ids of their own (invite_role, add_role)."""

    note = forms.CharField(
        label=_("Who is it for?"),
        max_length=100,
        required=False,
        help_text=_("Optional, for your own list, e.g. “Maya from design”."),
    )
    role = role_field()
    monthly_budget = budget_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, auto_id="invite_%s", **kwargs)


class AddPersonForm(forms.Form):
    username = UsernameField()
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False, help_text=_("Optional."))
    role = role_field()
    monthly_budget = budget_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, auto_id="add_%s", **kwargs)
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


# No kie.ai price comes near these: a bigger number is a typing slip (an extra zero, a dollar rate in cents).
PRICE_MAX_CREDITS = Decimal(10000)
USD_PER_CREDIT_MAX = Decimal(1)


def plain(value: Decimal) -> Decimal:
    """60 rather than 60.00, and 0.005 rather than 0.00500, in a form field."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def price_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal("0.01"),
        max_value=PRICE_MAX_CREDITS,
        decimal_places=2,
        # What the page showed comes back with the form, so only the prices the admin changed are written.
        show_hidden_initial=True,
        error_messages={
            "required": _("Enter what kie.ai charges for this, in credits."),
            "invalid": _("Enter a number of credits, like 60."),
            "min_value": _("A price must be more than 0 credits."),
            "max_value": _("That is more than kie.ai charges for anything (at most %(limit_value)s credits)."),
            "max_decimal_places": _("Use at most 2 digits after the decimal point."),
        },
    )


class PriceTableForm(forms.Form):
    """kie.ai's prices, as veoui counts them for budgets and shows them on every button that spends."""

    quality = price_field(_("Quality video (credits)"))
    fast = price_field(_("Fast video (credits)"))
    lite = price_field(_("Lite video (credits)"))
    upgrade_1080p = price_field(_("1080P version (credits)"), _("Making the 1080P version of a finished video."))
    upgrade_4k = price_field(_("4K version (credits)"), _("Making the 4K version of a finished video."))
    usd_per_credit = forms.DecimalField(
        label=_("US dollars per credit"),
        help_text=_("What one kie.ai credit costs you; veoui shows every cost in dollars with it. kie.ai: 0.005."),
        min_value=Decimal("0.00001"),
        max_value=USD_PER_CREDIT_MAX,
        decimal_places=5,
        show_hidden_initial=True,
        error_messages={
            "required": _("Enter what one credit costs, in US dollars, like 0.005."),
            "invalid": _("Enter a dollar amount, like 0.005."),
            "min_value": _("A credit must cost more than $0."),
            "max_value": _("That is more than $%(limit_value)s a credit: check the number (kie.ai: 0.005)."),
            "max_decimal_places": _("Use at most 5 digits after the decimal point."),
        },
    )

    @classmethod
    def for_prices(cls, pricing: Pricing, data: object = None) -> PriceTableForm:
        return cls(data, initial={name: plain(getattr(pricing, name)) for name in cls.base_fields})

    def save(self, pricing: Pricing, *, by: AbstractBaseUser) -> list[str]:
        """Write the prices the admin changed, and only those: a change another admin saved meanwhile stays.

        Work already made keeps the price it was saved with (its ``estimated_credits``); only what is made from
        now on is counted at the new prices. Returns the names of the fields written.
        """
        changed = self.changed_data
        if not changed:
            return changed
        with transaction.atomic():
            now = Pricing.objects.select_for_update().filter(pk=pricing.pk).values(*changed).get()
            Pricing.objects.filter(pk=pricing.pk).update(**{name: self.cleaned_data[name] for name in changed})
            moved = {
                name: [f"{plain(now[name]):f}", f"{plain(self.cleaned_data[name]):f}"]
                for name in changed
                if now[name] != self.cleaned_data[name]
            }
            if moved:
                audit.record(audit.Kind.PRICES_CHANGED, actor=by, object_type="prices", details=moved)
        return changed


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
