from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from veoui.projects.models import Project
from veoui.team.models import display_name


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return display_name(obj)


class ProjectForm(forms.ModelForm):
    members = PersonChoice(
        label=_("Members"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a project only its members see: who they are. Admins always see every project."),
    )

    class Meta:
        model = Project
        fields = ["name", "colour", "description", "visibility", "members", "monthly_budget"]
        widgets = {
            "colour": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"monthly_budget": _("Optional. Empty: no limit of its own.")}
        error_messages = {"name": {"required": _("Give the project a name.")}}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        )
        self.fields["monthly_budget"].widget.attrs["min"] = 0

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the project a name."))
        taken = Project.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("There is already a project called %(name)s. Choose another name."), params={"name": name}
            )
        return name

    def clean_monthly_budget(self) -> object:
        budget = self.cleaned_data.get("monthly_budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("A budget can't be below zero. Leave it empty for no limit."))
        return budget
