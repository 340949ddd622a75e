from django.urls import path

from veoui.sharing import views

V = "s/<str:token>/videos/<uuid:public_id>/"
S = "s/<str:token>/scenes/<uuid:public_id>/"
VIDEO = {"kind": "video"}
SCENE = {"kind": "scene"}

urlpatterns = [
    path("share/new/", views.share_new, name="share_new"),
    path("share/links/", views.share_links, name="share_links"),
    path("share/<int:pk>/", views.share_link, name="share_link"),
    path("share/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    # What someone outside the team opens: no login, the link's token in every address.
    path("s/<str:token>/", views.share, name="share"),
    path(V + "video.mp4", views.share_file, VIDEO | {"what": "video"}, name="share_video"),
    path(V + "poster.jpg", views.share_file, VIDEO | {"what": "poster"}, name="share_video_poster"),
    path(V + "download/", views.share_file, VIDEO | {"what": "download"}, name="share_video_download"),
    path(V + "comments/", views.share_comment, VIDEO, name="share_video_comment"),
    path(V + "review/", views.share_review, VIDEO, name="share_video_review"),
    path(S + "video.mp4", views.share_file, SCENE | {"what": "video"}, name="share_scene_video"),
    path(S + "poster.jpg", views.share_file, SCENE | {"what": "poster"}, name="share_scene_poster"),
    path(S + "download/", views.share_file, SCENE | {"what": "download"}, name="share_scene_download"),
    path(S + "comments/", views.share_comment, SCENE, name="share_scene_comment"),
    path(S + "review/", views.share_review, SCENE, name="share_scene_review"),
]
