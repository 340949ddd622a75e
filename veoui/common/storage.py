"""Media on S3-compatible storage (S3_BUCKET), read in ranges so that playing a video never downloads all of it.

django-storages' own S3File copies the whole object into a temporary file on the first read: fine for a
picture, not for seeking in a 2 GB video. Files opened for reading here fetch from the position asked for, as
a stream, so ``serve_file`` can answer a Range request with only the bytes it needs.
"""

from __future__ import annotations

import io

from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

READ_BUFFER = 256 * 1024


class S3MediaStorage(S3Storage):
    def get_default_settings(self) -> dict:
        defaults = super().get_default_settings()
        # Members upload many a "picture.png": a second one must get a new name, not replace the first.
        defaults["file_overwrite"] = False
        # Private objects; veoui's views serve them after checking access.
        defaults["default_acl"] = None
        return defaults

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        obj = self.bucket.Object(key)
        try:
            size = obj.content_length  # one HEAD request; tells a missing file at once, like a local open
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        handle = File(io.BufferedReader(ObjectReader(obj, size), READ_BUFFER), name=name)
        handle.size = size
        return handle


class ObjectReader(io.RawIOBase):
    """A seekable, read-only view of one S3 object: each read continues one ranged GET from the position."""

    mode = "rb"

    def __init__(self, obj, size: int) -> None:
        super().__init__()
        self._obj = obj
        self._size = size
        self._position = 0
        self._body = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        position = base + offset
        if position < 0:
            raise ValueError("negative seek position")
        if position != self._position:
            self._drop_body()
            self._position = position
        return position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        if self._body is None:
            self._body = self._obj.get(Range=f"bytes={self._position}-")["Body"]
        data = self._body.read(len(buffer))
        if not data:
            raise OSError(f"the stored file ended at byte {self._position} of {self._size}")
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        self._drop_body()
        super().close()

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
