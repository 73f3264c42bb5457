"""DateSettings round-trip through plain data; bad settings name their key."""

from __future__ import annotations

import json

import pytest

from inquest.dates import (
    DEFAULT_SETTINGS,
    Calendar,
    DateSettings,
    parse_date,
    settings_from_dict,
    settings_to_dict,
)
from inquest.errors import ConfigError


def test_round_trip() -> None:
    data = json.loads(json.dumps(settings_to_dict(DEFAULT_SETTINGS)))
    assert settings_from_dict(data) == DEFAULT_SETTINGS
    custom = DateSettings(day_first=False, hijri_margin_days=1)
    assert settings_from_dict(settings_to_dict(custom)) == custom


def test_partial_settings_keep_defaults_and_take_effect() -> None:
    s = settings_from_dict({"plausible": {"jalali": [1200, 1420], "hijri": [1400, 1448]}})
    assert s.circa_years == DEFAULT_SETTINGS.circa_years
    assert parse_date("1408", settings=s).ambiguous  # now Jalali 1408 is plausible too
    assert s.plausible_years(Calendar.GREGORIAN) == (1, 0)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": "red"}, "colour"),
        ({"plausible": {"mayan": [1, 2]}}, "plausible.mayan"),
        ({"plausible": {"jalali": [1400, 1300]}}, "plausible.jalali"),
        ({"plausible": {"jalali": 1300}}, "plausible.jalali"),
        ({"two_digit_pivot": {"gregorian": 120}}, "two_digit_pivot.gregorian"),
        ({"calendar_preference": []}, "calendar_preference"),
        ({"day_first": "yes"}, "day_first"),
        ({"circa_years": -1}, "circa_years"),
        ({"hijri_margin_days": True}, "hijri_margin_days"),
    ],
)
def test_bad_settings_name_their_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data, path="run.yaml")
    assert info.value.key == key and info.value.path == "run.yaml"
