"""The workbench's choices are the engine's enums with labels: no member missing, none extra."""

from __future__ import annotations

from enum import StrEnum

import pytest
from django.core.exceptions import ImproperlyConfigured

from inquest.linkage.review import Judgement
from inquest.places import PlaceKind
from inquest.web.linking.models import JUDGEMENT_CHOICES, ReviewDecision
from inquest.web.registry.models import PLACE_KIND_CHOICES, Place
from inquest.web.site.choices import engine_choices


class _Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


def test_choices_are_the_engine_enums() -> None:
    assert [v for v, _ in JUDGEMENT_CHOICES] == [j.value for j in Judgement]
    assert [v for v, _ in PLACE_KIND_CHOICES] == [k.value for k in PlaceKind]
    assert ReviewDecision._meta.get_field("judgement").choices == JUDGEMENT_CHOICES
    assert Place._meta.get_field("kind").choices == PLACE_KIND_CHOICES


def test_a_member_without_a_label_is_refused() -> None:
    assert engine_choices(_Colour, {_Colour.RED: "r", _Colour.BLUE: "b"}) == [
        ("red", "r"),
        ("blue", "b"),
    ]
    with pytest.raises(ImproperlyConfigured, match="without a label \\['blue'\\]"):
        engine_choices(_Colour, {_Colour.RED: "r"})
    with pytest.raises(ImproperlyConfigured, match="for no member \\['match'\\]"):
        engine_choices(_Colour, {_Colour.RED: "r", _Colour.BLUE: "b", Judgement.MATCH: "m"})  # type: ignore[dict-item]
