"""Target 4: the gallery with 10,000 generations: page 1 and a filtered page, in a constant number of queries and
under 60 ms of server time (median). Measured in-process (Django's test client: the whole middleware stack,
no network), first with 100 generations, then with 10,000, so the query counts can be compared."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from bench import common

REQUESTS = 30
PAGES = {
    "page 1": "/gallery/",
    "filtered page": "/gallery/?whose=team&model=veo3_fast&status=succeeded&page=3",
    "search": "/gallery/?q=harbour&page=2",
    "two-word search": "/gallery/?q=BOAT+paper",
}
# The targets; prompt searches are printed too (they read every row: no index serves "contains").
TARGETS = {"page 1", "filtered page"}


def add_generations(users: list, count: int) -> None:
    from django.utils import timezone

    from veoui.studio import rules
    from veoui.studio.models import Generation, new_callback_token

    template = common.new_generation(users[0])
    fields = {k: v for k, v in template.__dict__.items() if not k.startswith("_") and k not in {"id"}}
    pick = random.Random(8)
    statuses = ["succeeded"] * 8 + ["failed", "running"]
    subjects = ["harbour at dawn", "a paper boat", "city lights", "a red kite", "snow on pines", "a busy market"]
    now = timezone.now()
    batch = []
    for index in range(count):
        owner = users[index % len(users)]
        batch.append(
            Generation(
                **{
                    **fields,
                    "uuid": uuid.uuid4(),
                    "submission_token": uuid.uuid4(),
                    "callback_token": new_callback_token(),
                    "owner_id": owner.pk,
                    "status": pick.choice(statuses),
                    "mode": pick.choice(list(rules.MODES)),
                    "model": pick.choice(list(rules.MODELS)),
                    "visibility": "private" if index % 7 == 0 else "team",
                    "prompt": f"{pick.choice(subjects)}, take {index}",
                    "created_at": now - timedelta(seconds=count - index),
                }
            )
        )
    Generation.objects.bulk_create(batch, batch_size=500)


def measure(client, url: str) -> tuple[float, int]:
    from django.db import connection

    assert client.get(url).status_code == 200
    queries = []

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return common.median(times), len(queries)


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_gallery")
    env = common.environment(database, workdir / "media", KIE_API_KEY=common.SIMULATOR_KEY)
    common.manage(env, "migrate", "--noinput")
    common.use_in_this_process(env)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    people = get_user_model().objects
    users = [people.create_user(name, password=common.PASSWORD) for name in ("maya", "ravi", "lea")]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(users[0])
    constant, _ = measure(client, "/bench/constant/")
    add_generations(users, 100)
    small = {name: measure(client, url) for name, url in PAGES.items()}
    add_generations(users, 9_900)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by now. SQLite has no such thing and veoui never runs ANALYZE there.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    large = {name: measure(client, url) for name, url in PAGES.items()}
    for name in PAGES:
        (ms, queries), (_, small_queries) = large[name], small[name]
        print(
            f"gallery on {options.db}, {name}: median {ms:.1f} ms with 10,000 videos, {queries} queries "
            f"({small_queries} with 100); constant view {constant:.1f} ms"
        )
        if name not in TARGETS:
            continue
        common.row(
            f"4. gallery {name}, 10,000 videos ({options.db}): median < 60 ms, queries as with 100",
            f"{ms:.1f} ms, {queries} queries",
            f"{constant:.1f} ms constant view; {small_queries} queries with 100",
            ms / constant,
            ms < 60 and queries == small_queries,
        )


if __name__ == "__main__":
    main()
