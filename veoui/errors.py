"""veoui's answer when a page can't be shown; the pages themselves are templates/400.html, 403, 404 and 500."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# A video's page, file or version: the link may be right and the video deleted or kept private by its owner.
VIDEO_ROUTES = ("generation", "rendition")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404, except that a video's link says the video is not available rather than that nothing is there."""
    match = request.resolver_match
    is_video = bool(match and match.url_name and match.url_name.startswith(VIDEO_ROUTES))
    return render(request, "404.html", {"is_video": is_video}, status=404)
