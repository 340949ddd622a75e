from django.urls import path

from veoui.projects import views

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/move/", views.projects_move, name="projects_move"),
    path("projects/<uuid:public_id>/", views.project_detail, name="project"),
    path("projects/<uuid:public_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<uuid:public_id>/delete/", views.project_delete, name="project_delete"),
]
