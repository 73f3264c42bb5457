"""The HTML report of a run: parameters, match-weight chart, waterfalls, recall, cluster sizes."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pyarrow.compute as pc
from markupsafe import Markup

from inquest.linkage.blocking import blocking_recall
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import LinkResult
from inquest.private import private_file

__all__ = ["vega_scripts", "write_report"]

_DATA = Path(__file__).resolve().parent.parent / "data"
_TEMPLATE = _DATA / "linkage" / "report.html.j2"
_VENDOR = _DATA / "vendor" / "vega"
_VEGA_FILES = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")


def vega_scripts() -> str:
    """Vega, Vega-Lite and vega-embed (vendored in ``inquest/data/vendor/vega``) as inline
    scripts: a report loads nothing from the network, so it works offline and tells no one."""
    parts = []
    for name in _VEGA_FILES:
        code = (_VENDOR / name).read_text("utf-8")
        if re.search(r"</script|<!--", code, re.IGNORECASE):  # would end the script early
            raise ValueError(f"{name} cannot be inlined in a script element")
        parts.append(f"<script>/* {name} */\n{code}\n</script>")
    return "\n".join(parts)


def _chart(chart: Any, element: str) -> str:
    """A Splink (or Altair) chart drawn by the inline Vega into a ``div`` with id ``element``."""
    try:
        spec = chart.chart_dict if hasattr(chart, "chart_dict") else chart.to_dict()
    except Exception as exc:
        return f"<p>(chart unavailable: {html.escape(str(exc))})</p>"
    data = json.dumps(spec, default=str).replace("</", "<\\/")
    return (
        f'<div class="chart" id="{element}"></div>\n'
        f'<script>vegaEmbed("#{element}", {data}, {{"actions": false}})'
        f'.catch(function (e) {{ document.getElementById("{element}").textContent = '
        f'"(chart unavailable: " + e + ")"; }});</script>'
    )


def _params(model_json: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for comp in model_json["comparisons"]:
        for lv in comp["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            rows.append(
                {
                    "comparison": comp["output_column_name"],
                    "level": str(lv.get("label_for_charts", "")),
                    "m": f"{m:.4g}" if m else "untrained",
                    "u": f"{u:.4g}" if u else "untrained",
                    "w": f"{math.log2(m / u):+.2f}" if m and u else "",
                }
            )
    return rows


def write_report(
    result: LinkResult, out: str | Path, *, truth: list[str] | None = None, samples: int = 12
) -> Path:
    """Write ``report.html`` into ``out``; with ``truth``, add scores and blocking recall."""
    linker = result.linker
    weights = _chart(linker.visualisations.match_weights_chart(), "match-weights")
    sample = result.engine.sql_arrow(
        f"SELECT * FROM {result.predictions.physical_name} "  # noqa: S608 (Splink's table)
        f"ORDER BY abs(match_probability - 0.5) LIMIT {int(samples)}"
    ).to_pylist()
    explainer = result.explainer()
    waterfall = (
        _chart(explainer.visualisations.waterfall_chart(sample), "waterfall") if sample else ""
    )
    sizes = np.bincount(np.bincount(result.clustering.labels))
    scores: dict[str, Any] | None = None
    recall = None
    if truth is not None:
        scores = {
            k: round(v, 4)
            for k, v in score_clusters(result.clustering.labels, truth).as_dict().items()
        }
        recall = blocking_recall(result.prepared, np.asarray(truth), list(result.model.blocking))
    summary = {
        "records": result.prepared.num_rows,
        "lists": len(pc.unique(result.prepared.column("list"))),
        "persons": len(np.unique(result.clustering.labels)),
        "pairs_kept": result.edges.num_rows,
        "components_split": result.clustering.n_split,
        "pairs_rescored": result.clustering.n_rescored_pairs,
    }
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    page = env.from_string(_TEMPLATE.read_text("utf-8")).render(
        summary=summary,
        timings=result.timings,
        scores=scores,
        blocking=recall,
        prior=result.model_json["probability_two_random_records_match"],
        params=_params(result.model_json),
        vega=Markup(vega_scripts()),  # noqa: S704 (the vendored files, "</" escaped)
        weights_chart=Markup(weights),  # noqa: S704 (escaped in _chart)
        waterfall_chart=Markup(waterfall),  # noqa: S704 (escaped in _chart)
        sizes=[(i, int(c)) for i, c in enumerate(sizes) if i and c],
    )
    path = Path(out) / "report.html"
    path.write_text(page, encoding="utf-8")
    return private_file(path)
