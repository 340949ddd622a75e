from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from veoui.ops import health

urlpatterns = [
    path("", include("veoui.studio.urls")),  # first: it holds the addresses asked most often (the status check)
    path("", RedirectView.as_view(pattern_name="studio", permanent=False), {"mode_slug": "text"}, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("", include("veoui.team.urls")),
]
