"""The simulator's pictures show a prompt in any of veoui's languages, and cut a very long one."""

from __future__ import annotations

import pytest

from veoui.kie.simulator import cards


@pytest.mark.skipif(not cards.SYSTEM_FONT[0].is_file(), reason="needs Debian's fonts-noto-cjk (make test installs it)")
def test_it_draws_chinese_and_accents_as_typed() -> None:
    font = cards._font(28)
    assert cards.wrap("海边的灯塔，暴风雨中", font, 600, 3) == ["海边的灯塔，暴风雨中"]
    assert cards.wrap("Café crème, señor", font, 600, 3) == ["Café crème, señor"]


def test_it_cuts_a_very_long_prompt_without_spaces() -> None:
    font = cards._font(28)
    lines = cards.wrap("灯塔" * 2500, font, 600, 4)
    assert len(lines) == 4 and lines[-1].endswith("...")
