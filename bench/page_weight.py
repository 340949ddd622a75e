"""Target 6: the studio page loads at most 60 KB of CSS and JavaScript compressed, with no build step, from
gunicorn in its shipped configuration (whitenoise serving the collected, compressed, hashed files)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import requests

from bench import common

LIMIT_KB = 60
YEAR = 365 * 24 * 3600


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_page")
    env = common.environment(database, workdir / "media", KIE_API_KEY=common.SIMULATOR_KEY)
    common.manage(env, "migrate", "--noinput")
    common.manage(env, "collectstatic", "--noinput", "-v", "0")
    common.use_in_this_process(env)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
    session = requests.Session()
    with common.gunicorn(env, workdir / "web-page.log") as base:
        session.cookies.set(settings.SESSION_COOKIE_NAME, common.logged_in_cookie(user))
        page = session.get(f"{base}/studio/text/", timeout=10)
        assert page.status_code == 200, page.status_code
        assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', page.text)
        assets += re.findall(r'<link[^>]+href="([^"]+\.css)"', page.text)
        assets += re.findall(r'<script[^>]+src="([^"]+)"', page.text)
        assets = sorted(set(assets))
        compressed = plain = 0
        short_cache = []
        for asset in assets:
            url = asset if asset.startswith("http") else base + asset
            answer = session.get(url, headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=10)
            body = answer.raw.read(decode_content=False)
            compressed += len(body)
            plain += len(session.get(url, headers={"Accept-Encoding": "identity"}, timeout=10).content)
            max_age = re.search(r"max-age=(\d+)", answer.headers.get("Cache-Control", ""))
            if not max_age or int(max_age.group(1)) < YEAR:
                short_cache.append(asset)
            print(f"  {asset}: {len(body)} bytes as {answer.headers.get('Content-Encoding', 'identity')}")
    print(
        f"page weight: {len(assets)} CSS/JS files, {compressed / 1024:.1f} KB compressed, {plain / 1024:.1f} KB "
        f"uncompressed; files without year-long caching: {short_cache or 'none'}"
    )
    common.row(
        f"6. studio page CSS+JS compressed <= {LIMIT_KB} KB, cached a year",
        f"{compressed / 1024:.1f} KB in {len(assets)} files",
        f"{plain / 1024:.1f} KB uncompressed",
        compressed / plain if plain else None,
        compressed <= LIMIT_KB * 1024 and not short_cache and len(assets) > 0,
    )


if __name__ == "__main__":
    main()
