"""veoui's addresses plus a constant view, the baseline every throughput figure is divided by.

It exists only under bench.settings, so no deployment of veoui can reach it.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from veoui.urls import urlpatterns as veoui_urlpatterns


@login_not_required
def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/constant/", constant), *veoui_urlpatterns]
