from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from veoui.studio import renditions, rules, services
from veoui.studio.forms import GenerationForm, RenditionForm, image_limits_text
from veoui.studio.media import serve_file
from veoui.studio.models import Generation, Pricing, Rendition
from veoui.team import budgets

MODES_BY_SLUG = {mode.slug: mode for mode in rules.MODES.values()}
RECENT_COUNT = 6


def get_generation(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Generation:
    """The generation if this person may see it (404 otherwise); 403 when they may see but not change it."""
    generations = Generation.objects.select_related("owner")
    if not request.user.is_staff:
        generations = generations.filter(Q(owner=request.user) | Q(visibility=Generation.Visibility.TEAM))
    generation = get_object_or_404(generations, uuid=public_id)
    if change and generation.owner_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied
    return generation


def studio_context(request: HttpRequest, form: GenerationForm) -> dict:
    pricing = Pricing.current()
    recent = Generation.objects.filter(owner=request.user).prefetch_related("images")[:RECENT_COUNT]
    return {
        "form": form,
        "mode": form.mode,
        "modes": list(rules.MODES.values()),
        "models": [
            {"rule": m, "credits": pricing.for_model(m.key), "usd": pricing.usd(pricing.for_model(m.key))}
            for m in rules.MODELS.values()
        ],
        "rules_json": rules.as_json(),
        "client_config": {
            "rules": rules.as_json(),
            "pricing": pricing.as_json(),
            "uploadMaxBytes": settings.VEOUI_UPLOAD_MAX_MB * 1024 * 1024,
            "labels": client_labels(),
        },
        "image_limits": image_limits_text(),
        "recent": recent,
    }


def client_labels() -> dict:
    return {
        "first": _("First frame"),
        "last": _("Last frame"),
        "reference": _("Reference %(n)s"),
        "remove": _("Remove"),
        "moveUp": _("Move earlier"),
        "moveDown": _("Move later"),
        "credits": _("%(credits)s credits (about $%(usd)s)"),
        "promptRequired": _("Describe the video you want: what happens, where, and how it looks."),
        "tooFew": _("Add at least %(min)s picture."),
        "tooMany": _("Use at most %(max)s pictures here: remove %(extra)s."),
        "noImages": _("Text to video uses no pictures. Remove them or pick another tab."),
        "notPicture": _("This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image."),
        "tooLarge": _("This picture is larger than %(mb)s MB. Save it smaller and add it again."),
        "seedRange": _("The seed must be a whole number from 10000 to 99999, or left empty."),
        "watermarkLong": _("Keep the watermark under %(max)s characters."),
        "badUrl": _("That isn't a web address. It should start with https://"),
        "autoWide": _("Your first picture is closer to 16:9 (wide): kie.ai will crop it to that."),
        "autoTall": _("Your first picture is closer to 9:16 (tall): kie.ai will crop it to that."),
        "modelNotInMode": _("%(model)s can't use reference images. Choose Fast or Lite."),
        "charsLeft": _("%(n)s characters left"),
    }


def studio(request: HttpRequest, mode_slug: str = "text") -> HttpResponse:
    mode = MODES_BY_SLUG.get(mode_slug)
    if mode is None:
        raise Http404
    if request.method != "POST":
        form = GenerationForm(mode=mode.key)
        return render(request, "studio/studio.html", studio_context(request, form))

    form = GenerationForm(request.POST, request.FILES, mode=mode.key)
    if not form.is_valid():
        response = render(
            request, "studio/studio.html#form" if request.htmx else "studio/studio.html", studio_context(request, form)
        )
        return retarget(reswap(response, "outerHTML"), "#generate-form") if request.htmx else response
    try:
        generation, created = services.create_generation(
            owner=request.user, mode=mode.key, data=form.cleaned_data, images=form.images
        )
    except services.DuplicateTokenError:
        messages.error(request, _("This form was already used. It has been reset: check it and press Generate."))
        return redirect("studio", mode_slug=mode.slug)
    except budgets.OverBudget as refusal:
        # Shown next to the Generate button; nothing was saved, so the same form can be sent again later.
        context = {**studio_context(request, form), "over_budget": refusal.message}
        response = render(request, "studio/studio.html#form" if request.htmx else "studio/studio.html", context)
        return retarget(reswap(response, "outerHTML"), "#generate-form") if request.htmx else response
    if not request.htmx:
        return redirect("generation", public_id=generation.uuid)
    fresh = GenerationForm(mode=mode.key)
    response = render(
        request, "studio/studio_submitted.html", {"generation": generation, "created": created, "form": fresh}
    )
    return response if created else reswap(response, "none")


def detail_context(generation: Generation) -> dict:
    return {
        "generation": generation,
        "pricing": Pricing.current(),
        "offers": renditions.offers(generation),
        "renditions": generation.renditions.all(),
        "offer_token": uuid.uuid4(),
    }


@require_GET
def generation_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    return render(request, "studio/generation.html", detail_context(generation))


@require_GET
def generation_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    # Reads the database only: kie.ai is never called for a page view, however many people watch.
    generation = get_generation(request, public_id)
    return render(request, "studio/generation.html#status", {"generation": generation})


@require_GET
def generation_file(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    generation = get_generation(request, public_id)
    if kind == "poster":
        return serve_file(request, generation.poster.name)
    download = f"veoui-{generation.uuid.hex[:8]}.mp4" if kind == "download" else None
    return serve_file(request, generation.video.name, download_name=download)


@require_GET
def input_image(request: HttpRequest, public_id: uuid.UUID, position: int) -> HttpResponse:
    generation = get_generation(request, public_id)
    image = get_object_or_404(generation.images, position=position)
    return serve_file(request, image.file.name)


@require_POST
def generation_resubmit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    services.resubmit(generation)
    return status_or_redirect(request, generation)


@require_POST
def generation_dismiss(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    services.dismiss(generation)
    return status_or_redirect(request, generation)


@require_POST
def generation_archive(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    services.retry_archive_now(generation, "archive_generation", generation_id=generation.pk)
    messages.info(request, _("veoui is trying to save the video again. This page updates by itself."))
    return redirect("generation", public_id=generation.uuid)


@require_POST
def generation_retry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Try again after a failure: a new generation with the same settings, so it costs again (the button says so)."""
    generation = get_generation(request, public_id, change=True)
    data = {
        "submission_token": request.POST.get("submission_token") or uuid.uuid4(),
        "model": generation.model,
        "prompt": generation.prompt,
        "aspect_ratio": generation.aspect_ratio,
        "seed": generation.seed,
        "watermark": generation.watermark,
        "enable_translation": generation.enable_translation,
    }
    try:
        data["submission_token"] = uuid.UUID(str(data["submission_token"]))
        new, _created = services.create_generation(
            owner=request.user, mode=generation.mode, data=data, images=services.reuse_images(generation)
        )
    except (ValueError, services.DuplicateTokenError):
        return redirect("generation", public_id=generation.uuid)
    except budgets.OverBudget as refusal:
        messages.error(request, refusal.message)
        return redirect("generation", public_id=generation.uuid)
    return redirect("generation", public_id=new.uuid)


@require_POST
def rendition_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    offers = renditions.offers(generation)
    form = RenditionForm(request.POST, offers=offers)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("generation", public_id=generation.uuid)
    try:
        rendition, _created = renditions.create_rendition(
            owner=request.user,
            generation=generation,
            kind=form.cleaned_data["kind"],
            token=form.cleaned_data["request_token"],
            prompt=form.cleaned_data.get("prompt", ""),
            model=form.cleaned_data.get("model", ""),
        )
    except budgets.OverBudget as refusal:
        messages.error(request, refusal.message)
        return redirect("generation", public_id=generation.uuid)
    return redirect(f"{generation.get_absolute_url()}#rendition-{rendition.uuid}")


def get_rendition(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Rendition:
    rendition = get_object_or_404(Rendition.objects.select_related("generation"), uuid=public_id)
    get_generation(request, rendition.generation.uuid, change=change)  # the same rules as its generation
    return rendition


@require_GET
def rendition_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    rendition = get_rendition(request, public_id)
    return render(request, "studio/generation.html#rendition", {"rendition": rendition})


@require_GET
def rendition_file(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    rendition = get_rendition(request, public_id)
    if kind == "poster":
        return serve_file(request, rendition.poster.name)
    download = f"veoui-{rendition.generation.uuid.hex[:8]}-{rendition.kind}.mp4" if kind == "download" else None
    return serve_file(request, rendition.video.name, download_name=download)


@require_POST
def rendition_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    rendition = get_rendition(request, public_id, change=True)
    if action == "resubmit":
        renditions.resubmit(rendition)
    elif action == "dismiss":
        renditions.dismiss(rendition)
    elif action == "archive":
        services.retry_archive_now(rendition, "archive_rendition", rendition_id=rendition.pk)
    return redirect(f"{rendition.generation.get_absolute_url()}#rendition-{rendition.uuid}")


def status_or_redirect(request: HttpRequest, generation: Generation) -> HttpResponse:
    if request.htmx:
        generation.refresh_from_db()
        return render(request, "studio/generation.html#status", {"generation": generation})
    return redirect("generation", public_id=generation.uuid)
