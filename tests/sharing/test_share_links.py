"""Share links for people outside the team: made from a video, a scene or a gallery selection, opened with no
login, read-only, expiring, revocable; showing only what was shared, and only while the team may still see it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from tests.people import client_for, make_generation, text
from veoui.projects.models import Project
from veoui.review.models import Comment, Notice, Review, ReviewState
from veoui.scenes import exporting
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.sharing import services
from veoui.sharing.models import ShareItem, ShareLink
from veoui.studio.models import Generation, InputImage, Rendition, Status
from veoui.team.models import AuditEntry

pytestmark = pytest.mark.django_db

GUEST = {"guest_name": "Eve", "text": "x"}
ORIGINAL, HD, UHD, SCENE_FILE, OTHER = b"original-bytes", b"hd-bytes-1080", b"uhd-bytes-4k", b"scene-export", b"B-file"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ACCEL_REDIRECT = ""


def stored(generation: Generation, data: bytes, poster: bytes = b"poster") -> Generation:
    generation.video.save("v.mp4", ContentFile(data), save=False)
    generation.poster.save("p.jpg", ContentFile(poster), save=True)
    return generation


def rendition(generation: Generation, kind: str, data: bytes, status: str = Status.SUCCEEDED) -> Rendition:
    made = Rendition.objects.create(
        generation=generation, owner=generation.owner, kind=kind, request_token=uuid.uuid4(), status=status
    )
    made.video.save(f"{kind}.mp4", ContentFile(data), save=False)
    made.poster.save(f"{kind}.jpg", ContentFile(b"poster " + data), save=True)
    return made


def exported(scene: Scene, data: bytes = SCENE_FILE, **fields) -> SceneExport:
    export = SceneExport.objects.create(
        scene=scene,
        owner=scene.owner,
        request_token=uuid.uuid4(),
        status=SceneExport.Status.SUCCEEDED,
        **({"finished_at": timezone.now()} | fields),
    )
    export.file.save("scene.mp4", ContentFile(data), save=True)
    default_storage.save(exporting.still_name(export), ContentFile(b"still"))
    export.generations.set([shot.generation for shot in scene.shots.all()])
    return export


@pytest.fixture
def video(maya) -> Generation:
    return stored(make_generation(maya, 60, prompt="A secret red kite over the dunes"), ORIGINAL)


@pytest.fixture
def other(maya) -> Generation:
    """A video of the same owner that is not on the link."""
    return stored(make_generation(maya, 60, prompt="Another video, not shared"), OTHER, b"other poster")


def make(client: Client, *, videos=(), scenes=(), **fields) -> object:
    data = {"make": "1", "expires_days": "14", "videos": [str(v.uuid) for v in videos]}
    data |= {"scenes": [str(s.uuid) for s in scenes], **fields}
    return client.post("/share/new/", data)


def link_of(maya, videos=(), scenes=(), **options) -> ShareLink:
    return services.make_link(maya, list(videos), list(scenes), days=14, **options)


def page(link: ShareLink) -> object:
    return Client().get(f"/s/{link.token}/")


def file_urls(link: ShareLink, kind: str, public_id: object) -> list[str]:
    base = f"/s/{link.token}/{kind}/{public_id}/"
    return [base + "video.mp4", base + "poster.jpg", base + "download/"]


# --- making a link ------------------------------------------------------------------------------------------


def test_the_video_page_offers_the_share_form_with_its_names(maya, video) -> None:
    body = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    for words in ("Share outside the team", "Expires after (days)", "Allow download", "Hide the prompt"):
        assert words in body
    assert "Show names" in body and "Let them approve" in body and "Make the link" in body
    assert 'name="expires_days" id="share-expires_days" min="1" max="90" value="14"' in body


def test_making_a_link_saves_it_with_its_options_and_one_audit_entry(maya, video) -> None:
    response = make(client_for(maya), videos=[video], expires_days="30", allow_download="on", hide_prompt="on")
    link = ShareLink.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/share/{link.pk}/"
    assert (link.created_by, link.allow_download, link.hide_prompt, link.show_names, link.allow_approve) == (
        maya,
        True,
        True,
        False,
        False,
    )
    assert abs(link.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert [item.generation for item in link.items.all()] == [video]
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.SHARE_LINK_CREATED)
    assert entries.count() == 1 and AuditEntry.objects.count() == 1
    entry = entries.get()
    assert (entry.actor, entry.object_id, entry.details["videos"]) == (maya, str(link.pk), [str(video.uuid)])
    shown = text(client_for(maya).get(response["Location"]))
    assert f"http://testserver/s/{link.token}/" in shown and "Copy" in shown and "Revoke" in shown


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("91", "A link works for at most 90 days."),
        ("0", "A link works for at least 1 day."),
        ("soon", "Give the number of days as a whole number, such as 14."),
        ("", "Give the number of days the link works, from 1 to 90."),
    ],
)
def test_a_wrong_number_of_days_is_a_field_error_and_makes_nothing(maya, video, days, message) -> None:
    response = make(client_for(maya), videos=[video], expires_days=days)
    assert response.status_code == 200
    assert 'class="field-error" id="share-expires_days_error"' in response.content.decode()
    assert message in text(response)
    assert ShareLink.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_a_private_video_cannot_be_shared_even_by_its_owner(maya, video) -> None:
    Generation.objects.filter(pk=video.pk).update(visibility=Generation.Visibility.PRIVATE)
    response = make(client_for(maya), videos=[video])
    assert response.status_code == 200 and "nothing here that can be shared" in text(response)
    assert ShareLink.objects.count() == 0 and AuditEntry.objects.count() == 0
    assert "This is private, or in a members-only project." in text(client_for(maya).get(f"/videos/{video.uuid}/"))


def test_the_gallery_selection_shares_only_what_the_person_may_see(maya, tom, video) -> None:
    toms_private = stored(make_generation(tom, 60, prompt="Tom's private draft", visibility="private"), OTHER)
    toms_team = stored(make_generation(tom, 60, prompt="Tom's team video"), OTHER)
    assert "Share outside the team" in text(client_for(maya).get("/gallery/"))
    chosen = {"videos": [str(video.uuid), str(toms_private.uuid), str(toms_team.uuid), "not-an-id"]}
    form = client_for(maya).post("/share/new/", chosen)  # the bulk bar's button: the form, nothing made yet
    assert form.status_code == 200 and ShareLink.objects.count() == 0
    body = text(form)
    assert "A secret red kite" in body and "Tom's team video" in body and "Tom's private draft" not in body
    assert str(toms_private.uuid) not in body
    make(client_for(maya), videos=[video, toms_private, toms_team])
    link = ShareLink.objects.get()
    assert {item.generation for item in link.items.all()} == {video, toms_team}


# --- the page the link opens ---------------------------------------------------------------------------------


def test_the_page_needs_no_login_and_shows_only_the_link_without_a_way_into_veoui(maya, video, other) -> None:
    link = link_of(maya, [video])
    response = page(link)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<meta name="robots" content="noindex">' in body
    assert response["X-Robots-Tag"].startswith("noindex") and response["Referrer-Policy"] == "no-referrer"
    assert "script-src" in response["Content-Security-Policy"]
    assert not response.cookies, "the page sets no cookie"
    assert "A secret red kite" in body and str(video.uuid) in body
    assert str(other.uuid) not in body and "Another video" not in body
    assert "Maya" not in body, "no name unless Show names was ticked"
    for address in re.findall(r'(?:href|src|action|poster)="([^"]*)"', body):
        assert address.startswith((f"/s/{link.token}/", "/static/", "#")), address
    assert "site-nav" not in body and "user-menu" not in body


def test_the_page_counts_its_views_and_hides_the_prompt_when_asked(maya, video) -> None:
    link = link_of(maya, [video], hide_prompt=True, show_names=True)
    for _ in range(3):
        body = page(link).content.decode()
    link.refresh_from_db()
    assert link.views == 3 and link.last_viewed_at is not None
    assert "A secret red kite" not in body and "Made by Maya" in body


def test_the_video_plays_with_ranges_and_downloads_only_when_allowed(maya, video) -> None:
    link = link_of(maya, [video])
    player, _poster, download = file_urls(link, "videos", video.uuid)
    part = Client().get(player, headers={"Range": "bytes=2-5"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == ORIGINAL[2:6]
    assert part["Content-Range"] == f"bytes 2-5/{len(ORIGINAL)}" and part["X-Robots-Tag"].startswith("noindex")
    assert Client().get(download).status_code == 404
    assert "Download" not in text(page(link))
    allowed = link_of(maya, [video], allow_download=True)
    got = Client().get(file_urls(allowed, "videos", video.uuid)[2])
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == ORIGINAL


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ({"4k": UHD, "1080p": HD}, UHD),
        ({"1080p": HD}, HD),
        ({"4k": None, "1080p": HD}, HD),  # a 4K still being made is not finished
        ({}, ORIGINAL),
    ],
)
def test_a_shared_video_is_its_best_finished_version(maya, video, versions, expected) -> None:
    for kind, data in versions.items():
        rendition(video, kind, data or b"unfinished", status=Status.SUCCEEDED if data else Status.RUNNING)
    link = link_of(maya, [video])
    response = Client().get(file_urls(link, "videos", video.uuid)[0])
    assert b"".join(response.streaming_content) == expected


def test_a_link_for_one_video_never_serves_anything_else(maya, tom, video, other) -> None:
    """Every share URL tried with the id of every other object: 404, never a file."""
    link = link_of(maya, [video], allow_download=True, allow_approve=True)
    image = InputImage(generation=other, position=0, role="first")
    image.file.save("first.png", ContentFile(b"input picture"), save=True)
    private = stored(make_generation(tom, 60, visibility="private"), b"private file")
    hd = rendition(video, "1080p", HD)
    other_hd = rendition(other, "1080p", b"other hd")
    scene = Scene.objects.create(owner=maya, title="Not shared")
    Shot.objects.create(scene=scene, position=0, generation=other)
    export = exported(scene)
    ids = [other.uuid, private.uuid, hd.uuid, other_hd.uuid, scene.uuid, export.uuid, image.pk, uuid.uuid4()]
    files = [ORIGINAL, OTHER, HD, b"other hd", b"private file", SCENE_FILE, b"input picture", b"still"]
    tried = 0
    for kind in ("videos", "scenes"):
        for public_id in ids:
            for url in file_urls(link, kind, public_id):
                response = Client().get(url)
                assert response.status_code == 404, url
                assert not any(data in response.content for data in files if not response.streaming), url
                tried += 1
            for action, data in (("comments/", GUEST), ("review/", {"guest_name": "Eve", "state": "approved"})):
                assert Client().post(f"/s/{link.token}/{kind}/{public_id}/{action}", data).status_code == 404
    # The shared video itself, under the scenes' addresses, is not a scene either.
    for url in file_urls(link, "scenes", video.uuid):
        assert Client().get(url).status_code == 404
    assert tried == 48 and Comment.objects.count() == 0 and Review.objects.count() == 0
    # Another link's token never opens this one's video; a made-up token is a 404.
    second = link_of(maya, [other])
    assert Client().get(file_urls(second, "videos", video.uuid)[0]).status_code == 404
    assert Client().get(f"/s/not-a-token/videos/{video.uuid}/video.mp4").status_code == 404


def test_a_revoked_or_expired_link_answers_410_on_every_address(maya, tom, admin, video) -> None:
    link = link_of(maya, [video], allow_download=True)
    addresses = [f"/s/{link.token}/", *file_urls(link, "videos", video.uuid)]
    assert all(Client().get(url).status_code in (200, 206) for url in addresses)
    assert client_for(tom).post(f"/share/{link.pk}/revoke/").status_code == 404, "not Tom's link"
    assert ShareLink.objects.get().revoked_at is None
    assert client_for(maya).post(f"/share/{link.pk}/revoke/").status_code == 302
    assert client_for(maya).post(f"/share/{link.pk}/revoke/").status_code == 302  # again: nothing more happens
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.SHARE_LINK_REVOKED).count() == 1
    assert ShareLink.objects.get().revoked_by == maya
    for url in addresses:
        response = Client().get(url)
        assert response.status_code == 410 and b"This link no longer works" in response.content, url
        assert ORIGINAL not in response.content
    assert Client().post(f"/s/{link.token}/videos/{video.uuid}/comments/", GUEST).status_code == 410
    expired = link_of(maya, [video])
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(f"/s/{expired.token}/").status_code == 410
    assert Client().get(file_urls(expired, "videos", video.uuid)[0]).status_code == 410
    expired.refresh_from_db()
    assert expired.views == 0
    # An admin may revoke anyone's link.
    third = link_of(maya, [video])
    assert client_for(admin).post(f"/share/{third.pk}/revoke/").status_code == 302
    third.refresh_from_db()
    assert third.revoked_by == admin


@pytest.mark.parametrize("change", ["private", "deleted", "members_only"])
def test_a_video_made_private_later_stops_being_served(maya, video, other, change) -> None:
    link = link_of(maya, [video, other], allow_download=True)
    if change == "private":
        Generation.objects.filter(pk=video.pk).update(visibility=Generation.Visibility.PRIVATE)
    elif change == "deleted":
        Generation.objects.filter(pk=video.pk).update(deleted_at=timezone.now())
    else:
        project = Project.objects.create(name="Closed", created_by=maya, visibility=Project.Visibility.MEMBERS)
        project.members.add(maya)
        Generation.objects.filter(pk=video.pk).update(project=project)
    body = text(page(link))
    assert "This is no longer shared." in body and "A secret red kite" not in body and str(video.uuid) not in body
    assert "Another video" in body  # the rest of the link still works
    for url in file_urls(link, "videos", video.uuid):
        response = Client().get(url)
        assert response.status_code == 404 and ORIGINAL not in response.content
    assert Client().post(f"/s/{link.token}/videos/{video.uuid}/comments/", GUEST).status_code == 404


# --- scenes ----------------------------------------------------------------------------------------------------


@pytest.fixture
def scene(maya, video) -> Scene:
    made = Scene.objects.create(owner=maya, title="The launch cut")
    Shot.objects.create(scene=made, position=0, generation=video)
    return made


def test_a_shared_scene_shows_its_latest_finished_export_or_says_it_is_not_exported(maya, scene) -> None:
    link = link_of(maya, scenes=[scene], allow_download=True)
    assert "This scene is not exported yet." in text(page(link))
    assert all(Client().get(url).status_code == 404 for url in file_urls(link, "scenes", scene.uuid))
    exported(scene, b"old export", finished_at=timezone.now() - timedelta(hours=1))
    exported(scene, SCENE_FILE)
    SceneExport.objects.create(scene=scene, owner=maya, request_token=uuid.uuid4())  # still queued
    body = text(page(link))
    assert "The launch cut" in body and "not exported yet" not in body
    player, poster, download = file_urls(link, "scenes", scene.uuid)
    part = Client().get(player, headers={"Range": "bytes=0-4"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == SCENE_FILE[:5]
    assert b"".join(Client().get(download).streaming_content) == SCENE_FILE
    assert Client().get(poster).status_code == 200


@pytest.mark.parametrize("change", ["scene_private", "scene_deleted", "shot_private"])
def test_a_scene_made_private_later_stops_being_served(maya, video, scene, change) -> None:
    exported(scene)
    link = link_of(maya, scenes=[scene], allow_download=True)
    assert Client().get(file_urls(link, "scenes", scene.uuid)[0]).status_code == 200
    if change == "scene_private":
        Scene.objects.filter(pk=scene.pk).update(visibility=Scene.Visibility.PRIVATE)
    elif change == "scene_deleted":
        Scene.objects.filter(pk=scene.pk).update(deleted_at=timezone.now())
    else:
        Generation.objects.filter(pk=video.pk).update(visibility=Generation.Visibility.PRIVATE)
    assert "This is no longer shared." in text(page(link))
    for url in file_urls(link, "scenes", scene.uuid):
        response = Client().get(url)
        assert response.status_code == 404 and SCENE_FILE not in response.content


# --- outside review --------------------------------------------------------------------------------------------


def comment(link: ShareLink, video: Generation, **data: str) -> object:
    return Client().post(f"/s/{link.token}/videos/{video.uuid}/comments/", data)


def test_an_outside_reviewer_must_give_a_name(maya, video) -> None:
    link = link_of(maya, [video])
    response = comment(link, video, guest_name="   ", text="Nice")
    assert response.status_code == 400
    assert 'id="c1-guest_name_error"' in response.content.decode()
    assert "Give your name first" in text(response)
    assert Comment.objects.count() == 0 and Notice.objects.count() == 0


def test_an_outside_comment_reaches_the_owner_once_at_its_moment(maya, video) -> None:
    link = link_of(maya, [video])
    response = comment(link, video, guest_name="Ines", text="Cut here", at_moment="on", at_seconds="3.5")
    saved = Comment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{link.token}/#comment-{saved.uuid}"
    assert (saved.generation, saved.author, saved.guest_name, saved.share_link, saved.at_seconds) == (
        video,
        None,
        "Ines",
        link,
        Decimal("3.50"),
    )
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.comment, notice.by_name) == (maya, Notice.Kind.COMMENT, saved, "Ines")
    shown = text(page(link))
    assert "Ines" in shown and "Cut here" in shown and 'data-seek="3.50"' in shown
    owner_page = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    assert "Ines" in owner_page and "Cut here" in owner_page and "(outside the team, on a share link)" in owner_page
    assert "Ines" in text(client_for(maya).get("/notices/"))


def test_outside_comments_are_plain_text_and_team_comments_stay_inside(maya, tom, video) -> None:
    link = link_of(maya, [video])
    Comment.objects.create(generation=video, author=tom, text="Internal: the client hates red")
    comment(
        link, video, guest_name="<b>Eve</b>", text='<script>alert(1)</script> see <a href="https://spam.example">x</a>'
    )
    body = page(link).content.decode()
    assert "<script>alert(1)" not in body and '<a href="https://spam.example"' not in body
    assert "&lt;script&gt;" in body and "&lt;b&gt;Eve&lt;/b&gt;" in body
    assert "Internal: the client hates red" not in body and "Tom" not in body


def test_outside_comments_are_capped_per_hour(maya, video, monkeypatch) -> None:
    monkeypatch.setattr(services, "GUEST_COMMENTS_PER_HOUR", 3)
    link = link_of(maya, [video])
    for n in range(3):
        assert comment(link, video, guest_name="Ines", text=f"Note {n}").status_code == 302
    refused = comment(link, video, guest_name="Ines", text="One too many")
    assert refused.status_code == 400 and "many comments in the last hour" in text(refused)
    assert Comment.objects.count() == 3 and Notice.objects.count() == 3
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert comment(link, video, guest_name="Ines", text="Later").status_code == 302


def test_outside_approval_only_when_the_link_lets_them(maya, video) -> None:
    closed = link_of(maya, [video])
    review = {"guest_name": "Ines", "state": ReviewState.APPROVED}
    assert Client().post(f"/s/{closed.token}/videos/{video.uuid}/review/", review).status_code == 404
    assert Review.objects.count() == 0 and "Approved" not in text(page(closed))
    link = link_of(maya, [video], allow_approve=True)
    nameless = Client().post(f"/s/{link.token}/videos/{video.uuid}/review/", {"state": "approved"})
    assert nameless.status_code == 400 and "Give your name first" in text(nameless)
    assert Client().post(f"/s/{link.token}/videos/{video.uuid}/review/", review).status_code == 302
    saved = Review.objects.get()
    assert (saved.state, saved.changed_by, saved.changed_by_guest) == (ReviewState.APPROVED, None, "Ines")
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.state, notice.by_name) == (
        maya,
        Notice.Kind.STATE,
        "approved",
        "Ines",
    )
    draft = Client().post(f"/s/{link.token}/videos/{video.uuid}/review/", {"guest_name": "Ines", "state": "draft"})
    assert draft.status_code == 400 and Review.objects.get().state == ReviewState.APPROVED


# --- managing links ------------------------------------------------------------------------------------------


def test_the_video_page_lists_its_open_links_for_whoever_made_them(maya, tom, admin, video) -> None:
    mine = link_of(maya, [video])
    revoked = link_of(maya, [video])
    services.revoke(revoked, maya)
    toms = link_of(tom, [video])
    ShareLink.objects.filter(pk=mine.pk).update(views=7)
    body = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    assert mine.token in body and "7 views" in body and revoked.token not in body and toms.token not in body
    assert toms.token in text(client_for(tom).get(f"/videos/{video.uuid}/"))
    admin_page = text(client_for(admin).get(f"/videos/{video.uuid}/"))
    assert mine.token in admin_page and toms.token in admin_page


def test_admins_see_every_open_link_of_the_team(maya, tom, admin, video) -> None:
    mine, toms, gone = link_of(maya, [video]), link_of(tom, [video]), link_of(tom, [video])
    ShareLink.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(days=1))
    listed = client_for(admin).get("/share/links/")
    body = text(listed)
    assert listed.status_code == 200 and mine.token in body and toms.token in body and gone.token not in body
    assert body.count("Revoke") >= 2
    assert "/share/links/" in client_for(admin).get("/gallery/").content.decode()
    assert client_for(maya).get("/share/links/").status_code == 403
    assert ShareItem.objects.count() == 3


def test_making_and_revoking_each_write_one_entry_in_the_audit_log(maya, admin, video) -> None:
    make(client_for(maya), videos=[video])
    link = ShareLink.objects.get()
    client_for(admin).post(f"/share/{link.pk}/revoke/", {"next": "/share/links/"})
    kinds = list(AuditEntry.objects.order_by("pk").values_list("kind", "actor__username"))
    assert kinds == [(AuditEntry.Kind.SHARE_LINK_CREATED, "maya"), (AuditEntry.Kind.SHARE_LINK_REVOKED, "alex")]
    log = text(client_for(admin).get("/team/audit/"))
    assert "Made a share link" in log and "Revoked a share link" in log


def test_outside_posts_need_no_cookie_and_never_act_as_a_logged_in_person(maya, tom, video) -> None:
    link = link_of(maya, [video], allow_approve=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tom)  # Tom happens to be logged in: the link still takes a guest's name, never his account
    response = client.post(f"/s/{link.token}/videos/{video.uuid}/comments/", {"guest_name": "Ines", "text": "Hi"})
    assert response.status_code == 302
    saved = Comment.objects.get()
    assert (saved.author, saved.guest_name) == (None, "Ines")
    assert client.post(f"/s/{link.token}/videos/{video.uuid}/review/", {"guest_name": "Ines", "state": "approved"})
    assert Review.objects.get().changed_by is None
    # The team's own forms still refuse a post without a CSRF token.
    assert client.post(f"/share/{link.pk}/revoke/").status_code == 403


def test_outside_review_changes_are_capped_per_hour(maya, video, monkeypatch) -> None:
    monkeypatch.setattr(services, "GUEST_COMMENTS_PER_HOUR", 2)
    link = link_of(maya, [video], allow_approve=True)
    url = f"/s/{link.token}/videos/{video.uuid}/review/"
    for state in ("approved", "changes"):
        assert Client().post(url, {"guest_name": "Ines", "state": state}).status_code == 302
    refused = Client().post(url, {"guest_name": "Ines", "state": "approved"})
    assert refused.status_code == 400 and "many times in the last hour" in text(refused)
    assert Review.objects.get().state == ReviewState.CHANGES_REQUESTED and Notice.objects.count() == 2


def test_the_scene_page_offers_the_share_form_and_lists_its_links(maya, scene) -> None:
    body = text(client_for(maya).get(f"/scenes/{scene.uuid}/"))
    assert "Share outside the team" in body and "Make the link" in body and 'name="scenes"' in body
    response = make(client_for(maya), scenes=[scene], allow_approve="on")
    link = ShareLink.objects.get()
    assert response.status_code == 302 and [item.scene for item in link.items.all()] == [scene]
    assert link.token in text(client_for(maya).get(f"/scenes/{scene.uuid}/"))
    nameless = Client().post(f"/s/{link.token}/scenes/{scene.uuid}/comments/", {"text": "Nice cut"})
    assert nameless.status_code == 400 and Comment.objects.count() == 0
    assert Client().post(f"/s/{link.token}/scenes/{scene.uuid}/comments/", {"guest_name": "Ines", "text": "Nice"})
    assert Comment.objects.get().scene == scene and Notice.objects.get().scene == scene
    Client().post(f"/s/{link.token}/scenes/{scene.uuid}/review/", {"guest_name": "Ines", "state": "approved"})
    assert Review.objects.get(scene=scene).state == ReviewState.APPROVED


def test_a_teammate_cannot_share_a_scene_showing_someone_elses_private_video(maya, tom, scene, video) -> None:
    Generation.objects.filter(pk=video.pk).update(visibility=Generation.Visibility.PRIVATE)
    response = make(client_for(tom), scenes=[scene])
    assert response.status_code == 200 and ShareLink.objects.count() == 0
    assert "The launch cut" not in text(response)
