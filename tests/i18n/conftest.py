from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """A request in Chinese leaves Chinese active in this thread; the tests after these expect English."""
    yield
    translation.deactivate()
