from django.urls import path

from veoui.scenes import views

S = "scenes/<uuid:public_id>/"

urlpatterns = [
    path("scenes/", views.scene_list, name="scenes"),
    path("scenes/new/", views.scene_new, name="scene_new"),
    path("scenes/add/", views.add_to_scene, name="scene_add"),
    path(S, views.scene_detail, name="scene"),
    path(S + "preview/", views.scene_preview, name="scene_preview"),
    path(S + "settings/", views.scene_settings, name="scene_settings"),
    path(S + "end-card/", views.scene_end_card, name="scene_end_card"),
    path(S + "end-card.img", views.scene_end_card_picture, name="scene_end_card_picture"),
    path(S + "delete/", views.scene_delete, name="scene_delete"),
    path(S + "order/", views.shot_order, name="shot_order"),
    path(S + "shots/<int:shot_id>/", views.shot_change, name="shot_change"),
    path(S + "shots/<int:shot_id>/up/", views.shot_move, {"step": -1}, name="shot_up"),
    path(S + "shots/<int:shot_id>/down/", views.shot_move, {"step": 1}, name="shot_down"),
    path(S + "shots/<int:shot_id>/remove/", views.shot_remove, name="shot_remove"),
]
