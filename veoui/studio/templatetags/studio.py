import json
from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

SECONDS = gettext_noop("%(s)d s")
MINUTES_SECONDS = gettext_noop("%(m)d min %(s)d s")


@register.filter
def timedelta_short(value: timedelta) -> str:
    """'45 s', '3 min 5 s': elapsed time the way a person says it."""
    seconds = max(0, int(value.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return _(SECONDS) % {"s": seconds}
    return _(MINUTES_SECONDS) % {"m": minutes, "s": seconds}


@register.simple_tag
def elapsed_formats() -> str:
    """timedelta_short's wording and the card's "… so far", for static/js/veoui.js to count on between checks."""
    return json.dumps({"s": _(SECONDS), "ms": _(MINUTES_SECONDS), "sofar": _("%(t)s so far")})
