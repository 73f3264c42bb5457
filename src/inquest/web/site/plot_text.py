"""What each plot of an estimate run shows, in words: its caption and its alt text.

The plots are the engine's (``inquest.estimate.plots``), written as ``plots/<name>.png`` and
recorded as artefacts of kind ``plot:<name>``: ``overlap``, ``posterior_n``, ``comparison``
and ``trace_<method>`` (``trace_<method>_<stratum>`` for a stratum). A plot the workbench does
not know is described by its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from inquest.estimate.registry import estimators
from inquest.web.runs.estimates import PLOT_PREFIX


@dataclass(frozen=True)
class PlotText:
    """A plot's caption (short) and its alt text (what it shows, for who cannot see it)."""

    title: str
    alt: str


def _trace(name: str) -> tuple[str, str] | None:
    """(method, stratum) of a trace plot's name ("trace_lcmcr", "trace_lcmcr_north")."""
    rest = name.removeprefix("trace_")
    if rest == name:
        return None
    for method in sorted(estimators(), key=len, reverse=True):
        if rest == method or rest.startswith(method + "_"):
            return method, rest[len(method) + 1 :]
    return rest, ""


def describe_plot(kind: str) -> PlotText:
    """The caption and alt text of the plot recorded as ``kind`` ("plot:overlap")."""
    name = kind.removeprefix(PLOT_PREFIX)
    if name == "overlap":
        return PlotText(
            _("How the lists overlap"),
            _(
                "Bar chart of how many persons each combination of lists recorded, with the "
                "lists of each combination marked below it and the size of each list beside."
            ),
        )
    if name == "posterior_n":
        return PlotText(
            _("Distribution of the estimated total"),
            _(
                "For each method, the distribution of the estimated total number of persons, "
                "with the estimate, its interval and the number documented marked as lines."
            ),
        )
    if name == "comparison":
        return PlotText(
            _("Estimates by method"),
            _(
                "Each method's estimated total with its interval, side by side, and the number "
                "documented as a dotted line: how far the estimate depends on the method."
            ),
        )
    trace = _trace(name)
    if trace is not None:
        method, stratum = trace
        if stratum:
            title = _("Sampler chains of %(method)s, stratum %(stratum)s") % {
                "method": method,
                "stratum": stratum,
            }
        else:
            title = _("Sampler chains of %(method)s") % {"method": method}
        alt = _(
            "Line chart of each chain of the sampler, draw by draw, for the total and the "
            "other sampled quantities: chains that overlap have converged."
        )
        return PlotText(title, f"{title}. {alt}")
    return PlotText(name, _("Plot %(name)s of the estimate run") % {"name": name})
