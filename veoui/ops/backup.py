"""One .tar.gz with everything an installation holds: its database rows and its media (pictures, videos).

Inside, in this order so that a restore reads it in one pass:

- ``manifest.json``: format, veoui version, when, from which kind of database, the migrations of the rows;
- ``database.jsonl``: every row (see ``veoui.ops.dataset``);
- ``media/<name>``: every file of the media storage (local folder or S3), under its storage name;
- ``SHA256SUMS``: a checksum of each of the above, checked on restore.

Secrets that live in the environment (SECRET_KEY, KIE_API_KEY, S3 keys) are not in it; everything else is,
including password hashes, so keep backups as private as the server.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from veoui import __version__
from veoui.ops import dataset

FORMAT = 1
# The demo simulator keeps its own files under MEDIA_ROOT; they are not veoui's.
SKIPPED_MEDIA = ("simulator/",)


@dataclass
class Summary:
    rows: int = 0
    files: int = 0
    bytes: int = 0
    migrations: list[list[str]] = field(default_factory=list)


class HashingReader:
    """Reads through to ``raw``, hashing what passes."""

    def __init__(self, raw, size: int | None = None) -> None:
        self.raw = raw
        self.size = size
        self.sha256 = hashlib.sha256()
        self.count = 0

    def read(self, amount: int = -1) -> bytes:
        data = self.raw.read(amount)
        self.sha256.update(data)
        self.count += len(data)
        return data

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return bool(getattr(self.raw, "closed", False))


def media_names(storage: Storage) -> Iterator[str]:
    """Every file name in ``storage``, folders first-to-last in name order."""

    def walk(folder: str) -> Iterator[str]:
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:  # a media folder nothing was ever saved to
            return
        for name in sorted(files):
            yield f"{folder}/{name}" if folder else name
        for name in sorted(folders):
            yield from walk(f"{folder}/{name}" if folder else name)

    for name in walk(""):
        if not name.startswith(SKIPPED_MEDIA):
            yield name


def create_backup(path: Path, using: str = DEFAULT_DB_ALIAS, storage: Storage = default_storage) -> Summary:
    summary = Summary()
    partial = path.with_name(path.name + ".partial")
    sums: list[str] = []
    with tempfile.TemporaryDirectory(prefix="veoui-backup-") as folder:
        rows = Path(folder) / "database.jsonl"
        summary.migrations = dataset.dump(rows, using)
        summary.rows = sum(dataset.dumped_counts(rows).values())
        manifest = {
            "format": FORMAT,
            "veoui_version": __version__,
            "created_at": timezone.now().isoformat(),
            "database": connections[using].vendor,
            "migrations": summary.migrations,
        }
        # Only the admin running the backup may read it: it holds password hashes and everyone's videos.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as output, tarfile.open(fileobj=output, mode="w:gz") as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
                with rows.open("rb") as handle:
                    sums.append(_add_stream(tar, "database.jsonl", handle, rows.stat().st_size))
                for name in media_names(storage):
                    size = storage.size(name)
                    with storage.open(name, "rb") as handle:
                        sums.append(_add_stream(tar, f"media/{name}", handle, size))
                    summary.files += 1
                    summary.bytes += size
                _add_bytes(tar, "SHA256SUMS", "".join(sums).encode())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)
    return summary


def restore_backup(path: Path, using: str = DEFAULT_DB_ALIAS, storage: Storage = default_storage) -> Summary:
    """Into an empty database and an empty media storage; refuses (changing nothing) otherwise."""
    summary = Summary()
    found = next(media_names(storage), None)
    if found is not None:
        raise CommandError(f"The media storage is not empty (it holds {found}). Restore into an empty one.")
    dataset.ensure_no_data(using)
    computed: dict[str, str] = {}
    expected: dict[str, str] | None = None
    with _open_archive(path) as tar, tempfile.TemporaryDirectory(prefix="veoui-restore-") as folder:
        members = iter(tar)
        manifest = _read_manifest(tar, next(members, None))
        summary.migrations = manifest["migrations"]
        rows_member = next(members, None)
        if rows_member is None or rows_member.name != "database.jsonl":
            raise CommandError("The backup has no database.jsonl where it should be: it is damaged.")
        rows = Path(folder) / "database.jsonl"
        with rows.open("wb") as output:
            reader = HashingReader(tar.extractfile(rows_member))
            while chunk := reader.read(1024 * 1024):
                output.write(chunk)
        computed["database.jsonl"] = reader.sha256.hexdigest()
        dataset.load(rows, manifest["migrations"], using)
        summary.rows = sum(dataset.dumped_counts(rows).values())

        for member in members:
            if member.name == "SHA256SUMS":
                expected = _parse_sums(tar.extractfile(member).read().decode())
            elif member.isfile() and member.name.startswith("media/"):
                name = _storage_name(member.name)
                reader = HashingReader(tar.extractfile(member), member.size)
                saved = storage.save(name, File(reader, name=name))
                if saved != name:
                    raise CommandError(f"{name} was stored as {saved}: the media storage was not empty.")
                computed[member.name] = reader.sha256.hexdigest()
                summary.files += 1
                summary.bytes += member.size
    if expected is None:
        raise CommandError("The backup ends early (no SHA256SUMS): it is incomplete. Use another one.")
    damaged = sorted(name for name in expected.keys() | computed.keys() if expected.get(name) != computed.get(name))
    if damaged:
        raise CommandError(f"Checksums differ for {', '.join(damaged[:5])}: the backup is damaged.")
    return summary


def _open_archive(path: Path) -> tarfile.TarFile:
    """Read as a stream, front to back, in one pass."""
    try:
        return tarfile.open(path, mode="r|gz")
    except (OSError, tarfile.TarError) as error:
        raise CommandError(f"{path} is not a veoui backup: {error}") from None


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_stream(tar: tarfile.TarFile, name: str, handle, size: int) -> str:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    reader = HashingReader(handle, size)
    tar.addfile(info, reader)
    return f"{reader.sha256.hexdigest()}  {name}\n"


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo | None) -> dict:
    if member is None or member.name != "manifest.json":
        raise CommandError("This archive has no manifest.json first: it is not a veoui backup.")
    manifest = json.loads(tar.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise CommandError(f"This backup has format {manifest.get('format')!r}; this veoui reads format {FORMAT}.")
    return manifest


def _parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def _storage_name(member_name: str) -> str:
    name = member_name.removeprefix("media/")
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or ".." in parts:
        raise CommandError(f"The backup holds a file with an unsafe name: {member_name!r}.")
    return name
