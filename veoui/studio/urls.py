from django.urls import path

from veoui.studio import bulk, callbacks, favourites, gallery, views

urlpatterns = [
    # Looked through in order: first the status check, which every open page makes every two seconds.
    path("status/", views.status, name="status"),
    path("studio/<slug:mode_slug>/", views.studio, name="studio"),
    path("samples/<slug:name>.png", views.sample_picture, name="sample_picture"),
    path("pictures/check/", views.picture_address_check, name="picture_check"),
    path("videos/<uuid:public_id>/", views.generation_detail, name="generation"),
    path("videos/<uuid:public_id>/video.mp4", views.generation_file, {"kind": "video"}, name="generation_video"),
    path("videos/<uuid:public_id>/poster.jpg", views.generation_file, {"kind": "poster"}, name="generation_poster"),
    path("videos/<uuid:public_id>/download/", views.generation_file, {"kind": "download"}, name="generation_download"),
    path("videos/<uuid:public_id>/last-frame.png", views.generation_last_frame, name="generation_last_frame"),
    path("videos/<uuid:public_id>/frame.png", views.generation_frame, name="generation_frame"),
    path("videos/<uuid:public_id>/frame/", views.generation_frame_page, name="generation_frame_page"),
    path("videos/<uuid:public_id>/inputs/<int:position>/", views.input_image, name="input_image"),
    path("videos/<uuid:public_id>/resubmit/", views.generation_resubmit, name="generation_resubmit"),
    path("videos/<uuid:public_id>/cancel/", views.generation_cancel, name="generation_cancel"),
    path("videos/<uuid:public_id>/dismiss/", views.generation_dismiss, name="generation_dismiss"),
    path("videos/<uuid:public_id>/archive/", views.generation_archive, name="generation_archive"),
    path("videos/<uuid:public_id>/retry/", views.generation_retry, name="generation_retry"),
    path("videos/<uuid:public_id>/rerun/", views.generation_rerun, {"vary": False}, name="generation_rerun"),
    path("videos/<uuid:public_id>/vary/", views.generation_rerun, {"vary": True}, name="generation_vary"),
    path("videos/<uuid:public_id>/pick/", views.generation_pick, name="generation_pick"),
    path("videos/<uuid:public_id>/visibility/", views.generation_visibility, name="generation_visibility"),
    path("videos/<uuid:public_id>/delete/", views.generation_delete, name="generation_delete"),
    path("videos/<uuid:public_id>/favourite/", favourites.generation_favourite, name="generation_favourite"),
    path("gallery/", gallery.gallery, name="gallery"),
    path("gallery/download.zip", bulk.download_zip, name="gallery_zip"),
    path("gallery/delete/", bulk.delete_many, name="gallery_delete"),
    path("videos/<uuid:public_id>/renditions/", views.rendition_create, name="rendition_create"),
    path("renditions/<uuid:public_id>/video.mp4", views.rendition_file, {"kind": "video"}, name="rendition_video"),
    path("renditions/<uuid:public_id>/poster.jpg", views.rendition_file, {"kind": "poster"}, name="rendition_poster"),
    path(
        "renditions/<uuid:public_id>/download/", views.rendition_file, {"kind": "download"}, name="rendition_download"
    ),
    path(
        "renditions/<uuid:public_id>/resubmit/",
        views.rendition_action,
        {"action": "resubmit"},
        name="rendition_resubmit",
    ),
    path(
        "renditions/<uuid:public_id>/dismiss/", views.rendition_action, {"action": "dismiss"}, name="rendition_dismiss"
    ),
    path(
        "renditions/<uuid:public_id>/archive/", views.rendition_action, {"action": "archive"}, name="rendition_archive"
    ),
    path("hooks/kie/<uuid:public_id>/<str:token>/", callbacks.kie_callback, name="kie_callback"),
    path("hooks/kie/r/<uuid:public_id>/<str:token>/", callbacks.kie_rendition_callback, name="kie_rendition_callback"),
]
