"""Every URL of the app, for anonymous visitors, the owner, a teammate, a teammate facing a private video, and an
admin: who may see and change what, including htmx partials and media files.

The URL list comes from the resolver itself: a new URL without an entry in ``MATRIX`` fails
``test_it_has_an_entry_for_every_url``, so nobody can add a page and forget to decide who may open it.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import imageio_ffmpeg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tasks_db.models import DBTaskResult

from tests.people import make_user
from veoui.projects.models import Project
from veoui.review.models import Comment, Notice, Review
from veoui.scenes import exporting
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.sharing import services as sharing
from veoui.sharing.models import ShareItem, ShareLink
from veoui.studio.models import Favourite, Generation, InputImage, Rendition, Status
from veoui.team import people
from veoui.team.models import Invite, Membership, Role, TeamSettings

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "owner", "teammate", "teammate_private", "admin")
LOGIN = "login"  # redirected to the login page


@dataclass(frozen=True)
class Entry:
    method: str
    # path and data are formatted with g (generation), r (rendition), m (membership), i (invite), p (project),
    # s (scene), sh (its shot), x (its export), l (a share link of the team video and scene) and t (its token)
    path: str
    expect: dict[str, int | str | tuple[int, ...]]
    data: dict = field(default_factory=dict)


def allowed(code: int | tuple[int, ...], **overrides: object) -> dict:
    """Visible to whoever may see the video: the owner, the team (unless private), admins."""
    table = {"anonymous": LOGIN, "owner": code, "teammate": code, "teammate_private": 404, "admin": code}
    return {**table, **overrides}


def owner_or_admin(code: int | tuple[int, ...]) -> dict:
    """Changes a video: its owner or an admin; a teammate who sees it gets 403, one who can't gets 404."""
    return {"anonymous": LOGIN, "owner": code, "teammate": 403, "teammate_private": 404, "admin": code}


def admins_only(code: int | tuple[int, ...]) -> dict:
    return {"anonymous": LOGIN, "owner": 403, "teammate": 403, "teammate_private": 403, "admin": code}


def everyone(code: int | tuple[int, ...], anonymous: int | str | tuple[int, ...] = LOGIN) -> dict:
    return {persona: code for persona in PERSONAS} | {"anonymous": anonymous}


def shared(code: int | tuple[int, ...]) -> dict:
    """A share link's address: the same for everyone who has it, logged in or not; 404 for what is not on it."""
    return {"anonymous": code, "owner": code, "teammate": code, "teammate_private": 404, "admin": 404}


G = "/videos/{g}/"
L = "/s/{t}/"
GUEST = {"guest_name": "Ines from the agency", "text": "Lovely"}
R = "/renditions/{r}/"
P = "/projects/{p}/"
PROJECT = {"name": "Spring launch", "colour": "teal", "visibility": "team"}
S = "/scenes/{s}/"
SHOT = {"shot-{sh}-start_seconds": "1", "shot-{sh}-end_seconds": "6", "shot-{sh}-join": "cut"}
X = "/scenes/exports/{x}/"
TOKEN = {"submission_token": "0b7e3ad8-7a57-4a0e-9a43-1f0f3c0b3b11"}

MATRIX: dict[str, Entry] = {
    "home": Entry("get", "/", everyone(302)),
    "login": Entry("get", "/login/", everyone(302, anonymous=200)),
    "logout": Entry("post", "/logout/", everyone((200, 302), anonymous=(200, 302))),
    "admin:": Entry("get", "/admin/", everyone(302, anonymous=302) | {"admin": 200}),
    "health": Entry("get", "/health/", everyone((200, 503), anonymous=(200, 503))),
    "studio": Entry("get", "/studio/frames/", everyone(200)),
    "gallery": Entry("get", "/gallery/", everyone(200)),
    "sample_picture": Entry("get", "/samples/mug.png", everyone(200)),
    "picture_check": Entry("get", "/pictures/check/?picture_address=http://10.0.0.1/x.png", everyone(200)),
    "status": Entry("get", "/status/?shown={g}:0,{r}:0", everyone((200, 204))),
    "generation": Entry("get", G, allowed(200)),
    "generation_video": Entry("get", G + "video.mp4", allowed(200)),
    "generation_poster": Entry("get", G + "poster.jpg", allowed(200)),
    "generation_download": Entry("get", G + "download/", allowed(200)),
    "input_image": Entry("get", G + "inputs/0/", allowed(200)),
    # A frame of a video (Save this frame, Continue from the last frame): for whoever may see the video.
    "generation_last_frame": Entry("get", G + "last-frame.png", allowed(200)),
    "generation_frame": Entry("get", G + "frame.png?t=0.5&download=1", allowed(200)),
    "generation_frame_page": Entry("get", G + "frame/?t=0.5", allowed(200)),
    "generation_resubmit": Entry("post", G + "resubmit/", owner_or_admin((200, 302))),
    "generation_dismiss": Entry("post", G + "dismiss/", owner_or_admin((200, 302))),
    "generation_cancel": Entry("post", G + "cancel/", owner_or_admin(302)),
    "generation_archive": Entry("post", G + "archive/", owner_or_admin(302)),
    "generation_retry": Entry("post", G + "retry/", owner_or_admin(302), TOKEN),
    # Anyone who may see a video may make their own copy of it (paid from their own budget).
    "generation_rerun": Entry("post", G + "rerun/", allowed(302), TOKEN),
    "generation_vary": Entry("post", G + "vary/", allowed(302), TOKEN),
    # Who sees a video is its owner's choice alone.
    "generation_visibility": Entry(
        "post", G + "visibility/", owner_or_admin(302) | {"admin": 403}, {"visibility": "team"}
    ),
    "generation_delete": Entry("post", G + "delete/", owner_or_admin(302)),
    "generation_pick": Entry("post", G + "pick/", owner_or_admin(302)),
    # A star is the person's own: anyone who may see a video may star it.
    "generation_favourite": Entry("post", G + "favourite/", allowed(302), {"favourite": "1"}),
    # Ids posted that the person may not see find nothing: back to the gallery with a message, never a file.
    "gallery_zip": Entry("post", "/gallery/download.zip", everyone(200) | {"teammate_private": 302}, {"videos": "{g}"}),
    # First the question ("Delete 1 video?") for whoever may delete it; the others are sent back with a message.
    "gallery_delete": Entry(
        "post", "/gallery/delete/", owner_or_admin(200) | {"teammate": 302, "teammate_private": 302}, {"videos": "{g}"}
    ),
    "rendition_create": Entry("post", G + "renditions/", allowed(302), {"kind": "4k", "request_token": uuid.uuid4()}),
    "rendition_video": Entry("get", R + "video.mp4", allowed(200)),
    "rendition_poster": Entry("get", R + "poster.jpg", allowed(200)),
    "rendition_download": Entry("get", R + "download/", allowed(200)),
    "rendition_resubmit": Entry("post", R + "resubmit/", owner_or_admin(302)),
    "rendition_dismiss": Entry("post", R + "dismiss/", owner_or_admin(302)),
    "rendition_archive": Entry("post", R + "archive/", owner_or_admin(302)),
    # kie.ai's callbacks need no login but the video's own secret: a wrong one changes nothing.
    "kie_callback": Entry("post", "/hooks/kie/{g}/not-the-token/", everyone(404, anonymous=404)),
    "kie_rendition_callback": Entry("post", "/hooks/kie/r/{r}/not-the-token/", everyone(404, anonymous=404)),
    # Scenes: seen like videos (a teammate facing a scene with someone else's private shot gets 404), changed by
    # their owner or an admin (a teammate who sees one gets 403).
    "scenes": Entry("get", "/scenes/", everyone(200)),
    "scene_new": Entry("get", "/scenes/new/", everyone(200)),
    "scene_add": Entry("post", "/scenes/add/?video={g}", allowed(302), {"title": "New scene"}),
    "scene": Entry("get", S, allowed(200)),
    "scene_preview": Entry("get", S + "preview/", allowed(200)),
    "scene_end_card_picture": Entry("get", S + "end-card.img", allowed(200)),
    "scene_settings": Entry(
        "post", S + "settings/", owner_or_admin(302), {"title": "T", "aspect_ratio": "16:9", "visibility": "private"}
    ),  # fmt: skip
    "scene_end_card": Entry(
        "post",
        S + "end-card/",
        owner_or_admin(302),
        {"end_card": "text", "text": "Hi", "colour": "#000000", "seconds": "2"},
    ),  # fmt: skip
    "scene_delete": Entry("post", S + "delete/", owner_or_admin(302)),
    "shot_order": Entry("post", S + "order/", owner_or_admin(302), {"shot": "{sh}"}),
    "shot_change": Entry("post", S + "shots/{sh}/", owner_or_admin(302), SHOT),
    "shot_up": Entry("post", S + "shots/{sh}/up/", owner_or_admin(302)),
    "shot_down": Entry("post", S + "shots/{sh}/down/", owner_or_admin(302)),
    "shot_remove": Entry("post", S + "shots/{sh}/remove/", owner_or_admin(302)),
    # A scene's exports follow the scene: a teammate facing a scene with a private shot sees neither.
    "scene_exports": Entry("get", "/scenes/{s}/exports/", allowed(200)),
    "scene_export": Entry("post", "/scenes/{s}/export/", owner_or_admin(302), {"request_token": uuid.uuid4()}),
    "scene_export_video": Entry("get", X + "video.mp4", allowed(200)),
    "scene_export_still": Entry("get", X + "still.jpg", allowed(200)),
    "scene_export_download": Entry("get", X + "download/", allowed(200)),
    "scene_export_gif": Entry("get", X + "preview.gif", allowed(404)),  # this export is an MP4
    "scene_export_cancel": Entry("post", X + "cancel/", owner_or_admin(302)),
    "scene_export_format": Entry(
        "post", X + "formats/", owner_or_admin(302), {"kind": "square", "request_token": uuid.uuid4()}
    ),
    "people": Entry("get", "/people/", admins_only(200)),
    "people_invite": Entry("post", "/people/invite/", admins_only((200, 302)), {"note": "Sam", "role": Role.ADMIN}),
    "people_add": Entry("post", "/people/add/", admins_only((200, 302)), {"username": "sam", "role": Role.ADMIN}),
    "people_created": Entry("get", "/people/created/", admins_only(302)),
    "person": Entry("post", "/people/{m}/", admins_only((200, 302)), {"role": Role.ADMIN, "monthly_budget": "1"}),
    "person_password": Entry("post", "/people/{m}/password/", admins_only((200, 302))),
    "person_active": Entry("post", "/people/{m}/active/", admins_only((200, 302)), {"active": "0"}),
    "invite_cancel": Entry("post", "/people/invites/{i}/cancel/", admins_only(302)),
    "usage": Entry("get", "/usage/", admins_only(200)),
    "usage_csv": Entry("get", "/usage/export.csv", admins_only(200)),
    "team_settings": Entry("post", "/team/settings/", admins_only((200, 302)), {"monthly_budget": "1"}),
    "team_prices": Entry("post", "/team/settings/prices/", admins_only((200, 302)), {"fast": "61"}),
    "audit_log": Entry("get", "/team/audit/?kind=spent", admins_only(200)),
    "audit_log_csv": Entry("get", "/team/audit/export.csv", admins_only(200)),
    "balance_refresh": Entry("post", "/team/balance/refresh/", admins_only(302)),
    "join": Entry("get", "/join/not-an-invite/", everyone(404, anonymous=404)),
    # Projects: everyone on the team may make one; a members-only one is seen by its members and admins only
    # (teammate_private faces one he is not in), and changed by whoever made it and admins.
    "projects": Entry("get", "/projects/", everyone(200)),
    "project_new": Entry("post", "/projects/new/", everyone((200, 302)), PROJECT),
    "project": Entry("get", P, allowed(200)),
    "project_edit": Entry("post", P + "edit/", owner_or_admin((200, 302)), PROJECT),
    "project_delete": Entry("post", P + "delete/", owner_or_admin(302)),
    # Moves only what the person may change: a teammate's move of Maya's video moves nothing (tested apart).
    "projects_move": Entry("post", "/projects/move/", everyone(302), {"videos": "{g}", "project": "{p}"}),
    "password_change": Entry("get", "/account/password/", everyone(200)),
    # Review: anyone on the team who may see a video or scene may comment on it and set its review state.
    "video_comment": Entry("post", G + "comments/", allowed(302), {"text": "Looks good"}),
    "video_review_state": Entry("post", G + "review/", allowed(302), {"state": "approved"}),
    "scene_comment": Entry("post", "/scenes/{s}/comments/", allowed(302), {"text": "Nice cut", "next": "/gallery/"}),
    "scene_review_state": Entry(
        "post", "/scenes/{s}/review/", allowed(302), {"state": "approved", "next": "/gallery/"}
    ),
    # Share links: made by anyone who may see the video (only what the whole team sees goes on one: the private
    # video is refused, and teammate_private does not even see it); seen and revoked by whoever made it and admins.
    "share_new": Entry(
        "post",
        "/share/new/",
        allowed(302, teammate_private=200, admin=200),
        {"videos": "{g}", "make": "1", "expires_days": "14"},
    ),
    "share_links": Entry("get", "/share/links/", admins_only(200)),
    "share_link": Entry("get", "/share/{l}/", owner_or_admin(200) | {"teammate": 404}),
    "share_revoke": Entry("post", "/share/{l}/revoke/", owner_or_admin(302) | {"teammate": 404}),
    # What the link's holder opens, logged in or not: Maya's link of the team video and scene. The private video
    # and scene (faced by teammate_private and admin) are not on it: 404 on every address, never the file.
    "share": Entry("get", "/s/{t}/", everyone(200, anonymous=200)),
    "share_video": Entry("get", L + "videos/{g}/video.mp4", shared(200)),
    "share_video_poster": Entry("get", L + "videos/{g}/poster.jpg", shared(200)),
    "share_video_download": Entry("get", L + "videos/{g}/download/", shared(200)),
    "share_video_comment": Entry("post", L + "videos/{g}/comments/", shared(302), GUEST),
    "share_video_review": Entry("post", L + "videos/{g}/review/", shared(302), GUEST | {"state": "approved"}),
    "share_scene_video": Entry("get", L + "scenes/{s}/video.mp4", shared(200)),
    "share_scene_poster": Entry("get", L + "scenes/{s}/poster.jpg", shared(200)),
    "share_scene_download": Entry("get", L + "scenes/{s}/download/", shared(200)),
    "share_scene_comment": Entry("post", L + "scenes/{s}/comments/", shared(302), GUEST),
    "share_scene_review": Entry("post", L + "scenes/{s}/review/", shared(302), GUEST | {"state": "approved"}),
    # Each person's own notices (nobody else's are ever listed).
    "notices": Entry("get", "/notices/", everyone(200)),
    # Everyone, signed in or not, may choose the language they read veoui in; it changes nothing of anyone else's.
    "set_language": Entry("post", "/account/language/", everyone(302, anonymous=302), {"language": "es"}),
}


def url_names(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace:  # a whole site of its own (Django's admin): one entry for all its pages
                names.add(f"{pattern.namespace}:")
            else:
                names |= url_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"every URL needs a name to be in the matrix: {pattern.pattern}"
            names.add(pattern.name)
    return names


def test_it_has_an_entry_for_every_url() -> None:
    names = url_names(get_resolver().url_patterns)
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these entries name URLs that no longer exist"


@functools.cache
def clip() -> bytes:
    """A real one-second video, so that its frames can be taken (made once for the run)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.mp4"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "lavfi", "-i"]
        command += ["testsrc=size=320x256:rate=10:duration=1", "-pix_fmt", "yuv420p", str(out)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        return out.read_bytes()


@pytest.fixture
def world(settings, tmp_path) -> dict:
    settings.MEDIA_ROOT = tmp_path / "media"
    maya = make_user("maya", "Maya")
    tom = make_user("tom", "Tom")
    priya = make_user("priya", "Priya")  # a member of the members-only project, who did not make it
    alex = make_user("alex", "Alex", role=Role.ADMIN)

    def video(visibility: str) -> tuple[Generation, Rendition]:
        generation = Generation.objects.create(
            owner=maya,
            mode="FIRST_AND_LAST_FRAMES_2_VIDEO",
            model="veo3_fast",
            prompt=f"A {visibility} video",
            aspect_ratio="16:9",
            submission_token=uuid.uuid4(),
            status=Status.SUCCEEDED,
            kie_task_id=f"task-{visibility}",
            estimated_credits=Decimal(60),
            visibility=visibility,
        )
        generation.video.save("v.mp4", ContentFile(clip()), save=False)
        generation.poster.save("p.jpg", ContentFile(b"poster"), save=True)
        image = InputImage(generation=generation, position=0, role="first")
        image.file.save("first.png", ContentFile(b"png"), save=True)
        rendition = Rendition.objects.create(
            generation=generation, owner=maya, kind="1080p", request_token=uuid.uuid4(), status=Status.SUCCEEDED
        )
        rendition.video.save("r.mp4", ContentFile(clip()), save=False)
        rendition.poster.save("r.jpg", ContentFile(b"hd poster"), save=True)
        return generation, rendition

    def exported(scene: Scene, generation: Generation) -> SceneExport:
        """A finished export of ``scene``, which shows ``generation``."""
        export = SceneExport.objects.create(
            scene=scene, owner=maya, request_token=uuid.uuid4(), status=SceneExport.Status.SUCCEEDED
        )
        export.file.save("scene.mp4", ContentFile(b"scene"), save=True)
        default_storage.save(exporting.still_name(export), ContentFile(b"still"))
        export.generations.set([generation])
        return export

    team, private = video("team"), video("private")
    invite = people.create_invite(note="Sam", role=Role.MEMBER, monthly_budget=None, by=alex)[0]
    open_project = Project.objects.create(name="Open", created_by=maya)
    closed = Project.objects.create(name="Closed", created_by=maya, visibility=Project.Visibility.MEMBERS)
    closed.members.add(maya, priya)
    Generation.objects.filter(pk=private[0].pk).update(project=closed)

    def scene(shown: Generation) -> tuple[Scene, Shot]:
        """A team-visible scene of Maya's with one shot: the team's video, or her private one."""
        made = Scene.objects.create(owner=maya, title=f"A scene of the {shown.visibility} video", end_card="picture")
        made.end_card_picture.save("card.png", ContentFile(b"png"), save=True)
        return made, Shot.objects.create(scene=made, position=0, generation=shown)

    scenes = {"team": scene(team[0]), "private": scene(private[0])}
    exports = {
        name: exported(made, shown[0])
        for (name, (made, _shot)), shown in zip(scenes.items(), (team, private), strict=True)
    }
    # A team-visible scene of the team's video, in the members-only project: the project alone hides it.
    scenes["project"] = scene(team[0])
    Scene.objects.filter(pk=scenes["project"][0].pk).update(project=closed, title="A scene of the closed project")
    exports["project"] = exported(scenes["project"][0], team[0])
    link = sharing.make_link(maya, [team[0]], [scenes["team"][0]], days=14, allow_download=True, allow_approve=True)
    return {
        "link": link,
        "users": {"maya": maya, "tom": tom, "priya": priya, "alex": alex},
        "team": team,
        "private": private,
        "invite": invite,
        "projects": {"open": open_project, "closed": closed},
        "scenes": scenes,
        "exports": exports,
    }


def snapshot() -> tuple:
    return (
        list(
            Generation.objects.order_by("pk").values_list(
                "uuid", "status", "visibility", "deleted_at", "video", "project"
            )
        ),
        list(Project.objects.order_by("pk").values_list("name", "colour", "visibility", "monthly_budget")),
        list(Project.members.through.objects.order_by("pk").values_list("project_id", "user_id")),
        list(Rendition.objects.order_by("pk").values_list("uuid", "status", "video")),
        list(InputImage.objects.order_by("pk").values_list("file", flat=True)),
        list(Membership.objects.order_by("pk").values_list("role", "monthly_budget", "must_change_password")),
        list(Invite.objects.order_by("pk").values_list("cancelled_at", flat=True)),
        TeamSettings.current().monthly_budget,
        list(Scene.objects.order_by("pk").values_list("title", "visibility", "end_card", "deleted_at", "project")),
        list(Shot.objects.order_by("pk").values_list("scene_id", "position", "start_seconds", "end_seconds")),
        DBTaskResult.objects.count(),
        list(Favourite.objects.order_by("pk").values_list("person_id", "generation_id")),
        Comment.objects.count(),
        list(Review.objects.values_list("state", flat=True)),
        Notice.objects.count(),
        list(SceneExport.objects.order_by("pk").values_list("uuid", "status", "cancel_requested_at", "file")),
        list(ShareLink.objects.order_by("pk").values_list("revoked_at", "expires_at", "allow_download")),
        ShareItem.objects.count(),
    )


def client_as(world: dict, persona: str) -> tuple[Client, tuple[Generation, Rendition]]:
    client = Client()
    user = {"owner": "maya", "teammate": "tom", "teammate_private": "tom", "admin": "alex"}.get(persona)
    if user:
        client.force_login(world["users"][user])
    # The admin is shown the private video: admins see everything.
    target = world["private"] if persona in {"teammate_private", "admin"} else world["team"]
    return client, target


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(MATRIX))
def test_it_lets_each_persona_do_only_what_they_may(world: dict, name: str, persona: str, htmx: bool) -> None:
    entry = MATRIX[name]
    client, (generation, rendition) = client_as(world, persona)
    membership = Membership.objects.get(user=world["users"]["maya"])
    scene, shot = world["scenes"]["private" if generation.visibility == "private" else "team"]
    # The teammate facing a private video faces a members-only project he is not in; admins see that one too.
    project = world["projects"]["closed" if persona in {"teammate_private", "admin"} else "open"]
    ids = {"g": generation.uuid, "r": rendition.uuid, "m": membership.uuid, "i": world["invite"].uuid}
    export = world["exports"]["private" if generation.visibility == "private" else "team"]
    ids |= {"p": project.uuid, "s": scene.uuid, "sh": shot.pk, "x": export.uuid}
    ids |= {"l": world["link"].pk, "t": world["link"].token}
    path = entry.path.format(**ids)
    data = {key.format(**ids): str(value).format(**ids) for key, value in entry.data.items()}
    before = snapshot()
    headers = {"HX-Request": "true"} if htmx else {}
    response = getattr(client, entry.method)(path, data, headers=headers)

    expected = entry.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/login/"), (path, response.status_code)
    else:
        codes = expected if isinstance(expected, tuple) else (expected,)
        if htmx and 302 in codes:
            codes = (*codes, 200)  # htmx forms may answer with the partial instead of a redirect
        assert response.status_code in codes, (path, response.status_code)
    if expected in (LOGIN, 403, 404) or entry.method == "get":
        assert snapshot() == before, f"{persona} changed something through {path}"


# A scene in a members-only project, for every address of a scene, its shots and its exports: the project's
# member is a teammate who sees it, a teammate outside it faces what a private shot shows him (nothing).
PROJECT_PERSONAS = {
    "anonymous": ("", "anonymous"),
    "owner": ("maya", "owner"),
    "project_member": ("priya", "teammate"),
    "non_member": ("tom", "teammate_private"),
    "admin": ("alex", "admin"),
}
# A share link's own addresses of a scene answer for the link holder only; tests/sharing tries them with every
# other object's id, the members-only project's scene among them.
SCENE_URLS = [
    name
    for name, entry in MATRIX.items()
    if not name.startswith("share") and any(key in entry.path for key in ("{s}", "{sh}", "{x}"))
]


def test_every_scene_address_is_in_the_project_check() -> None:
    assert {"scene", "scene_preview", "scene_exports", "scene_export_video", "shot_change"} <= set(SCENE_URLS)
    assert all(name.startswith(("scene", "shot")) for name in SCENE_URLS)


@pytest.mark.parametrize("persona", list(PROJECT_PERSONAS))
@pytest.mark.parametrize("name", SCENE_URLS)
def test_a_scene_in_a_members_only_project_is_only_its_members(world: dict, name: str, persona: str) -> None:
    entry = MATRIX[name]
    user, column = PROJECT_PERSONAS[persona]
    client = Client()
    if user:
        client.force_login(world["users"][user])
    scene, shot = world["scenes"]["project"]
    generation, rendition = world["team"]
    ids = {"g": generation.uuid, "r": rendition.uuid, "p": world["projects"]["closed"].uuid}
    ids |= {"s": scene.uuid, "sh": shot.pk, "x": world["exports"]["project"].uuid}
    path = entry.path.format(**ids)
    data = {key.format(**ids): str(value).format(**ids) for key, value in entry.data.items()}
    before = snapshot()
    response = getattr(client, entry.method)(path, data)

    expected = entry.expect[column]
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/login/"), (path, response.status_code)
    else:
        codes = expected if isinstance(expected, tuple) else (expected,)
        assert response.status_code in codes, (path, response.status_code)
    if expected in (LOGIN, 403, 404) or entry.method == "get":
        assert snapshot() == before, f"{persona} changed something through {path}"
    if persona == "non_member":
        assert "A scene of the closed project" not in response.content.decode()


def test_it_never_lists_a_scene_of_a_members_only_project_to_others(world: dict) -> None:
    scene = world["scenes"]["project"][0]
    for user, shown in (("tom", False), ("priya", True), ("alex", True)):
        client = Client()
        client.force_login(world["users"][user])
        for path in ("/scenes/", "/projects/", f"/videos/{world['team'][0].uuid}/", "/gallery/"):
            page = client.get(path).content.decode()
            assert (str(scene.uuid) in page) == (shown and path == "/scenes/"), (user, path)


@pytest.mark.parametrize("persona", ["teammate_private", "anonymous"])
def test_it_never_lists_a_private_video_to_others(world: dict, persona: str) -> None:
    client, _target = client_as(world, persona)
    private = str(world["private"][0].uuid)
    status = f"/status/?shown={private}:0&seen={private}&known="
    for path in ("/gallery/", "/gallery/?q=private", "/studio/text/", status):
        assert private not in client.get(path).content.decode(), path


def test_it_never_zips_a_private_video_for_others(world: dict) -> None:
    client, (generation, _rendition) = client_as(world, "teammate_private")
    team = world["team"][0]
    response = client.post("/gallery/download.zip", {"videos": [str(generation.uuid), str(team.uuid)]})
    archive = b"".join(response.streaming_content)
    assert b"A private video" not in archive and generation.uuid.hex[:8].encode() not in archive
    assert b"A team video" in archive
