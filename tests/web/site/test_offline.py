"""Nothing loads from the network: no page template, style sheet, served page or generated
report names a script, style or font by an http(s) address; the linkage report carries Vega
inline, and prints its figures rounded."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

import inquest
from inquest.cli import app
from inquest.linkage.report import vega_scripts
from inquest.web.linking.link import link_sources
from inquest.web.runs.models import Artefact

from ..linking.world import import_world
from ..personas import Personas

PACKAGE = Path(inquest.__file__).resolve().parent
LINKAGE_DATA = Path(__file__).resolve().parents[2] / "linkage" / "data"

_EXTERNAL = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//"""
    r"""|@font-face[^}]*url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>)(.*?)(</script>)", re.IGNORECASE | re.DOTALL)
# An address in an inline script; a chart's "$schema" (a name, never fetched) is left out first.
_ADDRESS = re.compile(r"""https?://[^\s"'<>]+""")
_SCHEMA = re.compile(r'"\$schema":\s*"[^"]*"')
_RAW_FLOAT = re.compile(r"\d\.\d{10,}")
VENDOR = PACKAGE / "data" / "vendor" / "vega"
_LIBRARIES = [p.read_text("utf-8") for p in sorted(VENDOR.glob("*.min.js"))]


def external_references(page: str) -> list[str]:
    """Where ``page`` (HTML or CSS) loads a script, style or font from an address: a tag or
    rule naming one, or an address in an inline script (the vendored libraries' own code aside,
    which names addresses it never loads)."""
    for library in _LIBRARIES:
        page = page.replace(library, "")
    found = []
    for text in (page, html.unescape(page)):  # an iframe's srcdoc holds an escaped page
        bodies = [_SCHEMA.sub("", m.group(2)) for m in _SCRIPT_BODY.finditer(text)]
        found += [m.group(0) for m in _EXTERNAL.finditer(_SCRIPT_BODY.sub(r"\1\3", text))]
        found += [m.group(0) for body in bodies for m in _ADDRESS.finditer(body)]
    return found


def test_the_check_finds_what_it_looks_for() -> None:
    assert external_references('<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>')
    assert external_references("<link rel=stylesheet href='//fonts.example/x.css'>")
    assert external_references("@font-face { src: url(https://fonts.example/v.woff2) }")
    assert external_references(
        '<script>require.config({paths: {vega: "https://cdn.jsdelivr.net/npm/vega"}})</script>'
    )
    assert not external_references(
        '<script>f({"$schema": "https://vega.github.io/s.json"})</script>'
    )
    assert not external_references('<a href="https://example.org/">a link</a>')
    assert external_references('<iframe srcdoc="&lt;script src=&quot;https://cdn.x/v.js&quot;">')


def test_no_template_or_style_sheet_in_the_package_loads_from_the_network() -> None:
    files = [
        p for suffix in ("*.html", "*.j2", "*.css") for p in PACKAGE.rglob(suffix) if p.is_file()
    ]
    assert len(files) > 20
    found = {str(p): external_references(p.read_text("utf-8")) for p in files}
    assert {k: v for k, v in found.items() if v} == {}


def test_vega_is_vendored_whole_and_inlined() -> None:
    scripts = vega_scripts()
    assert scripts.count("<script>") == 3 and not external_references(scripts)
    assert "vegaEmbed" in scripts and "sourceMappingURL" not in scripts
    vendor = VENDOR
    for name in ("vega", "vega-lite", "vega-embed"):
        assert (vendor / f"{name}.min.js").stat().st_size > 50_000
        assert "Redistribution and use" in (vendor / f"LICENSE.{name}").read_text("utf-8")
    assert "BSD-3-Clause" in (vendor / "README.md").read_text("utf-8")


@pytest.mark.slow
def test_the_linkage_report_is_offline_and_rounded(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "link",
            str(LINKAGE_DATA / "fake_1000_part.csv"),
            "--out",
            str(out),
            "--truth",
            str(LINKAGE_DATA / "fake_1000_part_truth.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text("utf-8")
    assert external_references(page) == []
    assert "cdn.jsdelivr" not in page and "<iframe" not in page
    assert 'vegaEmbed("#match-weights"' in page and 'vegaEmbed("#waterfall"' in page
    text = _SCRIPT_BODY.sub("", page)  # the figures shown, not the charts' data
    assert _RAW_FLOAT.findall(text) == []
    assert re.search(r"Blocking recall: \d\.\d{3} ", text)


@pytest.mark.slow
def test_the_workbench_report_and_pages_are_offline(personas: Personas, tmp_path: Path) -> None:
    analyst = personas.analyst
    sources = import_world(analyst, tmp_path)
    run = link_sources(analyst, sources, out_dir=tmp_path / "run").run
    report = Artefact.objects.get(linkage_run=run, kind="report")
    assert external_references(Path(report.path).read_text("utf-8")) == []
    client = Client()
    client.force_login(analyst)
    pages = ["/", "/sources/", "/runs/", "/search/?q=ali", "/persons/", "/review/", "/link/"]
    pages.append(f"/runs/linkage/{run.uid}/")
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert external_references(answer.content.decode()) == [], path
