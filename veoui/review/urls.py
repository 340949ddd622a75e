from django.urls import path

from veoui.review import views

urlpatterns = [
    path("videos/<uuid:public_id>/comments/", views.video_comment, name="video_comment"),
    path("videos/<uuid:public_id>/review/", views.video_review_state, name="video_review_state"),
    path("scenes/<uuid:public_id>/comments/", views.scene_comment, name="scene_comment"),
    path("scenes/<uuid:public_id>/review/", views.scene_review_state, name="scene_review_state"),
    path("notices/", views.notices, name="notices"),
]
