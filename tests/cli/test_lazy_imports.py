"""The link, evaluate, review, estimate and simulate commands load their engines lazily."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from inquest.cli import app
from inquest.simulate import PRESETS
from inquest.simulate.world import FORMATS

CLI = Path(__file__).resolve().parents[2] / "src" / "inquest" / "cli"
HEAVY = ("splink", "duckdb", "numba", "scipy", "pyarrow", "numpy", "inquest.simulate")

# Load the command modules without inquest/cli/__init__.py (which registers every group).
PROBE = f"""
import json, sys, types
pkg = types.ModuleType("inquest.cli")
pkg.__path__ = [{str(CLI)!r}]
sys.modules["inquest.cli"] = pkg
import inquest.cli.link, inquest.cli.estimate, inquest.cli.simulate, inquest.cli.lists
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {{"splink", "duckdb",
      "numba", "scipy", "pyarrow", "numpy"}} or m.startswith("inquest.simulate"))))
"""


def test_command_modules_import_no_engine() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True
    ).stdout
    loaded = json.loads(out)
    assert not [m for m in loaded if m.startswith(HEAVY)], loaded


def test_simulate_help_lists_every_preset_and_format() -> None:
    result = CliRunner().invoke(app, ["simulate", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name in (*PRESETS, *FORMATS):
        assert name in text, name
