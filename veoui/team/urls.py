from django.urls import path

from veoui.team import audit_log, language, views

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/invite/", views.people_invite, name="people_invite"),
    path("people/add/", views.people_add, name="people_add"),
    path("people/created/", views.people_created, name="people_created"),
    path("people/<uuid:public_id>/", views.person, name="person"),
    path("people/<uuid:public_id>/password/", views.person_password, name="person_password"),
    path("people/<uuid:public_id>/active/", views.person_active, name="person_active"),
    path("people/invites/<uuid:public_id>/cancel/", views.invite_cancel, name="invite_cancel"),
    path("usage/", views.usage, name="usage"),
    path("usage/export.csv", views.usage_csv, name="usage_csv"),
    path("team/audit/", audit_log.audit_log, name="audit_log"),
    path("team/audit/export.csv", audit_log.audit_log_csv, name="audit_log_csv"),
    path("team/settings/", views.team_settings, name="team_settings"),
    path("team/settings/prices/", views.team_prices, name="team_prices"),
    path("team/balance/refresh/", views.balance_refresh, name="balance_refresh"),
    path("join/<str:token>/", views.join, name="join"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/language/", language.set_language, name="set_language"),
]
