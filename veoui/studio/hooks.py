"""Where the apps built on the studio add to its pages, without the studio importing them.

An app registers a function at start-up (its AppConfig.ready); the studio calls every one registered.
"""

from __future__ import annotations

from collections.abc import Callable

from veoui.studio.models import Generation

# Each says, in a sentence, what deleting this video would also touch ("This video is used in 2 scenes..."), or "".
delete_warnings: list[Callable[[Generation], str]] = []


def warnings_before_delete(generation: Generation) -> list[str]:
    return [text for warn in delete_warnings if (text := warn(generation))]
