"""The HTML report of an estimation run: estimates side by side, assumptions in plain words."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from inquest.errors import ConfigError

TEMPLATE = "report.html.j2"

_METHOD_DETAILS = {
    "loglinear": (
        "Log-linear models describe how the lists depend on each other through pairwise "
        "interactions chosen from the data; the unobserved cell is extrapolated from them. "
        "Stepwise selection follows SparseMSE (Chan, Silverman & Vincent 2021)."
    ),
    "dga": (
        "dga averages over every decomposable graphical model of the lists (Madigan & York "
        "1997), so list dependence is averaged rather than chosen; the priors matter when "
        "overlaps are sparse."
    ),
    "lcmcr": (
        "LCMCR (Manrique-Vallier 2016) lets people fall into latent groups with their own "
        "chances of being recorded, which models heterogeneity of capture; lists are "
        "independent within a group."
    ),
}


def load_template() -> jinja2.Template:
    """The packaged report template (``inquest/data/estimate/report.html.j2``)."""
    source = resources.files("inquest").joinpath("data", "estimate", TEMPLATE)
    where = f"inquest/data/estimate/{TEMPLATE}"
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("report template missing", path=where) from exc
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        return env.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"template syntax error line {exc.lineno}: {exc}", path=where) from exc


def _model_rows(models: list[dict[str, Any]], limit: int = 5) -> list[dict[str, str]]:
    """The leading models of a method: label, weight and own estimate, for the report."""
    rows = []
    for m in models[:limit]:
        if "graph" in m:
            label = str(m["graph"])
        elif "terms" in m:
            label = "main effects + " + ", ".join(m["terms"]) if m["terms"] else "main effects"
        else:
            continue
        weight = m.get("weight", m.get("weight_bic"))
        estimate = m.get("estimate")
        rows.append(
            {
                "label": label,
                "weight": f"{weight:.3f}" if isinstance(weight, (int, float)) else "",
                "estimate": f"{estimate:,.0f}" if isinstance(estimate, (int, float)) else "",
                "chosen": "yes" if m.get("chosen") else "",
            }
        )
    return rows


FIXED_STATEMENT = (
    "These intervals take the linkage's one clustering as certain: they IGNORE LINKAGE "
    "ERROR. Missed links inflate N and false links deflate it, and neither is in the "
    "interval, so the whole uncertainty is wider than shown."
)


def _quality(linkage: dict[str, Any]) -> dict[str, str] | None:
    """The linkage quality block, formatted (None when the record has none)."""
    q = linkage.get("quality")
    if not isinstance(q, dict):
        return None

    def share(key: str) -> str:
        v = q.get(key)
        return "—" if not isinstance(v, (int, float)) else f"{v:.1%}"

    band = q.get("review_band") or [None, None]
    return {
        "linked": f"{q.get('linked_pairs', 0):,}",
        "false": f"{q.get('expected_false_links', 0.0):,.1f}",
        "missed": f"{q.get('expected_missed_links', 0.0):,.1f}",
        "precision": share("expected_precision"),
        "recall": share("expected_recall"),
        "unscored": f"{q.get('unscored_linked_pairs', 0):,}",
        "awaiting": f"{q.get('awaiting_review', 0):,}",
        "decided": f"{q.get('decided_pairs', 0):,}",
        "band": f"{band[0]} – {band[1]}",
    }


def _aware_rows(methods: dict[str, Any]) -> list[dict[str, Any]]:
    """Per method: the linkage-aware result, the fixed one, the linkage share."""
    rows = []
    for name, m in methods.items():
        link = m.get("linkage")
        if not isinstance(link, dict) or not isinstance(link.get("linkage_aware"), dict):
            continue
        share = link.get("linkage_share_of_variance")
        rows.append(
            {
                "method": name,
                "aware": link["linkage_aware"],
                "fixed": link.get("fixed_linkage"),
                "share": "—" if share is None else f"{share:.0%}",
                "warnings": link["linkage_aware"].get("warnings", []),
            }
        )
    return rows


def _linkage_context(document: dict[str, Any]) -> dict[str, Any]:
    linkage = document.get("linkage") or {}
    aware = document.get("linkage_aware") is True
    return {
        "aware": aware,
        "aware_rows": _aware_rows(document["methods"]) if aware else [],
        "quality": _quality(linkage),
        "run_dir": linkage.get("run_dir"),
        "run_hash": linkage.get("run_hash"),
        "includes": linkage.get("interval_includes", []),
        "leaves_out": linkage.get("interval_leaves_out", []),
        "fixed_statement": FIXED_STATEMENT,
        "reason": linkage.get("reason"),
        "n_draws": linkage.get("n_draws"),
        "target": linkage.get("target"),
    }


def render_report(document: dict[str, Any], plots: dict[str, list[str]], path: Path) -> Path:
    """Write the report for ``document`` (the content of ``estimate.json``) to ``path``."""
    methods = document["methods"]
    comparison = [{**m["result"], "method": name} for name, m in methods.items() if m.get("result")]
    estimates = [row["estimate"] for row in comparison]
    spread = (min(estimates), max(estimates)) if len(estimates) > 1 else None
    strata_rows = []
    strata_names = sorted({s for m in methods.values() for s in m.get("strata", {})})
    for stratum in strata_names:
        cells = []
        n_obs = 0
        for m in methods.values():
            r = m.get("strata", {}).get(stratum)
            if r is None:
                cells.append("not estimated")
            else:
                n_obs = r["n_observed"]
                cells.append(f"{r['estimate']:,.0f} ({r['lower']:,.0f} – {r['upper']:,.0f})")
        strata_rows.append({"stratum": stratum, "n_observed": n_obs, "cells": cells})
    html = load_template().render(
        title=", ".join(document["input"]["lists"]),
        inputs=[i["path"] for i in document["provenance"]["inputs"]],
        lists=document["input"]["lists"],
        n_observed=document["input"]["n_observed"],
        strata_column=document["input"].get("strata_column"),
        level_pct=round(100 * document.get("level", 0.95)),
        comparison=comparison,
        spread=spread,
        methods=[
            {
                "name": name,
                "assumptions": m["result"]["assumptions"] if m.get("result") else [],
                "warnings": m["result"]["warnings"] if m.get("result") else [],
                "details": _METHOD_DETAILS.get(name, ""),
                "models": _model_rows(m["result"]["models"] if m.get("result") else []),
            }
            for name, m in methods.items()
        ],
        strata_rows=strata_rows,
        plots={k: plots.get(k, []) for k in ("comparison", "overlap", "posterior", "trace")},
        warnings=document.get("warnings", []),
        provenance=document["provenance"],
        linkage=_linkage_context(document),
    )
    path.write_text(html, encoding="utf-8")
    return path
