"""veoui's answer when a page can't be shown; the pages themselves are templates/400.html, 403, 404 and 500."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# A video's page, file or version: the link may be right and the video deleted or kept private by its owner.
VIDEO_ROUTES = ("generation", "rendition")
# A project's page: the same for one that was deleted and one only its members see (nothing says which).
PROJECT_ROUTES = ("project", "project_edit", "project_delete")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404, except that a video's or a project's link says it is not available rather than that nothing is
    there."""
    match = request.resolver_match
    is_video = bool(match and match.url_name and match.url_name.startswith(VIDEO_ROUTES))
    is_project = bool(match and match.url_name in PROJECT_ROUTES)
    return render(request, "404.html", {"is_video": is_video, "is_project": is_project}, status=404)
