"""Two guards around the views: login throttling, and a temporary password that must be changed first."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from veoui.team import throttle
from veoui.team.models import Membership

LOGIN_VIEWS = {"login", "admin:login"}
# What someone with a temporary password may still reach: the page to change it, and the way out.
ALLOWED_BEFORE_CHANGE = {"password_change", "logout", "admin:logout", "set_language"}


class TeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, args: tuple, kwargs: dict) -> HttpResponse | None:
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if request.method == "POST" and view_name in LOGIN_VIEWS:
            return self.refuse_if_throttled(request)
        if view_name not in ALLOWED_BEFORE_CHANGE and must_change_password(request):
            target = reverse("password_change")
            return HttpResponseClientRedirect(target) if request.headers.get("HX-Request") else redirect(target)
        return None

    def refuse_if_throttled(self, request: HttpRequest) -> HttpResponse | None:
        username = request.POST.get("username", "")
        message = throttle.refusal(username, throttle.client_ip(request))
        if message is None:
            return None
        form = AuthenticationForm(request, initial={"username": username})
        context = {"form": form, "next": request.POST.get("next", ""), "throttled": message}
        return render(request, "registration/login.html", context, status=429)


def must_change_password(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    membership = Membership.of(user)  # read with the person, fresh on every request
    return membership is not None and membership.must_change_password
