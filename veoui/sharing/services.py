"""Making and revoking share links, and what a link may still show.

A link serves an item only while the whole team could see it: not deleted, not private, not in a members-only
project (and, for a scene, every video it shows likewise). That is checked on every request, so a video its
owner makes private after sharing it stops being served at once, by every URL of the link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from veoui.review.models import Comment, Notice
from veoui.scenes import exporting
from veoui.scenes.access import visible_scenes
from veoui.scenes.models import Scene, SceneExport
from veoui.sharing.models import ShareItem, ShareLink
from veoui.studio import zipped
from veoui.studio.models import Generation, TrackedWork
from veoui.studio.views import visible_to
from veoui.team import audit

OUTSIDER = AnonymousUser()  # someone who sees only what the whole team sees
GUEST_COMMENTS_PER_HOUR = 30  # on one link, all its reviewers together
GUEST_COMMENTS_PER_LINK = 500


def team_videos() -> QuerySet[Generation]:
    """The videos the whole team may see (none private, none in a members-only project, none deleted)."""
    return visible_to(None, False)


def team_scenes() -> QuerySet[Scene]:
    """The scenes the whole team may see, every video in them included."""
    return visible_scenes(OUTSIDER)


def shareable(user: AbstractBaseUser, videos: Iterable[object] = (), scenes: Iterable[object] = ()) -> dict:
    """Of the ids asked for: what ``user`` may see, split into what may go on a link and what may not (private,
    members-only). Ids the person may not see are left out entirely: they never learn those exist."""
    seen_videos = list(visible_to(user.pk, user.is_staff).filter(uuid__in=list(videos)).order_by("-created_at", "-pk"))
    seen_scenes = list(visible_scenes(user).filter(uuid__in=list(scenes)).order_by("-created_at", "-pk"))
    open_videos = set(team_videos().filter(pk__in=[g.pk for g in seen_videos]).values_list("pk", flat=True))
    open_scenes = set(team_scenes().filter(pk__in=[s.pk for s in seen_scenes]).values_list("pk", flat=True))
    return {
        "videos": [g for g in seen_videos if g.pk in open_videos],
        "scenes": [s for s in seen_scenes if s.pk in open_scenes],
        "refused": [g for g in seen_videos if g.pk not in open_videos]
        + [s for s in seen_scenes if s.pk not in open_scenes],
    }


def make_link(
    user: AbstractBaseUser, videos: list[Generation], scenes: list[Scene], *, days: int, **options: bool
) -> ShareLink:
    """A new link for these items, and its one audit entry, in one transaction."""
    with transaction.atomic():
        now = timezone.now()
        link = ShareLink.objects.create(
            created_by=user, created_at=now, expires_at=now + timedelta(days=days), **options
        )
        items = [ShareItem(link=link, position=n, generation=g) for n, g in enumerate(videos)]
        items += [ShareItem(link=link, position=len(videos) + n, scene=s) for n, s in enumerate(scenes)]
        ShareItem.objects.bulk_create(items)
        audit.record(
            audit.Kind.SHARE_LINK_CREATED,
            actor=user,
            what=describe(videos, scenes),
            object_type="share_link",
            object_id=link.pk,
            details={
                "videos": [str(g.uuid) for g in videos],
                "scenes": [str(s.uuid) for s in scenes],
                "days": days,
                **options,
            },
        )
    return link


def describe(videos: list[Generation], scenes: list[Scene]) -> str:
    names = [g.prompt for g in videos] + [s.title for s in scenes]
    return " · ".join(name[:60] for name in names)


def may_manage(user: AbstractBaseUser, link: ShareLink) -> bool:
    return user.is_staff or link.created_by_id == user.pk


def managed_links(user: AbstractBaseUser) -> QuerySet[ShareLink]:
    """The links this person may see and revoke: their own, or every one for admins."""
    links = ShareLink.objects.select_related("created_by")
    return links if user.is_staff else links.filter(created_by=user)


def revoke(link: ShareLink, by: AbstractBaseUser) -> bool:
    """Revoke an open link (once: a second press changes nothing and records nothing)."""
    with transaction.atomic():
        revoked = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        if revoked:
            audit.record(
                audit.Kind.SHARE_LINK_REVOKED,
                actor=by,
                what=link.title or describe(linked_videos(link), linked_scenes(link)),
                object_type="share_link",
                object_id=link.pk,
            )
    return bool(revoked)


def is_open(link: ShareLink) -> bool:
    return link.revoked_at is None and link.expires_at > timezone.now()


def count_view(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
        views=F("views") + 1, last_viewed_at=timezone.now()
    )


def linked_videos(link: ShareLink) -> list[Generation]:
    ids = link.items.filter(generation__isnull=False).values("generation_id")
    return list(Generation.objects.filter(pk__in=ids))


def linked_scenes(link: ShareLink) -> list[Scene]:
    ids = link.items.filter(scene__isnull=False).values("scene_id")
    return list(Scene.objects.filter(pk__in=ids))


def shared_video(link: ShareLink, public_id: object) -> Generation | None:
    """The video if it is on the link and the whole team may still see it, else None."""
    return (
        team_videos()
        .filter(uuid=public_id, pk__in=link.items.values("generation_id"))
        .select_related("owner")
        .prefetch_related("renditions")
        .first()
    )


def shared_scene(link: ShareLink, public_id: object) -> Scene | None:
    return team_scenes().filter(uuid=public_id, pk__in=link.items.values("scene_id")).select_related("owner").first()


def best_of(generation: Generation) -> TrackedWork | None:
    best = zipped.best_version(generation)
    return best[0] if best is not None else None


def version_of(generation: Generation) -> str:
    best = zipped.best_version(generation)
    return best[1] if best is not None else ""


def latest_export(scene: Scene) -> SceneExport | None:
    """The scene's newest finished export (the whole scene, not a social format) that may still be shown."""
    finished = SceneExport.objects.filter(
        scene=scene, kind=SceneExport.Kind.SCENE, status=SceneExport.Status.SUCCEEDED, source__isnull=True
    ).exclude(file="")
    newest = (F("finished_at").desc(nulls_last=True), "-created_at", "-pk")
    for export in finished.order_by(*newest)[:5]:
        if exporting.may_see(OUTSIDER, export):
            return export
    return None


@dataclass
class Shown:
    """One item of a link as its page shows it: the video or scene, or None when it is no longer shared."""

    kind: str  # "video" or "scene"
    target: Generation | Scene | None
    work: TrackedWork | None = None  # a video's best version
    version: str = ""
    export: SceneExport | None = None  # a scene's latest export


def shown_items(link: ShareLink) -> list[Shown]:
    items = list(link.items.all())
    videos = {g.pk: g for g in team_videos().filter(pk__in=[i.generation_id for i in items if i.generation_id])
              .select_related("owner").prefetch_related("renditions")}  # fmt: skip
    scenes = {s.pk: s for s in team_scenes().filter(pk__in=[i.scene_id for i in items if i.scene_id])
              .select_related("owner")}  # fmt: skip
    shown = []
    for item in items:
        if item.generation_id:
            generation = videos.get(item.generation_id)
            best = zipped.best_version(generation) if generation is not None else None
            work, version = best if best is not None else (None, "")
            shown.append(Shown("video", generation, work=work, version=version))
        else:
            scene = scenes.get(item.scene_id)
            shown.append(Shown("scene", scene, export=latest_export(scene) if scene is not None else None))
    return shown


def guest_comments_left(link: ShareLink) -> bool:
    """Whether the link's reviewers may comment now: a few dozen an hour, a few hundred in all."""
    comments = Comment.objects.filter(share_link=link)
    if comments.count() >= GUEST_COMMENTS_PER_LINK:
        return False
    return comments.filter(created_at__gte=timezone.now() - timedelta(hours=1)).count() < GUEST_COMMENTS_PER_HOUR


def guest_reviews_left(target: Generation | Scene) -> bool:
    """Whether an outside reviewer may change the review state now: a few dozen changes an hour per item, so that
    nobody can flood its owner's notices by pressing the buttons in turn."""
    about = {"scene": target} if isinstance(target, Scene) else {"generation": target}
    recent = Notice.objects.filter(kind=Notice.Kind.STATE, created_at__gte=timezone.now() - timedelta(hours=1))
    return recent.filter(**about).count() < GUEST_COMMENTS_PER_HOUR
