from django.conf import settings
from django.http import HttpRequest

from veoui import __version__


def veoui(request: HttpRequest) -> dict:
    return {"demo_mode": settings.DEMO_MODE, "veoui_version": __version__}
