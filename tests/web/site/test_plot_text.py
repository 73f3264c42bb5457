"""Plots of an estimate say in words what they show (alt text and caption), in the page's
language, not the name of their file."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from inquest.web.runs.estimates import register_estimate_dir
from inquest.web.site.plot_text import describe_plot

from ..personas import Personas
from ..runs.estimate_fixture import write_estimate_dir


def test_every_plot_of_the_engine_is_described() -> None:
    with translation.override("en"):
        assert describe_plot("plot:overlap").alt.startswith("Bar chart of how many persons")
        assert "interval" in describe_plot("plot:comparison").alt
        assert describe_plot("plot:trace_lcmcr").title == "Sampler chains of lcmcr"
        north = describe_plot("plot:trace_lcmcr_north")
        assert north.title == "Sampler chains of lcmcr, stratum north"
        assert "chains that overlap have converged" in north.alt
        assert "unknown_plot" in describe_plot("plot:unknown_plot").alt
    with translation.override("fa"):
        assert describe_plot("plot:posterior_n").title == "توزیع برآورد کل"


@pytest.fixture(scope="module")
def estimate_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estimate_dir(tmp_path_factory.mktemp("estimate"))


def test_the_dashboards_images_say_what_they_show(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    register_estimate_dir(personas.analyst, estimate_dir)
    client.force_login(personas.analyst)
    for lang, words, closed in (
        ("en", "Bar chart", "Closed population"),
        ("fa", "نمودار میله‌ای", "جمعیت بسته"),
    ):
        page = html.unescape(client.get("/estimates/", HTTP_ACCEPT_LANGUAGE=lang).content.decode())
        alts = re.findall(r'<img src="[^"]+" alt="([^"]*)"', page)
        assert alts, "no plots on the dashboard"
        assert all(
            len(alt) > 20 and ".png" not in alt and alt not in {"overlap", "comparison"}
            for alt in alts
        ), alts
        assert any(alt.startswith(words) for alt in alts)
        assert f'<ul class="assumptions">\n  <li>{closed}' in page  # in the page's language
