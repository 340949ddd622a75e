"""Prepared reads: the session, the person and a visible video, read with SQL written once, must be exactly what
Django's ORM reads (every field, converted the same way, related objects included) and follow the same rules."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.team.conftest import client_for, make_generation, make_user
from veoui.core.prepared import PreparedRead
from veoui.core.sessions import SessionStore
from veoui.studio.models import Generation
from veoui.studio.views import VISIBLE_GENERATION, visible_to
from veoui.team.backends import PERSON, MemberBackend
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


def values(instance: models.Model) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def make(owner, **fields) -> Generation:
    fields.setdefault("finished_at", timezone.now())
    return make_generation(owner, "60.5", result_urls=["https://example.com/a.mp4"], seed=12345, **fields)


def test_the_person_is_read_with_their_membership_as_the_orm_reads_them() -> None:
    maya = make_user("maya", "Maya")
    Membership.objects.filter(user=maya).update(must_change_password=True, language="es")
    expected = get_user_model().objects.select_related("membership").get(pk=maya.pk)
    with CaptureQueriesContext(connection) as queries:
        person = PERSON.get(user_id=maya.pk)
        membership = person.membership
    assert len(queries) == 1
    assert values(person) == values(expected)
    assert values(membership) == values(expected.membership)
    assert membership.user is person  # the way back costs no query either
    assert membership.must_change_password is True and person.is_active is True


def test_a_person_without_a_membership_has_none_as_with_select_related() -> None:
    tom = make_user("tom", "Tom")
    Membership.objects.filter(user=tom).delete()
    person = PERSON.get(user_id=tom.pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(Membership.DoesNotExist):
        person.membership  # noqa: B018
    assert len(queries) == 0
    assert PERSON.get(user_id=tom.pk + 1000) is None


def test_the_login_backend_refuses_a_switched_off_account() -> None:
    alex = make_user("alex", "Alex", active=False)
    assert MemberBackend().get_user(alex.pk) is None
    assert MemberBackend().get_user(make_user("sam", "Sam").pk).username == "sam"


def test_a_session_is_found_only_while_it_lasts() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(store.session_key).load() == {"answer": 42}
    assert len(queries) == 1
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # as Django's store: a new key is made if anything is saved
    assert SessionStore("no-such-session-key-0123456789").load() == {}


def test_logging_out_ends_the_session_for_the_next_request() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    assert client.get("/gallery/").status_code == 200
    client.post("/logout/")
    response = client.get("/gallery/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_video_is_read_as_the_orm_reads_it_with_every_kind_of_field() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya, submitted_at=timezone.now() - timedelta(minutes=2), error_message="Fine in the end")
    expected = Generation.objects.select_related("owner").get(pk=generation.pk)
    with CaptureQueriesContext(connection) as queries:
        read = VISIBLE_GENERATION.get(public_id=generation.uuid, viewer_id=maya.pk, staff=False, with_owner=True)
        owner = read.owner
    assert len(queries) == 1
    assert values(read) == values(expected)
    assert values(owner) == values(expected.owner)
    assert isinstance(read.uuid, uuid.UUID) and read.result_urls == expected.result_urls
    assert read.estimated_credits == Decimal("60.5") and read.finished_at == expected.finished_at
    lean = VISIBLE_GENERATION.get(public_id=generation.uuid, viewer_id=maya.pk, staff=False, with_owner=False)
    assert values(lean) == values(expected)
    assert "owner" not in lean._state.fields_cache


@pytest.mark.parametrize("staff", [False, True])
def test_who_may_see_a_video_is_the_visibility_rule_itself(staff: bool) -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    videos = [
        make(tom, visibility="team"),
        make(tom, visibility="private"),
        make(maya, visibility="private"),
        make(tom, visibility="team", deleted_at=timezone.now()),
    ]
    expected = set(visible_to(maya.pk, staff).values_list("uuid", flat=True))
    seen = {
        video.uuid
        for video in videos
        if VISIBLE_GENERATION.get(public_id=video.uuid, viewer_id=maya.pk, staff=staff, with_owner=False)
    }
    assert seen == expected
    assert len(seen) == (3 if staff else 2)
    assert VISIBLE_GENERATION.get(public_id=uuid.uuid4(), viewer_id=maya.pk, staff=staff, with_owner=False) is None


def test_each_thread_reads_with_its_own_connection(transactional_db) -> None:
    maya = make_user("maya", "Maya")
    found, errors = [], []

    def read() -> None:
        try:
            found.append(PERSON.get(user_id=maya.pk).username)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and found == ["maya"] * 4


def test_more_than_one_row_is_refused_as_get_refuses_it() -> None:
    maya = make_user("maya", "Maya")
    make(maya, prompt="same"), make(maya, prompt="same", submission_token=uuid.uuid4())
    by_prompt = PreparedRead(
        lambda prompt: Generation.objects.filter(prompt=prompt), prompt=Generation._meta.get_field("prompt")
    )
    with pytest.raises(Generation.MultipleObjectsReturned):
        by_prompt.get(prompt="same")
    assert by_prompt.get(prompt="other") is None


def test_a_value_the_sql_cannot_carry_is_refused_at_once() -> None:
    written_in = PreparedRead(
        lambda seed: Generation.objects.extra(where=[f"seed = {int(seed)}"]),  # noqa: S610 - a whole number
        seed=Generation._meta.get_field("seed"),
    )
    with pytest.raises(TypeError, match="can't pass 'seed'"):
        written_in.get(seed=1)
    by_flag = PreparedRead(
        lambda flag: Generation.objects.filter(has_audio=flag), flag=Generation._meta.get_field("has_audio")
    )
    with pytest.raises(TypeError, match="no stand-in"):
        by_flag.get(flag=True)
