"""Issue 18's sweep: every page a member and an admin reach, and the login page, checked with axe-core in both
themes, at both widths and in all three languages. A page passes with no serious or critical problem.

The data is made once, without the worker (statuses set directly); each theme and language has a browser context of
its own, and each page, loaded once, is checked at 1280 px and again in a 390 px window.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_problems
from tests.browser.conftest import login_context
from tests.people import make_busy_failure, make_generation, make_user
from tests.security.test_authorization_matrix import clip
from veoui.projects.models import Project
from veoui.review import services
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.sharing import services as sharing
from veoui.studio.models import Generation, Status
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.browser

THEMES = ("light", "dark")
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}
LANGUAGES = ("en", "es", "zh-hans")


def member_pages(video, running, failed, variation, project, scene, exported) -> list[str]:
    return [
        "/studio/text/",  # a running, a finished, a failed video and a group of variations on its list
        "/studio/frames/",
        "/studio/reference/",
        f"/videos/{running.uuid}/",
        f"/videos/{video.uuid}/",
        f"/videos/{failed.uuid}/",
        f"/videos/{variation.uuid}/",
        f"/videos/{video.uuid}/frame/?t=0.5",  # Save this frame
        "/gallery/",
        "/gallery/?q=lighthouse",
        "/projects/",
        "/projects/new/",
        f"/projects/{project.uuid}/",
        f"/projects/{project.uuid}/edit/",
        f"/projects/{project.uuid}/delete/",
        "/gallery/?favourites=on",  # the stars, the tick boxes and the bar of chosen videos
        "/notices/",  # a comment at a moment and a review state, unread (the video's page shows them too)
        "/scenes/",
        "/scenes/new/",
        f"/scenes/add/?video={video.uuid}",
        f"/scenes/{scene.uuid}/",
        f"/scenes/{scene.uuid}/preview/",
        f"/scenes/{exported.uuid}/exports/",  # a finished export with a square version, and one in the making
        "/account/password/",
        "/no-such-page/",  # 404
        "/people/",  # 403 for a member
    ]


def admin_pages(membership: Membership) -> list[str]:
    return [
        "/people/",
        f"/people/{membership.uuid}/",
        "/usage/",
        "/team/settings/",
        "/team/audit/",
        "/admin/",
    ]


def exported_scene(owner, video) -> Scene:
    """A scene of ``video`` with a finished export, its square version, and a second export under way."""
    scene = Scene.objects.create(owner=owner, title="Lighthouse launch")
    Shot.objects.create(scene=scene, position=0, generation=video)
    done = {"status": "succeeded", "file": "scenes/exports/x.mp4", "file_size": 123456, "duration_seconds": 8}
    export = SceneExport.objects.create(scene=scene, owner=owner, request_token=uuid.uuid4(), **done)
    square = {"kind": "square", "source": export}
    SceneExport.objects.create(scene=scene, owner=owner, request_token=uuid.uuid4(), **square, **done)
    SceneExport.objects.create(
        scene=scene, owner=owner, request_token=uuid.uuid4(), status=SceneExport.Status.RUNNING, progress=0.4
    )
    return scene


def sweep(page: Page, paths: list[str], where: str, language: str) -> list[str]:
    """Each page at both widths: loaded once, then checked at 1280 px and again once the window is 390 px."""
    problems = []
    for path in paths:
        page.set_viewport_size(WIDTHS["1280"])
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)  # checked in the language asked for
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            problems += axe_problems(page, f"{path} ({where}, {width} px, {language})")
    return problems


def test_no_serious_or_critical_problem_anywhere(
    playwright_browser, live_server, transactional_db, settings, tmp_path
) -> None:
    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path / "media"
    maya = make_user("maya", "Maya")
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    video = make_generation(maya, 60, prompt="A lighthouse at dawn", seed=12345)
    video.video.save("v.mp4", ContentFile(clip()), save=True)  # a real file: its player, its frames
    running = make_generation(maya, 60, status=Status.RUNNING, prompt="A lighthouse keeper waves", kie_task_id="t-1")
    failed = make_busy_failure(maya)
    group = uuid.uuid4()
    variation = make_generation(maya, 60, prompt="A lighthouse at night", group=group)
    make_generation(maya, 60, prompt="A lighthouse at night", group=group)
    make_generation(maya, 60, status=Status.FAILED, prompt="A lighthouse at night", group=group)
    project = Project.objects.create(name="Spring launch", colour="teal", created_by=maya, monthly_budget=500)
    project.members.add(maya)
    Generation.objects.filter(pk=video.pk).update(project=project, spend_project=project)
    services.add_comment(video, "The sun rises too early", at_seconds=Decimal("2.5"), author=alex)
    services.set_state(video, "changes", by=alex)
    scene = Scene.objects.create(owner=maya, title="Lighthouse ad")
    Shot.objects.create(scene=scene, position=0, generation=video)
    Shot.objects.create(scene=scene, position=1, generation=variation, join="crossfade")
    membership = Membership.objects.get(user=maya)
    exported = exported_scene(maya, video)
    # A share link of the team's video and the exported scene (with an outside comment), and one revoked since.
    shared = make_generation(maya, 60, prompt="A lighthouse for the client", seed=7)
    link = sharing.make_link(maya, [shared], [exported], days=14, allow_download=True, allow_approve=True)
    services.add_comment(shared, "Lovely, but shorter?", at_seconds=Decimal("1.5"), guest_name="Ines", link=link)
    revoked = sharing.make_link(maya, [shared], [], days=14)
    sharing.revoke(revoked, maya)
    visits = [
        (maya, [*member_pages(video, running, failed, variation, project, scene, exported), f"/share/{link.pk}/"]),
        (alex, [*admin_pages(membership), "/share/links/"]),
    ]

    problems, checked = [], 0
    for language in LANGUAGES:
        Membership.objects.filter(user__in=[maya, alex]).update(language=language)
        for theme in THEMES:
            options = {"viewport": WIDTHS["1280"], "color_scheme": theme, "bypass_csp": True}
            for user, paths in visits:
                context = login_context(playwright_browser, live_server, user, **options)
                problems += sweep(context.new_page(), paths, theme, language)
                checked += len(paths) * len(WIDTHS)
                context.close()
            # Logged out: the login page, in the language of the cookie.
            context = playwright_browser.new_context(base_url=live_server.url, **options)
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            outside = ["/login/", f"/s/{link.token}/", f"/s/{revoked.token}/"]  # a share link, and one revoked
            problems += sweep(context.new_page(), outside, theme, language)
            checked += len(outside) * len(WIDTHS)
            context.close()
    print(f"axe sweep: {checked} pages checked in {time.monotonic() - started:.0f} s")
    for problem in problems:
        print(problem)
    assert not problems, "\n".join(problems)
