"""The gallery: the team's videos as a grid of posters, newest first, with filters, search and pages.

Each page costs the same few queries however many videos exist: one count (read from an index alone), one page
of rows with their owners (joined) and whether the person starred them (EXISTS), and one for their finished
versions, indexed by visibility or status and creation time. Nothing per card touches the database. Search looks
for every word of the query in the prompt, folded (veoui.common.search).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from veoui.common.search import search_words
from veoui.projects.access import visible_projects
from veoui.studio import bulk, rules
from veoui.studio.favourites import with_star
from veoui.studio.models import Favourite, Generation, Rendition, Status
from veoui.studio.views import visible_generations

PAGE_SIZE = 24
NO_PROJECT = "none"


def any_of(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class GalleryFilter(forms.Form):
    whose = forms.ChoiceField(
        label=_("Whose"), required=False, choices=[("", _("Everyone's")), ("mine", _("Mine")), ("team", _("Team's"))]
    )
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=any_of([(m.key, _(m.label)) for m in rules.MODES.values()], _("Any"))
    )
    model = forms.ChoiceField(
        label=_("Model"), required=False, choices=any_of([(m.key, _(m.label)) for m in rules.MODELS.values()], _("Any"))
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=any_of(
            [("running", _("In progress")), (Status.SUCCEEDED, _("Ready")), (Status.FAILED, _("Failed"))], _("Any")
        ),
    )
    project = forms.ChoiceField(
        label=_("Project"),
        required=False,
        # Said the same way for a project that doesn't exist and one closed to this person, without echoing it.
        error_messages={"invalid_choice": _("Choose one of the projects in the list, or No project.")},
    )
    favourites = forms.BooleanField(label=_("Favourites"), required=False)
    q = forms.CharField(label=_("Search prompts"), required=False, max_length=200, widget=forms.SearchInput)

    def __init__(self, *args: object, projects: QuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # One query for the projects this person may see; the filter then uses their ids, with no join.
        self.project_ids = {}
        choices = [("", _("Any")), (NO_PROJECT, _("No project"))]
        for pk, public_id, name in projects.values_list("pk", "uuid", "name"):
            self.project_ids[str(public_id)] = pk
            choices.append((str(public_id), name))
        self.fields["project"].choices = choices

    def apply(self, generations, user):  # noqa: ANN001, ANN201 (a queryset in, a queryset out)
        self.is_valid()  # the filters that are valid apply; the others say why next to their field
        data = self.cleaned_data
        if data.get("project") == NO_PROJECT:
            generations = generations.filter(project__isnull=True)
        elif data.get("project"):
            generations = generations.filter(project_id=self.project_ids[data["project"]])
        if data.get("whose") == "mine":
            generations = generations.filter(owner=user)
        elif data.get("whose") == "team":
            generations = generations.exclude(owner=user)
        if data.get("mode"):
            generations = generations.filter(mode=data["mode"])
        if data.get("model"):
            generations = generations.filter(model=data["model"])
        if data.get("status") == "running":
            generations = generations.exclude(status__in=[Status.SUCCEEDED, Status.FAILED])
        elif data.get("status"):
            generations = generations.filter(status=data["status"])
        if data.get("favourites"):
            generations = generations.filter(Favourite.starred_by(user.pk))
        for word in search_words(data.get("q", "")):
            generations = generations.filter(search_text__contains=word)
        return generations


def as_tiles(generations: QuerySet[Generation], viewer_id: int) -> QuerySet[Generation]:
    """What a gallery tile shows, for a page of rows: owners and projects joined, the viewer's stars, versions in one
    more query."""
    generations = generations.select_related("owner", "project", "review")
    # How many variations each video's group has: a subquery evaluated for the page's rows only.
    sizes = (
        Generation.objects.filter(group=OuterRef("group"), deleted_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    generations = generations.annotate(group_size=Subquery(sizes, output_field=IntegerField()))
    generations = with_star(generations, viewer_id)  # the person's own stars: in the same query
    # The finished 1080P, 4K and extended versions, shown as badges: one more query for the whole page.
    versions = Prefetch(
        "renditions",
        queryset=Rendition.objects.filter(status=Status.SUCCEEDED).only("uuid", "kind", "status", "generation_id"),
    )
    return generations.prefetch_related(versions).order_by("-created_at", "-pk")


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    filters = GalleryFilter(request.GET, projects=visible_projects(request.user))
    generations = as_tiles(filters.apply(visible_generations(request), request.user), request.user.pk)
    page = Paginator(generations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # An empty page means "change the filters" when some are set, and "make the first video" when none are.
    filtered = any(str(request.GET.get(name, "")).strip() for name in filters.fields)
    # A filter changed in the page (htmx): only the results; going back to a page htmx no longer has: all of it.
    changed = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "filtered": filtered,
        "changed": changed,
        "zip_limit": bulk.ZIP_LIMIT,
        # Where the chosen videos can be moved: the projects the filter offers, by their ids.
        "move_to": [(value, name) for value, name in filters.fields["project"].choices if value in filters.project_ids],
    }
    response = render(request, "studio/gallery.html#results" if changed else "studio/gallery.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
