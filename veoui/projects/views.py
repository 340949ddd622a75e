from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veoui.projects import services
from veoui.projects.access import can_change, get_project, visible_projects
from veoui.projects.forms import ProjectForm
from veoui.projects.models import Colour, Project
from veoui.scenes.access import visible_scenes
from veoui.scenes.views import listed_scenes
from veoui.studio import bulk
from veoui.studio.gallery import PAGE_SIZE, as_tiles
from veoui.studio.views import visible_generations
from veoui.team import budgets


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = list(visible_projects(request.user))
    # Grouped reads for the whole list: the videos and scenes this person sees in each, and each one's spend.
    counts = dict(
        visible_generations(request)
        .filter(project__in=[project.pk for project in projects])
        .order_by()
        .values_list("project")
        .annotate(n=Count("pk"))
    )
    scene_counts = dict(
        visible_scenes(request.user)
        .filter(project__in=[project.pk for project in projects])
        .order_by()
        .values_list("project")
        .annotate(n=Count("pk"))
    )
    start = budgets.month_start()
    spent: dict[int | None, object] = {}
    for (project_id, _user_id, _month), usage in budgets.project_usage(start, budgets.next_month(start)).items():
        spent[project_id] = spent.get(project_id, 0) + usage.credits
    for project in projects:
        project.video_count = counts.get(project.pk, 0)
        project.scene_count = scene_counts.get(project.pk, 0)
        project.spent = spent.get(project.pk, 0)
    return render(request, "projects/list.html", {"projects": projects, "month": start})


def form_context(form: ProjectForm, project: Project | None = None) -> dict:
    return {"form": form, "project": project, "colours": Colour}


@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, initial={"members": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(form.cleaned_data, by=request.user)
        except IntegrityError:
            form.add_error("name", _("There is already a project with this name. Choose another name."))
        else:
            messages.success(request, _("The project %(name)s was made.") % {"name": project.name})
            return redirect(project)
    return render(request, "projects/form.html", form_context(form))


@require_GET
def project_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    project = get_project(request.user, public_id)
    videos = as_tiles(visible_generations(request).filter(project=project), request.user.pk)
    page = Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))
    start = budgets.month_start()
    context = {
        "project": project,
        "page": page,
        "can_change": can_change(request.user, project),
        "spent": budgets.spent(since=start, until=budgets.next_month(start), project=project),
        "members": project.members.order_by("first_name", "username") if project.members_only else [],
        "scenes": listed_scenes(visible_scenes(request.user).filter(project=project)),
        # The gallery's bar for the ticked tiles: download, move (to the projects this person sees), delete.
        "zip_limit": bulk.ZIP_LIMIT,
        "move_to": [
            (str(public_id), name) for public_id, name in visible_projects(request.user).values_list("uuid", "name")
        ],
    }
    return render(request, "projects/detail.html", context)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    project = get_project(request.user, public_id, change=True)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_project(project, form.cleaned_data, by=request.user)
        except IntegrityError:
            form.add_error("name", _("There is already a project with this name. Choose another name."))
        else:
            if changed:
                messages.success(request, _("The project was saved."))
            return redirect(project)
    return render(request, "projects/form.html", form_context(form, project))


@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """GET asks first (how many videos it holds); POST deletes it, and its videos stay, in no project."""
    project = get_project(request.user, public_id, change=True)
    if request.method == "POST":
        held = services.delete_project(project, by=request.user)
        messages.success(
            request,
            ngettext(
                "The project %(name)s was deleted. Its %(count)d video stays, in no project.",
                "The project %(name)s was deleted. Its %(count)d videos stay, in no project.",
                held,
            )
            % {"name": project.name, "count": held},
        )
        return redirect("projects")
    held = project.generations.filter(deleted_at__isnull=True).count()
    scenes_held = project.scenes.filter(deleted_at__isnull=True).count()
    return render(request, "projects/delete.html", {"project": project, "held": held, "scenes_held": scenes_held})


@require_POST
def projects_move(request: HttpRequest) -> HttpResponse:
    """Move one or many videos (``videos``: their ids) to a project (``project``: its id, empty for none)."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    ids = []
    for value in request.POST.getlist("videos"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    project = None
    if request.POST.get("project"):
        try:
            project = visible_projects(request.user).filter(uuid=uuid.UUID(request.POST["project"])).first()
        except ValueError:
            project = None
        if project is None:
            messages.error(request, _("That project isn't one you can move videos to. Choose another."))
            return redirect(back or "gallery")
    moved = services.move_videos(ids, project, by=request.user)
    params = {"count": moved, "name": project.name if project else ""}
    if project is None:
        text = ngettext(
            "%(count)d video was taken out of its project.", "%(count)d videos were taken out of their projects.", moved
        )
    else:
        text = ngettext("%(count)d video was moved to %(name)s.", "%(count)d videos were moved to %(name)s.", moved)
    if moved:
        messages.success(request, text % params)
    elif ids:
        messages.info(request, _("Nothing was moved: those videos are already there, or aren't yours to move."))
    else:
        messages.error(request, _("Choose the videos to move first."))
    return redirect(back or (project.get_absolute_url() if project else "gallery"))
