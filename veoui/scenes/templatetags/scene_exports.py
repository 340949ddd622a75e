"""What a scene's exports section shows to the person looking: only exports they may see, scoped here once."""

from __future__ import annotations

import uuid

from django import template

from veoui.scenes import exporting
from veoui.scenes.access import may_change
from veoui.scenes.models import Scene, SceneExport

register = template.Library()


@register.simple_tag(takes_context=True)
def scene_exports(context: template.Context, scene: Scene) -> dict:
    user = context["request"].user
    shown = exporting.shown_exports(user, scene)
    unfinished = [
        made
        for made in [*shown, *(f for export in shown for f in export.shown_formats)]
        if made.status in exporting.UNFINISHED
    ]
    shots = list(scene.shots.select_related("generation", "rendition").prefetch_related("generation__renditions"))
    return {
        "exports": shown,
        "running": bool(unfinished),
        "may_change": may_change(user, scene),
        "token": uuid.uuid4(),
        "size": dict(SceneExport.Resolution.choices)[exporting.resolution_for(shots)],
        "has_shots": bool(shots),
        "formats": [(kind, SceneExport.Kind(kind).label) for kind in exporting.FORMATS],
    }


@register.filter
def percent(fraction: float) -> int:
    return int(round(max(0.0, min(1.0, fraction or 0)) * 100))
