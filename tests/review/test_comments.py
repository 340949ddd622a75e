"""Comments on a video: by anyone on the team who may see it, at a moment or not, escaped, with a length limit;
its owner gets one notice per comment by someone else and none for their own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.people import client_for, make_generation
from veoui.review.models import Comment, Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(maya):
    return make_generation(maya, 60, prompt="A red kite over the dunes")


def post(client, video, text: str, *, htmx: bool = False, **more: str):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/videos/{video.uuid}/comments/", {"text": text, **more}, headers=headers)


def test_it_adds_a_teammates_comment_and_tells_the_owner_once(maya, tom, video) -> None:
    response = post(client_for(tom), video, "Lovely light")
    assert response.status_code == 302 and response["Location"] == f"/videos/{video.uuid}/#comments"
    comment = Comment.objects.get()
    assert (comment.generation, comment.author, comment.text, comment.at_seconds) == (video, tom, "Lovely light", None)
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.comment, notice.by_name, notice.read_at) == (
        maya,
        Notice.Kind.COMMENT,
        comment,
        "Tom",
        None,
    )
    post(client_for(tom), video, "And the sound too")
    assert Comment.objects.count() == 2 and Notice.objects.filter(recipient=maya).count() == 2


def test_it_tells_nobody_of_the_owners_own_comment(maya, video) -> None:
    post(client_for(maya), video, "Note to self: shorter")
    assert Comment.objects.count() == 1 and Notice.objects.count() == 0


def test_it_keeps_the_moment_and_shows_it_as_a_timecode(maya, tom, video) -> None:
    post(client_for(tom), video, "The kite turns here", at_moment="on", at_seconds="65.456")
    assert Comment.objects.get().at_seconds == Decimal("65.46")
    page = client_for(maya).get(f"/videos/{video.uuid}/").content.decode()
    assert 'data-seek="65.46"' in page and ">1:05</button>" in page
    comment = Comment.objects.get()
    assert Notice.objects.get().get_absolute_url() == f"/videos/{video.uuid}/?t=65.46#comment-{comment.uuid}"


def test_it_leaves_the_seconds_out_unless_at_this_moment_is_ticked(tom, video) -> None:
    post(client_for(tom), video, "Overall fine", at_seconds="3")
    assert Comment.objects.get().at_seconds is None


def test_it_answers_htmx_with_the_panel_holding_the_new_comment(tom, video) -> None:
    response = post(client_for(tom), video, "Nice", htmx=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card review-panel" id="review-panel"') and "Nice" in page
    assert "<html" not in page and Comment.objects.count() == 1


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x" * 2001}, "A comment can be at most 2000 characters long (this one has 2001)."),
        ({"text": "   "}, "Write your comment first."),
        ({"text": "Here", "at_moment": "on"}, "Give the second of the video, or untick"),
        ({"text": "Here", "at_moment": "on", "at_seconds": "soon"}, "Give the moment in seconds"),
        ({"text": "Here", "at_moment": "on", "at_seconds": "-1"}, "greater than or equal to 0"),
    ],
)
def test_it_says_what_is_wrong_next_to_the_field(maya, tom, video, data, message, htmx) -> None:
    data = dict(data)
    response = post(client_for(tom), video, data.pop("text"), htmx=htmx, **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field-error"' in page and message in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert ("<html" in page) is not htmx  # a plain POST gets the whole page back, with the video
    assert Comment.objects.count() == 0 and Notice.objects.count() == 0


def test_it_shows_a_comment_as_escaped_text_with_no_link(maya, tom, video) -> None:
    hostile = (
        '<script>alert("hi")</script> see https://evil.example.com/x and <a href="https://evil.example.com">it</a>'
    )
    post(client_for(tom), video, hostile)
    for path in (f"/videos/{video.uuid}/", "/notices/"):
        page = client_for(maya).get(path).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in page, path
        assert 'href="https://evil.example.com' not in page, path
        assert "see https://evil.example.com/x and &lt;a href=" in page, path


def test_a_teammate_facing_a_private_video_gets_404_and_changes_nothing(maya, tom) -> None:
    private = make_generation(maya, 60, visibility="private")
    client = client_for(tom)
    for path, data in [
        (f"/videos/{private.uuid}/comments/", {"text": "Peek"}),
        (f"/videos/{private.uuid}/review/", {"state": "approved"}),
    ]:
        for headers in ({}, {"HX-Request": "true"}):
            assert client.post(path, data, headers=headers).status_code == 404
    assert Comment.objects.count() == 0 and Notice.objects.count() == 0
    assert not private.__class__.objects.filter(review__isnull=False).exists()


def test_an_admin_may_comment_on_a_private_video(maya, admin) -> None:
    private = make_generation(maya, 60, visibility="private")
    assert post(client_for(admin), private, "Checked").status_code == 302
    assert Comment.objects.filter(generation=private, author=admin).count() == 1
    assert Notice.objects.filter(recipient=maya).count() == 1


def test_a_deleted_video_takes_no_comment(maya, tom, video) -> None:
    video.__class__.objects.filter(pk=video.pk).update(deleted_at=video.created_at)
    assert post(client_for(tom), video, "Too late").status_code == 404
    assert Comment.objects.count() == 0
