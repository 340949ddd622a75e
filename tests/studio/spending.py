"""Helpers for the tests of what spends credits: the forms as a page renders them, and what the month has cost."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.test import Client

from veoui.studio.models import Generation, Rendition, Status
from veoui.team import budgets

FORM = re.compile(r"<form\b[^>]*\baction=\"(?P<action>[^\"]+)\"[^>]*>(?P<body>.*?)</form>", re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')
BUTTON = re.compile(r"<button\b[^>]*>(?P<label>.*?)</button>", re.S)


def forms(page: str) -> list[dict]:
    """Every form of a page: its address, its hidden fields and its buttons' words, as a browser would send them."""
    found = []
    for match in FORM.finditer(page):
        hidden = {m["name"]: m["value"] for m in HIDDEN.finditer(match["body"])}
        buttons = [html.unescape(re.sub(r"<[^>]+>", "", b["label"])).strip() for b in BUTTON.finditer(match["body"])]
        found.append({"action": html.unescape(match["action"]), "fields": hidden, "buttons": buttons})
    return found


def form_posting_to(client: Client, page_url: str, action: str, **hidden: str) -> dict:
    """The one form of the page at ``page_url`` that posts to ``action`` (and has the ``hidden`` fields given)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    matching = [
        form
        for form in forms(page.content.decode())
        if form["action"] == action and all(form["fields"].get(k) == v for k, v in hidden.items())
    ]
    assert len(matching) == 1, [f["action"] for f in forms(page.content.decode())]
    return matching[0]


def spent_this_month(user: object | None = None) -> Decimal:
    start = budgets.month_start()
    return budgets.spent(since=start, until=budgets.next_month(start), user=user)


def together(count: int, press: Callable[[int], object]) -> list[object]:
    """``press(i)`` from ``count`` threads released at the same moment, each on its own database connection."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = press(index)
        except Exception as error:  # reported by the caller, with the thread's own exception
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def four_k_held_open(client: Client, worker: object, kie: object) -> tuple[Generation, Rendition]:
    """A finished video and its 4K version, which kie.ai is working on and won't finish until the test says so."""
    from tests.studio.test_flow import finished, submit

    video = submit(client, "text")
    worker.wait_for(finished(video))
    kie.control.configure(min_seconds=600, max_seconds=600)
    offer = form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/renditions/", kind="4k")
    client.post(offer["action"], offer["fields"])
    rendition = Rendition.objects.get(generation=video)
    worker.wait_for(lambda: Rendition.objects.get(pk=rendition.pk).status == Status.RUNNING)
    rendition.refresh_from_db()
    return video, rendition
