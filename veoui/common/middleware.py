"""veoui's own middleware: requests larger than VEOUI_REQUEST_MAX_MB refused before anything reads their body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
