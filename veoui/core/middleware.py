"""veoui's own middleware: requests larger than VEOUI_REQUEST_MAX_MB refused before anything reads their body; a
request's objects let go as soon as its response is closed; the person found once; the messages store made only
when used."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files: this caps the whole body.

    A body without a Content-Length (chunked) is not read by Django at all, so the header is all there is to check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.VEOUI_REQUEST_MAX_MB * 1024 * 1024
        if length > limit:
            message = _("This is more than veoui accepts at once (%(mb)s MB). Use smaller pictures and try again.")
            response = HttpResponse(message % {"mb": settings.VEOUI_REQUEST_MAX_MB}, status=413)
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        return self.get_response(request)


class ReleaseRequestMiddleware:
    """Let a request's objects go as soon as its response is closed, instead of at Python's next collection.

    Django's middleware leaves every request in reference cycles: `request.user` is a lazy object whose loader
    points back at the request, and so do the messages store, the htmx details and the page's script nonce. The
    request, its session and its person could then only be freed by Python's cycle collector, whose passes hold up
    every thread of a process: under load a full pass paused a process for 25-50 ms every few seconds, the slowest
    1% of status checks. Emptying the request once the server has sent the response and closed it (nothing reads a
    request after that) breaks those cycles, and reference counting frees everything on the spot.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's handler closes the request the same way (response.close() runs these, then forgets them).
        response._resource_closers.append(request.__dict__.clear)
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the person behind the request found at once instead of behind a lazy stand-in.

    Nearly every request asks who it is (the login check does), and each of the fifteen or so uses on a status
    check went through the stand-in's slower path.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = auth_middleware.get_user(request)


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's messages ("Saved", "Deleted"), with their store made when a request first uses it.

    Most requests never add or show one (every status check, each second), yet Django's middleware makes the store,
    with a cookie signer of its own, for each: 4% of a status check's time. A store never used has nothing to save.
    """

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(partial(default_storage, request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        store = getattr(request, "_messages", None)
        if isinstance(store, SimpleLazyObject) and store._wrapped is empty:
            return response
        return super().process_response(request, response)
