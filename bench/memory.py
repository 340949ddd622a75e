"""Target 5: archiving a 500 MB video raises the worker's peak memory by less than 30 MB.

The real worker (`manage.py db_worker`) archives a small video first (its peak memory after that is the
baseline), then a 500 MB one served over HTTP by a separate process; the kernel's high-water mark of the worker's
resident memory (VmHWM) is read before and after.
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg

from bench import common

BIG_MB = 500


def make_video(folder: Path, name: str, total_bytes: int = 0) -> Path:
    """A real short MP4 (moov first), padded with an MP4 'free' box to ``total_bytes`` when given."""
    path = folder / name
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=duration=3:size=640x360:rate=24",
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True)
    if total_bytes:
        padding = total_bytes - path.stat().st_size
        with path.open("r+b") as handle:
            handle.seek(0, 2)
            handle.write(struct.pack(">I4s", padding, b"free"))
            handle.truncate(total_bytes)
    return path


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc: the memory bench needs Linux")


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    files = workdir / "files"
    files.mkdir(parents=True, exist_ok=True)
    make_video(files, "small.mp4")
    make_video(files, "big.mp4", BIG_MB * 1024 * 1024)
    database = common.database_environment(options.db, workdir, "veoui_bench_memory")
    port = common.free_port()
    # The file server stands in for kie.ai's file host: veoui fetches results from a private address only there.
    kie_files = f"http://127.0.0.1:{port}"
    env = common.environment(
        database, workdir / "media", KIE_API_KEY=common.SIMULATOR_KEY, KIE_UPLOAD_BASE_URL=kie_files
    )
    common.manage(env, "migrate", "--noinput")
    common.use_in_this_process(env)
    from django.contrib.auth import get_user_model

    from veoui.studio import tasks
    from veoui.studio.models import Generation

    user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
    server = [common.PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(files)]

    def archived(name: str) -> Generation:
        generation = common.new_generation(user, prompt=f"Memory bench: {name}")
        Generation.objects.filter(pk=generation.pk).update(
            status="archiving", kie_task_id=f"bench-{name}", result_urls=[f"http://127.0.0.1:{port}/{name}"]
        )
        tasks.archive_generation.enqueue(generation_id=generation.pk)
        done = lambda: Generation.objects.filter(pk=generation.pk).exclude(video="").first()  # noqa: E731
        return common.wait_for(done, 300, f"{name} archived")

    with (
        common.process(server, env, workdir / "files.log"),
        common.worker(env, workdir / "worker-memory.log") as worker,
    ):
        small = archived("small.mp4")
        before = peak_kb(worker.pid)
        big = archived("big.mp4")
        after = peak_kb(worker.pid)
    size_mb = Path(workdir / "media" / big.video.name).stat().st_size / 1024 / 1024
    rise_mb = (after - before) / 1024
    print(
        f"memory on {options.db}: worker peak {before / 1024:.1f} MB after a {small.video.size / 1024:.0f} KB video, "
        f"{after / 1024:.1f} MB after a {size_mb:.0f} MB one: +{rise_mb:.1f} MB"
    )
    common.row(
        f"5. worker peak memory rise archiving {BIG_MB} MB ({options.db}) < 30 MB",
        f"+{rise_mb:.1f} MB",
        f"{before / 1024:.1f} MB worker peak",
        rise_mb / (before / 1024),
        rise_mb < 30 and size_mb >= BIG_MB - 1,
    )


if __name__ == "__main__":
    main()
