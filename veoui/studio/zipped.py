"""Many videos as one ZIP, written while it is sent: never more than one chunk of a video in memory.

zipfile writes into a pipe that the response's generator empties after every chunk; the entries are stored, not
deflated (an MP4 is compressed already), with their sizes in a data descriptor after each file, as a ZIP written
to a stream must. Each video comes as its best finished version: 4K, else 1080P, else the video itself.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from veoui.studio.models import Generation, Rendition, Status, TrackedWork

CHUNK = 1024 * 1024
PREFERENCE = [Rendition.Kind.UHD, Rendition.Kind.HD]  # then the video as it was made
CSV_NAME = "videos.csv"
CSV_HEADER = ["file", "prompt", "mode", "model", "aspect ratio", "seed", "created", "owner", "version"]


@dataclass(frozen=True)
class Entry:
    generation: Generation
    work: TrackedWork  # the generation itself, or its 4K or 1080P version
    version: str  # "4K", "1080P" or "original"
    name: str


def best_version(generation: Generation) -> tuple[TrackedWork, str] | None:
    """The finished file to give for the video (its renditions prefetched), or None when it has none stored."""
    finished = {r.kind: r for r in generation.renditions.all() if r.status == Status.SUCCEEDED and r.video}
    for kind in PREFERENCE:
        if kind in finished:
            return finished[kind], "4K" if kind == Rendition.Kind.UHD else "1080P"
    if generation.status == Status.SUCCEEDED and generation.video:
        return generation, "original"
    return None


def entries(generations: Iterable[Generation]) -> list[Entry]:
    """One entry per video with a stored file, each under a readable name that no other entry has."""
    found = []
    for number, generation in enumerate(generations, start=1):
        best = best_version(generation)
        if best is None:
            continue
        work, version = best
        words = slugify(generation.prompt[:60], allow_unicode=True) or "video"
        name = f"{number:02d}-{words}-{generation.uuid.hex[:8]}-{version.lower()}.mp4"
        found.append(Entry(generation, work, version, name))
    return found


class Pipe(io.RawIOBase):
    """What zipfile writes, kept until the response's generator takes it (a stream: no seeking, no telling)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def csv_text(listed: list[Entry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for entry in listed:
        g = entry.generation
        owner = g.owner.get_full_name() or g.owner.get_username()
        created = timezone.localtime(g.created_at).isoformat(timespec="seconds")
        writer.writerow([entry.name, g.prompt, g.mode, g.model, g.aspect_ratio, g.shown_seed or "", created, owner,
                         entry.version])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")  # with a BOM: spreadsheets then read accents and Chinese right


def stream(listed: list[Entry]) -> Iterator[bytes]:
    pipe = Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for entry in listed:
            info = zipfile.ZipInfo(entry.name, date_time=timezone.localtime(entry.work.created_at).timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = default_storage.size(entry.work.video.name)  # over 4 GB: zipfile writes ZIP64
            with default_storage.open(entry.work.video.name, "rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            yield pipe.take()
        archive.writestr(zipfile.ZipInfo(CSV_NAME, date_time=timezone.localtime().timetuple()[:6]), csv_text(listed))
    yield pipe.take()
