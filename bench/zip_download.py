"""Target: the gallery's Download as ZIP of 10 videos of 50 MB raises the web process's peak memory by less than
30 MB: the ZIP is streamed, never held whole.

gunicorn in its shipped configuration (one process, so the request lands where the memory is read) serves a ZIP of
one small video first (its peak memory after that is the baseline), then a ZIP of the ten big ones, read to disk by
this script and opened to check it holds them all; the kernel's high-water mark of the web process's resident
memory (VmHWM) is read before and after.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import requests

from bench import common
from bench.memory import make_video, peak_kb

VIDEOS = 10
BIG_MB = 50
LIMIT_MB = 30


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    media = workdir / "media"
    stored = media / "videos" / "bench"
    stored.mkdir(parents=True, exist_ok=True)
    make_video(stored, "small.mp4")
    big = make_video(stored, "big-0.mp4", BIG_MB * 1024 * 1024)
    for n in range(1, VIDEOS):  # the same bytes under ten names: ten files for veoui, one on the disk
        os.link(big, stored / f"big-{n}.mp4")
    database = common.database_environment(options.db, workdir, "veoui_bench_zip")
    env = common.environment(database, media, KIE_API_KEY=common.SIMULATOR_KEY, WEB_CONCURRENCY="1")
    common.manage(env, "migrate", "--noinput")
    common.manage(env, "collectstatic", "--noinput", "-v", "0")
    common.use_in_this_process(env)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from veoui.studio.models import Generation

    user = get_user_model().objects.create_user("bench", password=common.PASSWORD)

    def stored_video(name: str) -> str:
        generation = common.new_generation(user, prompt=f"ZIP bench: {name}")
        Generation.objects.filter(pk=generation.pk).update(status="succeeded", video=f"videos/bench/{name}")
        return str(generation.uuid)

    small = [stored_video("small.mp4")]
    bigs = [stored_video(f"big-{n}.mp4") for n in range(VIDEOS)]
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, common.logged_in_cookie(user))
    log = workdir / "web-zip.log"
    target = workdir / "download.zip"

    def download(ids: list[str]) -> tuple[int, float]:
        session.get(f"{base}/gallery/", timeout=30)  # the CSRF cookie, as the gallery page sets it
        token = session.cookies[settings.CSRF_COOKIE_NAME]
        started = time.monotonic()
        answer = session.post(
            f"{base}/gallery/download.zip",
            data={"videos": ids, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/gallery/"},
            stream=True,
            timeout=120,
        )
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip", answer.status_code
        with target.open("wb") as out:
            for chunk in answer.iter_content(1024 * 1024):
                out.write(chunk)
        return target.stat().st_size, time.monotonic() - started

    with common.gunicorn(env, log) as base:
        pid = int(re.findall(r"Booting worker with pid: (\d+)", log.read_text(errors="replace"))[-1])
        download(small)
        before = peak_kb(pid)
        size, seconds = download(bigs)
        after = peak_kb(pid)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    target.unlink()
    shutil.rmtree(stored)  # 50 MB of test video: not left behind when the script runs alone
    complete = len(names) == VIDEOS + 1 and names[-1] == "videos.csv" and size >= VIDEOS * BIG_MB * 1024 * 1024
    rise_mb = (after - before) / 1024
    print(
        f"zip on {options.db}: web peak {before / 1024:.1f} MB after a ZIP of one small video, {after / 1024:.1f} MB "
        f"after one of {VIDEOS} x {BIG_MB} MB ({size / 1024 / 1024:.0f} MB in {seconds:.1f} s, {len(names)} files): "
        f"+{rise_mb:.1f} MB"
    )
    common.row(
        f"ZIP of {VIDEOS} videos of {BIG_MB} MB: web peak memory rise ({options.db}) < {LIMIT_MB} MB",
        f"+{rise_mb:.1f} MB",
        f"{before / 1024:.1f} MB web peak",
        rise_mb / (before / 1024),
        rise_mb < LIMIT_MB and complete,
    )


if __name__ == "__main__":
    main()
