"""The demo's workbench loader runs in ``inquest demo``'s own process: one whose Django is
set up for another workbench (this test session's) is refused before anything is removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquest.errors import ConfigError
from inquest.web.demo import WORKBENCH, load_workbench


def test_a_process_set_up_for_another_workbench_is_refused(tmp_path: Path) -> None:
    earlier = tmp_path / WORKBENCH / "inquest.sqlite3"
    earlier.parent.mkdir()
    earlier.write_bytes(b"an earlier demo")
    with pytest.raises(ConfigError, match="another workbench"):
        load_workbench(tmp_path, seed=1)
    assert earlier.read_bytes() == b"an earlier demo"
