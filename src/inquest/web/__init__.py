"""The workbench: a Django site that is a client of the inquest engine.

Apps by job: ``registry`` (sources, records, persons as statements, places, events),
``runs`` (linkage and estimate runs with their inputs and artefacts), ``access``
(confidentiality levels and the role matrix every queryset enforces), ``audit`` (the
hash-chained log every service writes to), ``site`` (pages, English/Persian) and ``api``
(read-only JSON). Settings come from the environment; see ``inquest.web.ops.config`` and
docs/deployment/workbench.md.
"""

SETTINGS_MODULE = "inquest.web.settings"

__all__ = ["SETTINGS_MODULE"]
