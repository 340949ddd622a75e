"""Favourites: the videos one person starred, shown as a pressed star on their tiles and page, and a gallery filter.

Each person's own: starring never changes what anyone else sees. The star is read as an annotation of the query
that already loads the tiles (an EXISTS per row of the page), so a page of tiles costs no query more.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from veoui.studio.models import Favourite, Generation
from veoui.studio.views import get_generation


def with_star(generations: QuerySet[Generation], person_id: int) -> QuerySet[Generation]:
    """The generations, each with ``is_favourite``: whether this person starred it."""
    return generations.annotate(is_favourite=Favourite.starred_by(person_id))


@require_POST
def generation_favourite(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Star or unstar a video this person may see: ``favourite=1`` adds it, ``0`` removes it (pressed twice, the
    same as once)."""
    generation = get_generation(request, public_id)
    if request.POST.get("favourite") == "1":
        Favourite.objects.get_or_create(person=request.user, generation=generation)
    else:
        Favourite.objects.filter(person=request.user, generation=generation).delete()
    generation.is_favourite = Favourite.objects.filter(person=request.user, generation=generation).exists()
    if request.htmx:
        small = request.POST.get("small") == "1"  # a tile's star, kept its size
        return render(request, "studio/_favourite.html", {"generation": generation, "small": small})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = generation.get_absolute_url()
    return redirect(back)
