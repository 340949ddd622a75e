"""Where the apps built on the studio add to its pages, without the studio importing them.

An app registers a function at start-up (its AppConfig.ready); the studio calls every one registered.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser

from veoui.studio.models import Generation

# Each says, in a sentence, what deleting this video would also touch ("This video is used in 2 scenes..."), or "".
delete_warnings: list[Callable[[Generation], str]] = []

# "Continue from the last frame" opened from a scene's shot: the studio carries ``scene`` and ``after`` (the
# shot) through its form. Each says on the form where the new video will go ("" when it won't go anywhere)...
continue_notes: list[Callable[[AbstractBaseUser, str, str], str]] = []
# ...is told of the video made with it (called once per video made, its form sent again calls it again)...
continued: list[Callable[[AbstractBaseUser, Generation, str, str], None]] = []
# ...and of every video the worker finished (called again for the same video: each must act once).
finished: list[Callable[[int], None]] = []


def warnings_before_delete(generation: Generation) -> list[str]:
    return [text for warn in delete_warnings if (text := warn(generation))]


def continue_note(user: AbstractBaseUser, scene: str, after: str) -> str:
    return " ".join(text for note in continue_notes if (text := note(user, scene, after)))


def video_continued(user: AbstractBaseUser, generation: Generation, scene: str, after: str) -> None:
    for hook in continued:
        hook(user, generation, scene, after)


def video_finished(generation_id: int) -> None:
    for hook in finished:
        hook(generation_id)
