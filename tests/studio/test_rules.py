import pytest

from veoui.studio import rules


def test_it_accepts_every_combination_the_newest_docs_allow() -> None:
    assert rules.check(rules.TEXT, rules.QUALITY, rules.PORTRAIT, 0) == []
    assert rules.check(rules.FRAMES, rules.LITE, rules.AUTO, 2) == []
    assert rules.check(rules.REFERENCE, rules.FAST, rules.PORTRAIT, 3) == []


@pytest.mark.parametrize(
    ("mode", "model", "ratio", "images", "seed", "field", "code"),
    [
        (rules.REFERENCE, rules.QUALITY, rules.LANDSCAPE, 1, None, "model", "model_not_in_mode"),
        (rules.REFERENCE, rules.FAST, rules.AUTO, 1, None, "aspect_ratio", "aspect_ratio_not_in_mode"),
        (rules.TEXT, rules.FAST, rules.AUTO, 0, None, "aspect_ratio", "auto_needs_image"),
        (rules.TEXT, rules.FAST, "4:3", 0, None, "aspect_ratio", "unknown_aspect_ratio"),
        (rules.TEXT, "veo9", rules.LANDSCAPE, 0, None, "model", "unknown_model"),
        (rules.TEXT, rules.FAST, rules.LANDSCAPE, 1, None, "images", "no_images_allowed"),
        (rules.FRAMES, rules.FAST, rules.LANDSCAPE, 0, None, "images", "too_few_images"),
        (rules.FRAMES, rules.FAST, rules.LANDSCAPE, 3, None, "images", "too_many_images"),
        (rules.REFERENCE, rules.FAST, rules.LANDSCAPE, 4, None, "images", "too_many_images"),
        (rules.TEXT, rules.FAST, rules.LANDSCAPE, 0, 9999, "seed", "seed_range"),
        (rules.TEXT, rules.FAST, rules.LANDSCAPE, 0, 100000, "seed", "seed_range"),
        ("SOMETHING", rules.FAST, rules.LANDSCAPE, 0, None, "mode", "unknown_mode"),
    ],
)
def test_it_names_the_field_each_broken_rule_concerns(mode, model, ratio, images, seed, field, code) -> None:
    violations = rules.check(mode, model, ratio, images, seed)
    assert [(v.field, v.code) for v in violations] == [(field, code)]
    assert violations[0].message  # every code has words for people


def test_it_tells_which_ratio_auto_crops_to() -> None:
    assert rules.closer_ratio(1920, 1080) == rules.LANDSCAPE
    assert rules.closer_ratio(1080, 1920) == rules.PORTRAIT


def test_it_gives_the_first_and_last_roles_by_position() -> None:
    assert [rules.role_for(rules.FRAMES, i, 2) for i in range(2)] == ["first", "last"]
    assert rules.role_for(rules.FRAMES, 0, 1) == "first"
    assert [rules.role_for(rules.REFERENCE, i, 3) for i in range(3)] == ["reference"] * 3


def test_it_serialises_the_same_table_for_the_browser() -> None:
    table = rules.as_json()
    assert table["modes"][rules.REFERENCE]["models"] == [rules.FAST, rules.LITE]
    assert table["modes"][rules.FRAMES]["aspectRatios"] == ["16:9", "9:16", "Auto"]
    assert table["seed"] == {"min": 10000, "max": 99999}
