"""The language each person reads veoui in: chosen with the switcher in the header, kept on their membership.

Before login the choice lives in Django's language cookie (LocaleMiddleware reads it, then the browser's
Accept-Language). After login the person's saved choice wins on every request, on every device: it is read with
the person (veoui/team/backends.py), so the many small htmx requests of a page cost no query for it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from veoui.team.models import Membership


def supported(code: str) -> str:
    """``code`` when it is one of veoui's languages, else ""."""
    return code if code in dict(settings.LANGUAGES) else ""


class PersonLanguageMiddleware:
    """After AuthenticationMiddleware: switch to the language saved on the person, when they saved one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = saved_language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            remember_in_cookie(response, language)  # so the login page speaks it too, after logging out
        return response


def saved_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    membership = Membership.of(user)
    return supported(membership.language) if membership else ""


def language_of(user: object) -> str:
    """The language to write to ``user`` in when they are not here to ask (an email): their choice, or the default."""
    saved = Membership.objects.filter(user=user).values_list("language", flat=True).first() or ""
    return supported(saved) or settings.LANGUAGE_CODE


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language (on the person when logged in, and in a cookie) and go back to the page.

    The form names the page without its query (which may name things the page was asked about), and no page after
    a POST (it can't be fetched again); then the studio opens.
    """
    language = supported(request.POST.get("language", ""))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if not language:
        return response
    if request.user.is_authenticated:
        Membership.for_user(request.user)
        Membership.objects.filter(user=request.user).update(language=language)
    remember_in_cookie(response, language)
    return response


def remember_in_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
