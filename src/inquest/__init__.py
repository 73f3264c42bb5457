"""inquest: commissions of inquiry into mass atrocities.

The engine (``inquest.text``, ``inquest.dates``, ``inquest.places``, ``inquest.simulate``,
``inquest.linkage``, ``inquest.estimate``) knows nothing of the web; the workbench
(``inquest.web``) and the CLI (``inquest.cli``) are its clients.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("inquest")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
