"""The HTML report of a run: parameters, match-weight chart, waterfalls, recall, cluster sizes."""

from __future__ import annotations

import html
import math
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

__all__ = ["write_report"]

_TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "linkage" / "report.html.j2"


def _iframe(chart: Any) -> str:
    """An Altair chart as a self-contained iframe (Vega loads from its CDN when viewed)."""
    try:
        page = chart.to_html()
    except Exception as exc:
        return f"<p>(chart unavailable: {html.escape(str(exc))})</p>"
    return f'<iframe srcdoc="{html.escape(page, quote=True)}"></iframe>'


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
    weights = _iframe(linker.visualisations.match_weights_chart())
    sample = result.engine.sql_arrow(
        f"SELECT * FROM {result.predictions.physical_name} "  # noqa: S608 (Splink's table)
        f"ORDER BY abs(match_probability - 0.5) LIMIT {int(samples)}"
    ).to_pylist()
    waterfall = _iframe(result.explainer().visualisations.waterfall_chart(sample)) if sample else ""
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
        weights_chart=Markup(weights),  # noqa: S704 (escaped in _iframe)
        waterfall_chart=Markup(waterfall),  # noqa: S704 (escaped in _iframe)
        sizes=[(i, int(c)) for i, c in enumerate(sizes) if i and c],
    )
    path = Path(out) / "report.html"
    path.write_text(page, encoding="utf-8")
    return private_file(path)
