"""Every page, walked as a member and as an admin (and logged out), has each id once, and every label names a field
that is there: a label must never focus the field of another form on the same page.

The pages are the resolver's own list (tests/browser/test_accessibility.py's NOT_PAGES names those that are not
pages): a new page that is not walked here fails ``test_it_walks_every_page``.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import get_resolver, resolve

from tests.browser.test_accessibility import NOT_PAGES
from tests.people import make_generation
from tests.projects.helpers import make_project
from tests.security.test_authorization_matrix import clip, url_names
from veoui.scenes.models import Scene, Shot
from veoui.sharing import services as sharing
from veoui.studio.models import Status
from veoui.team import people
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"]] += 1
        if tag == "label" and found.get("for"):
            self.label_targets.append(found["for"])


def id_problems(html: str) -> list[str]:
    parser = Ids()
    parser.feed(html)
    twice = [f"id {name!r} {count} times" for name, count in parser.ids.items() if count > 1]
    lost = [f"label for {name!r} names no element" for name in parser.label_targets if name not in parser.ids]
    return twice + lost


def member_pages(maya, video, failed) -> list[str]:
    return feature_pages(maya, video) + [
        "/studio/text/",
        "/studio/frames/",
        "/studio/reference/",
        "/studio/text/?try=1",
        f"/studio/text/?from={video.uuid}",
        "/gallery/",
        "/gallery/?q=lighthouse&status=succeeded",
        f"/videos/{video.uuid}/",
        f"/videos/{failed.uuid}/",
        f"/videos/{video.uuid}/frame/?t=0.5",
        "/account/password/",
        "/no-such-page/",  # 404
        "/people/",  # 403 for a member
    ]


def feature_pages(maya, video) -> list[str]:
    """The pages of projects, scenes and review, with something of Maya's on each."""
    project = make_project("Spring launch", maya)
    scene = Scene.objects.create(owner=maya, title="Lighthouse ad")
    Shot.objects.create(scene=scene, position=0, generation=video)
    link = sharing.make_link(maya, [video], [scene], days=14, allow_download=True, allow_approve=True)
    return [
        f"/share/{link.pk}/",
        f"/s/{link.token}/",  # what someone outside the team opens
        "/scenes/",
        "/scenes/new/",
        f"/scenes/add/?video={video.uuid}",
        f"/scenes/{scene.uuid}/",
        f"/scenes/{scene.uuid}/preview/",
        f"/scenes/{scene.uuid}/exports/",
        "/projects/",
        "/projects/new/",
        f"/projects/{project.uuid}/",
        f"/projects/{project.uuid}/edit/",
        f"/projects/{project.uuid}/delete/",
        "/notices/",
    ]


def admin_pages(membership: Membership) -> list[str]:
    return [
        "/people/",
        f"/people/{membership.uuid}/",
        "/usage/",
        "/team/settings/",
        "/team/audit/",
        "/team/audit/?kind=nothing-such",  # a filter's message beside its field
        "/share/links/",
        "/admin/",
        "/admin/auth/user/",
    ]


def walk(client: Client, paths: list[str]) -> tuple[list[str], set[str]]:
    problems, seen = [], set()
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        problems += [f"{path}: {problem}" for problem in id_problems(response.content.decode())]
        match = resolve(path.split("?")[0]) if response.status_code != 404 else None
        if match:
            seen.add(f"{match.namespaces[0]}:" if match.namespaces else match.url_name)
    return problems, seen


@pytest.fixture
def videos(member, settings, tmp_path) -> tuple:
    settings.MEDIA_ROOT = tmp_path / "media"
    video = make_generation(member, 60, prompt="A lighthouse at dawn", seed=12345)
    video.video.save("v.mp4", ContentFile(clip()), save=True)  # a real file: its frames can be taken
    failed = make_generation(member, 60, status=Status.FAILED, error_message="The prompt was refused.")
    return video, failed


def test_it_walks_every_page_as_a_member_without_a_duplicate_id(member_client: Client, member, videos) -> None:
    problems, _seen = walk(member_client, member_pages(member, *videos))
    assert not problems, "\n".join(problems)


def test_it_walks_every_page_as_an_admin_without_a_duplicate_id(admin_client: Client, admin, member, videos) -> None:
    membership = Membership.objects.get(user=member)
    problems, _seen = walk(admin_client, member_pages(member, *videos) + admin_pages(membership))
    # People with a form showing its errors, both forms side by side.
    invalid = admin_client.post("/people/add/", {"username": "", "role": Role.MEMBER, "monthly_budget": "lots"})
    problems += [f"people with errors: {problem}" for problem in id_problems(invalid.content.decode())]
    assert not problems, "\n".join(problems)


def test_it_gives_each_form_on_people_its_own_ids(admin_client: Client) -> None:
    html = admin_client.get("/people/").content.decode()
    for field in ("role", "monthly_budget"):
        assert f'<label for="invite_{field}">' in html and f'id="invite_{field}"' in html
        assert f'<label for="add_{field}">' in html and f'id="add_{field}"' in html
        assert f'id="id_{field}"' not in html


def test_it_walks_every_page_logged_out_and_the_pages_made_once(admin, admin_client: Client) -> None:
    invite, token = people.create_invite(note="Sam", role=Role.MEMBER, monthly_budget=Decimal(100), by=admin)
    problems, seen = walk(Client(), ["/login/", f"/join/{token}/", "/no-such-page/"])
    admin_client.post("/people/invite/", {"note": "Kim", "role": Role.MEMBER})
    created = admin_client.get("/people/created/")
    problems += [f"/people/created/: {problem}" for problem in id_problems(created.content.decode())]
    for template in ("400.html", "500.html"):
        problems += [f"{template}: {problem}" for problem in id_problems(render_to_string(template))]
    assert not problems, "\n".join(problems)
    assert {"login", "join"} <= seen


def test_it_walks_every_page(admin_client: Client, admin, member, member_client: Client, videos) -> None:
    membership = Membership.objects.get(user=member)
    _problems, seen = walk(admin_client, member_pages(member, *videos) + admin_pages(membership))
    seen |= {"login", "join", "people_created"}  # walked in the test above
    missing = url_names(get_resolver().url_patterns) - seen - NOT_PAGES.keys()
    assert not missing, f"pages nobody walked: {sorted(missing)}"
