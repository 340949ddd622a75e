from django.urls import path

from veoui.scenes import export_views as views

urlpatterns = [
    path("scenes/<uuid:public_id>/exports/", views.scene_exports, name="scene_exports"),
    path("scenes/<uuid:public_id>/export/", views.scene_export, name="scene_export"),
    path(
        "scenes/exports/<uuid:public_id>/video.mp4",
        views.scene_export_file,
        {"kind": "video"},
        name="scene_export_video",
    ),
    path(
        "scenes/exports/<uuid:public_id>/preview.gif", views.scene_export_file, {"kind": "gif"}, name="scene_export_gif"
    ),
    path(
        "scenes/exports/<uuid:public_id>/still.jpg",
        views.scene_export_file,
        {"kind": "still"},
        name="scene_export_still",
    ),
    path(
        "scenes/exports/<uuid:public_id>/download/",
        views.scene_export_file,
        {"kind": "download"},
        name="scene_export_download",
    ),
    path("scenes/exports/<uuid:public_id>/cancel/", views.scene_export_cancel, name="scene_export_cancel"),
    path("scenes/exports/<uuid:public_id>/formats/", views.scene_export_format, name="scene_export_format"),
]
