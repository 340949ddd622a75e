"""Fuzzing every form with Hypothesis: no submission makes a server error, and every refusal says why, by the field.

The counts are printed at the end of the run (tests/reliability/conftest.py).
"""

from __future__ import annotations

import io
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.people import PASSWORD
from tests.reliability.conftest import FUZZ
from veoui.studio import rules
from veoui.studio.models import Generation, Rendition, Status
from veoui.team import people
from veoui.team.models import LoginAttempt, Membership, Role

FUZZ_SETTINGS = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzzing(examples: int) -> settings:
    return settings(FUZZ_SETTINGS, max_examples=examples)


# A message shown next to a field (the studio's data-error-for, one line of its pictures' messages, the team's
# field-error) or for the whole form.
MESSAGE = re.compile(
    r'(?:data-error-for="[^"]+"[^>]*>|class="field-error(?:__line)?"[^>]*>|class="form-error[^"]*"[^>]*>|'
    r'class="errorlist[^"]*"[^>]*>\s*<li>|class="message message--error"[^>]*>)\s*[^<\s]'
)


# --- values ---------------------------------------------------------------------------------------------------

CONTROL = st.characters(min_codepoint=0, max_codepoint=31)
nasty_text = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=CONTROL, min_size=1, max_size=5).map(lambda c: f"a lighthouse{c}at dusk"),
    st.sampled_from(["x" * 5001, "é" * 20_000, "🎬" * 3000, " " * 300, "\u202e\u200b\ufeff", "<script>x</script>"]),
    st.integers().map(str),
    st.sampled_from(["null", "[]", "{}", "true", "NaN", "-0", "1e309", "%00", "\\x00"]),
)
valid_prompt = st.sampled_from(["A lighthouse in a storm", "Un phare dans la tempête", "灯塔"])
tokens = st.one_of(st.uuids().map(str), st.just(""), nasty_text)


@st.composite
def mutated(draw: st.DrawFn, valid: dict, fuzzed: dict) -> dict:
    """A valid submission with a few of its fields (none, some, or all) replaced by hostile values."""
    keys = sorted(fuzzed)
    chosen = set(keys) if draw(st.integers(0, 4)) == 0 else draw(st.sets(st.sampled_from(keys), max_size=3))
    return {k: draw(fuzzed[k]) if k in chosen else valid.get(k) for k in keys}


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Present with a value, or absent (None: the field isn't posted at all)."""
    return st.one_of(st.none(), strategy)


# --- pictures ---------------------------------------------------------------------------------------------------


def _image(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "#3366cc").save(buffer, fmt)
    return buffer.getvalue()


GOOD_PNG = _image(320, 320)
UPLOADS = {
    "good.png": GOOD_PNG,
    "good.jpg": _image(320, 320, "JPEG"),
    "truncated.png": GOOD_PNG[: len(GOOD_PNG) // 2],
    "header-only.jpg": _image(320, 320, "JPEG")[:40],
    "empty.png": b"",
    "wrong-extension.gif": GOOD_PNG,
    "really-a-png.txt": GOOD_PNG,
    "page.png": b"<!doctype html><html><script>alert(document.cookie)</script></html>",
    "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><script>alert(1)</script></svg>',
    "drawing.png": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "tiny.png": _image(16, 16),
    "animated.gif": _image(320, 320, "GIF"),
    "bomb.png": _image(30_000, 30_000, "PNG", mode="1"),  # a few KB that would decode to 900 megapixels
    "huge.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * (1024 * 1024 + 512),  # over the 1 MB limit set below
    "nul\x00name.png": GOOD_PNG,
    "../../etc/passwd.png": GOOD_PNG,
}
upload_names = st.sampled_from(sorted(UPLOADS))


def upload(name: str) -> io.BytesIO:
    buffer = io.BytesIO(UPLOADS[name])
    buffer.name = name.replace("\x00", "")
    return buffer


# --- the harness ------------------------------------------------------------------------------------------------


def answer(client: Client, form: str, path: str, data: dict, *, htmx: bool = False, follow: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(path, {k: v for k, v in data.items() if v is not None}, headers=headers, follow=follow)
    FUZZ[form][response.status_code] += 1
    FUZZ["all"]["submissions"] += 1
    FUZZ["all"][response.status_code] += 1
    assert response.status_code < 500, f"{form}: {response.status_code} for {data!r}"
    response.text = response.content.decode("utf-8", "replace") if not response.streaming else ""
    return response


def assert_explained(form: str, status: int, body: str, data: dict, known_gap: str = "") -> None:
    """A refused submission is answered with the form again and a message in it, not a bare error page.

    known_gap names a refusal the page is known not to explain yet (see the strict xfail tests below): counted
    and printed, not hidden.
    """
    assert status in {200, 429}, f"{form}: {status} for {data!r}"
    if not MESSAGE.search(body) and known_gap:
        FUZZ[form][f"UNEXPLAINED ({known_gap})"] += 1
        return
    assert MESSAGE.search(body), f"{form}: no message shown for {data!r}"
    FUZZ[form]["explained"] += 1


@pytest.fixture
def people_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VEOUI_UPLOAD_MAX_MB = 1
    admin = get_user_model().objects.create_user("ada", password=PASSWORD)
    people.apply_role(admin, Role.ADMIN)
    member = get_user_model().objects.create_user("maya", password=PASSWORD)
    admin_client, member_client = Client(raise_request_exception=False), Client(raise_request_exception=False)
    admin_client.force_login(admin)
    member_client.force_login(member)
    return {"admin": admin, "member": member, "admin_client": admin_client, "member_client": member_client}


# --- the studio, each mode ------------------------------------------------------------------------------------


ADDRESSES = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(
        [
            "https://93.184.215.14/a.png",
            "http://127.0.0.1:8000/a.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/a.png",
            "javascript:alert(1)",
            "ftp://example.com/a.png",
            "https://" + "a" * 2100 + ".com/x.png",
            "//evil.example/a.png",
            "https://exa mple.com/a.png",
        ]
    ),
    nasty_text,
)


def studio_data(mode: str, slug: str) -> st.SearchStrategy[dict]:
    slots = rules.MODES[mode].max_images
    fields = {
        "submission_token": st.one_of(st.uuids().map(str), st.none(), st.just("replay"), nasty_text),
        "prompt": maybe(st.one_of(valid_prompt, nasty_text)),
        "model": maybe(st.one_of(st.sampled_from(list(rules.MODELS)), nasty_text)),
        "aspect_ratio": maybe(st.one_of(st.sampled_from(["16:9", "9:16", "Auto", "4:3", "1:1"]), nasty_text)),
        "seed": maybe(st.one_of(st.integers(-(10**20), 10**20).map(str), st.just("12345"), nasty_text)),
        "watermark": maybe(nasty_text),
        "enable_translation": maybe(st.sampled_from(["on", "off", "", "true", "0", "🙂"])),
        "visibility": maybe(st.one_of(st.sampled_from(["team", "private", "public", "everyone"]), nasty_text)),
        # One slot more than the mode takes: too many pictures is a case too.
        **{f"image_{n}": maybe(upload_names) for n in range(1, slots + 2)},
        **{f"image_url_{n}": ADDRESSES for n in range(1, slots + 2)},
    }
    return st.uuids().map(str).flatmap(lambda token: mutated({**VALID_STUDIO[slug], "submission_token": token}, fields))


@pytest.mark.parametrize(
    ("mode", "slug"), [(rules.TEXT, "text"), (rules.FRAMES, "frames"), (rules.REFERENCE, "reference")]
)
def test_it_fuzzes_the_studio_form_of_each_mode(people_world, mode: str, slug: str) -> None:
    client = people_world["member_client"]
    used = str(uuid.uuid4())
    first = answer(client, f"studio {slug}", f"/studio/{slug}/", {**VALID_STUDIO[slug], "submission_token": used})
    assert first.status_code == 302, first.text[:2000]
    form = f"studio {slug}"

    @fuzzing(230)
    @given(data=studio_data(mode, slug), htmx=st.booleans())
    def fuzz(data: dict, htmx: bool) -> None:
        if data["submission_token"] == "replay":
            data["submission_token"] = used
        before = Generation.objects.count()
        files = {k: upload(v) for k, v in data.items() if re.fullmatch(r"image_\d", k) and v}
        response = answer(client, form, f"/studio/{slug}/", {**data, **files}, htmx=htmx)
        created = Generation.objects.count() - before
        if data["submission_token"] == used:
            assert created == 0, "a replayed submission token created a second generation"
        # Refused: the form again (as a page, or as htmx's partial retargeted onto the form), with a message.
        refused = response.status_code == 200 and (not htmx or response.get("HX-Retarget") == "#generate-form")
        if refused:
            assert created == 0
            gap = "forged visibility" if data.get("visibility") not in (None, "", "team", "private") else ""
            assert_explained(form, response.status_code, response.text, data, known_gap=gap)
        else:
            assert response.status_code in {200, 302}, response.status_code
            FUZZ[form]["accepted" if created else "replayed"] += 1

    fuzz()


VALID_STUDIO = {
    "text": {"prompt": "A lighthouse", "model": "veo3_fast", "aspect_ratio": "16:9"},
    "frames": {
        "prompt": "A lighthouse",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "image_url_1": "https://93.184.215.14/a.png",
    },
    "reference": {
        "prompt": "A lighthouse",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "image_url_1": "https://93.184.215.14/a.png",
    },
}


# --- the rendition form (1080P, 4K, extend) --------------------------------------------------------------------


@pytest.fixture
def finished_video(people_world) -> Generation:
    generation = Generation.objects.create(
        owner=people_world["member"],
        mode=rules.TEXT,
        model="veo3_fast",
        prompt="A lighthouse",
        aspect_ratio="16:9",
        submission_token=uuid.uuid4(),
        status=Status.SUCCEEDED,
        kie_task_id="task-fuzz",
        estimated_credits=Decimal(60),
    )
    generation.video.save("v.mp4", ContentFile(b"video"), save=False)
    generation.poster.save("p.jpg", ContentFile(b"poster"), save=True)
    return generation


def test_it_fuzzes_the_rendition_form(people_world, finished_video: Generation) -> None:
    client = people_world["member_client"]
    path = f"/videos/{finished_video.uuid}/renditions/"
    used = str(uuid.uuid4())
    first = answer(client, "rendition", path, {"kind": "1080p", "request_token": used})
    assert first.status_code == 302 and Rendition.objects.count() == 1

    fields = {
        "kind": maybe(st.one_of(st.sampled_from(["1080p", "4k", "extend", "8k", "1080P", ""]), nasty_text)),
        "request_token": st.one_of(st.none(), st.just("replay"), st.uuids().map(str), nasty_text),
        "prompt": maybe(st.one_of(valid_prompt, nasty_text)),
        "model": maybe(st.one_of(st.sampled_from(list(rules.MODELS)), nasty_text)),
    }
    valid = {"kind": "extend", "prompt": "Then the storm clears", "model": "veo3_fast"}

    @fuzzing(150)
    @given(data=st.uuids().map(str).flatmap(lambda token: mutated({**valid, "request_token": token}, fields)))
    def fuzz(data: dict) -> None:
        if data["request_token"] == "replay":
            data["request_token"] = used
        before = Rendition.objects.count()
        response = answer(client, "rendition", path, data)
        created = Rendition.objects.count() - before
        if data["request_token"] == used:
            assert created == 0, "a replayed request token made a second rendition"
        assert response.status_code == 302
        if "#rendition-" in response["Location"]:
            FUZZ["rendition"]["accepted" if created else "replayed"] += 1
        else:
            # Refused: back on the video's page with the reason in the message bar.
            assert created == 0
            page = client.get(response["Location"])
            assert_explained("rendition", page.status_code, page.content.decode(), data)

    fuzz()


# --- the team's forms -------------------------------------------------------------------------------------------

username = st.one_of(st.sampled_from(["sam", "ada", "maya", "MAYA", "a.b@c+d-e_f"]), nasty_text)
budget = maybe(
    st.one_of(
        st.sampled_from(["500", "0", "-1", "1e3", "12.345", "9" * 30, "NaN", "Infinity", "1,000", " 42 "]), nasty_text
    )
)
role = maybe(st.one_of(st.sampled_from(["member", "admin", "owner", "ADMIN", ""]), nasty_text))
password = st.one_of(st.just("a-long-unusual-passphrase-42"), st.just("12345678"), st.just("password"), nasty_text)


def fuzz_team_form(client: Client, form: str, path: str, valid: dict, fields: dict, examples: int) -> None:
    @fuzzing(examples)
    @given(data=mutated(valid, fields))
    def fuzz(data: dict) -> None:
        response = answer(client, form, path, data)
        if response.status_code == 302:
            FUZZ[form]["accepted"] += 1
        else:
            assert_explained(form, response.status_code, response.text, data, known_gap=empty_post(data))

    fuzz()


def empty_post(data: dict) -> str:
    # Views written `Form(request.POST or None)` take a POST with no fields at all for a visit to the page.
    return "empty POST shown as a fresh form" if all(v is None for v in data.values()) else ""


def test_it_fuzzes_the_team_forms(people_world) -> None:
    admin = people_world["admin_client"]
    person = Membership.objects.get(user=people_world["member"])
    fuzz_team_form(
        admin,
        "invite",
        "/people/invite/",
        {"note": "Sam", "role": "member"},
        {"note": nasty_text, "role": role, "monthly_budget": budget},
        60,
    )
    fuzz_team_form(
        admin,
        "add person",
        "/people/add/",
        {"username": "sam", "first_name": "Sam", "role": "member"},
        {"username": username, "first_name": maybe(nasty_text), "role": role, "monthly_budget": budget},
        100,
    )
    fuzz_team_form(
        admin, "person", f"/people/{person.uuid}/", {"role": "member"}, {"role": role, "monthly_budget": budget}, 60
    )
    fuzz_team_form(
        admin,
        "team settings",
        "/team/settings/",
        {"monthly_budget": "1000"},
        {"monthly_budget": budget, "low_balance_threshold": budget},
        60,
    )


def test_it_fuzzes_joining_and_changing_passwords(people_world) -> None:
    admin = people_world["admin"]
    fields = {"username": username, "first_name": maybe(nasty_text), "password1": password, "password2": password}
    valid = {"username": "sam", "first_name": "Sam", "password1": "a-long-unusual-passphrase-42"}
    valid["password2"] = valid["password1"]

    @fuzzing(80)
    @given(data=mutated(valid, fields))
    def join(data: dict) -> None:
        _invite, token = people.create_invite(note="fuzz", role=Role.MEMBER, monthly_budget=None, by=admin)
        response = answer(Client(raise_request_exception=False), "join", f"/join/{token}/", data)
        if response.status_code == 302:
            FUZZ["join"]["accepted"] += 1
        else:
            assert_explained("join", response.status_code, response.text, data, known_gap=empty_post(data))

    join()
    member = Client(raise_request_exception=False)
    member.force_login(people_world["member"])
    fields = {"current": st.one_of(st.just(PASSWORD), nasty_text), "password1": password, "password2": password}
    valid = {
        "current": PASSWORD,
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
    }

    @fuzzing(80)
    @given(data=mutated(valid, fields))
    def change(data: dict) -> None:
        response = answer(member, "change password", "/account/password/", data)
        if response.status_code == 302:
            FUZZ["change password"]["accepted"] += 1
            people_world["member"].set_password(PASSWORD)
            people_world["member"].save()
            member.force_login(people_world["member"])
        else:
            assert_explained("change password", response.status_code, response.text, data, known_gap=empty_post(data))

    change()


# --- logging in -------------------------------------------------------------------------------------------------


def test_it_fuzzes_the_login_form(people_world, settings) -> None:
    fields = {"username": maybe(username), "password": maybe(st.one_of(st.just(PASSWORD), nasty_text))}

    @fuzzing(150)
    @given(data=mutated({"username": "maya", "password": PASSWORD}, fields))
    def fuzz(data: dict) -> None:
        LoginAttempt.objects.all().delete()  # the throttle would answer everything after a few failures
        response = answer(Client(raise_request_exception=False), "login", "/login/", data)
        if response.status_code == 302:
            FUZZ["login"]["accepted"] += 1
        else:
            # The login page shows only "username and password don't match", never a field's own error.
            field_error = any(not (v or "").strip() or "\x00" in (v or "") for v in data.values())
            gap = "a field's own error not shown" if field_error else ""
            assert_explained("login", response.status_code, response.text, data, known_gap=gap)

    fuzz()


def test_the_login_page_explains_an_empty_field(people_world) -> None:
    response = Client().post("/login/", {"username": "maya", "password": ""})
    assert MESSAGE.search(response.content.decode())


def test_the_studio_explains_a_forged_visibility(people_world) -> None:
    data = {**VALID_STUDIO["text"], "submission_token": str(uuid.uuid4()), "visibility": "public"}
    response = people_world["member_client"].post("/studio/text/", data)
    assert response.status_code == 200 and MESSAGE.search(response.content.decode())
