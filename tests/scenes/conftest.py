from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scenes.making import ExportWorker, render_clips


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> list[Path]:
    """Three simulator clips (each frame stamped with its number), rendered once for the run."""
    return render_clips(tmp_path_factory.mktemp("scene-clips"))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def exporter(transactional_db, media) -> Iterator[ExportWorker]:
    running = ExportWorker()
    running.start()
    yield running
    running.stop()
