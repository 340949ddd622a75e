from django.urls import path

from veoui.studio import callbacks, views

urlpatterns = [
    path("studio/<slug:mode_slug>/", views.studio, name="studio"),
    path("videos/<uuid:public_id>/", views.generation_detail, name="generation"),
    path("videos/<uuid:public_id>/status/", views.generation_status, name="generation_status"),
    path("videos/<uuid:public_id>/video.mp4", views.generation_file, {"kind": "video"}, name="generation_video"),
    path("videos/<uuid:public_id>/poster.jpg", views.generation_file, {"kind": "poster"}, name="generation_poster"),
    path("videos/<uuid:public_id>/download/", views.generation_file, {"kind": "download"}, name="generation_download"),
    path("videos/<uuid:public_id>/inputs/<int:position>/", views.input_image, name="input_image"),
    path("videos/<uuid:public_id>/resubmit/", views.generation_resubmit, name="generation_resubmit"),
    path("videos/<uuid:public_id>/dismiss/", views.generation_dismiss, name="generation_dismiss"),
    path("hooks/kie/<uuid:public_id>/<str:token>/", callbacks.kie_callback, name="kie_callback"),
]
