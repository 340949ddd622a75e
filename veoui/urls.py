from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from veoui.ops import health

# Django's own admin stays at /admin/ for superusers; admins do their work on veoui's own pages (People, Usage,
# Team settings), which the menu's "Administration" opens.
admin.site.site_header = admin.site.site_title = _("veoui administration")
admin.site.site_url = None  # "Back to the studio" in the header instead of "View site"

urlpatterns = [
    path("", include("veoui.studio.urls")),  # first: it holds the addresses asked most often (the status check)
    path("", RedirectView.as_view(pattern_name="studio", permanent=False), {"mode_slug": "text"}, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("", include("veoui.team.urls")),
    path("", include("veoui.projects.urls")),
    path("", include("veoui.review.urls")),
    path("", include("veoui.scenes.urls")),
    path("", include("veoui.scenes.export_urls")),
    path("", include("veoui.sharing.urls")),
]

handler404 = "veoui.errors.page_not_found"
