"""Private folders and files hold their modes whatever the caller's umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from inquest.private import chmod_fix, exposed_bits, private_folder, restrict_umask
from inquest.simulate import load_scenario, simulate, write_world

pytestmark = pytest.mark.usefixtures("loose_umask")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_folder_makes_every_missing_folder_0700(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    leaf = tmp_path / "a" / "b" / "c"
    assert private_folder(leaf) == leaf
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", leaf)] == [0o700] * 3
    assert _mode(tmp_path) == 0o755  # what existed above is not the writer's to change


def test_private_folder_leaves_an_existing_folder_as_it_is(tmp_path: Path) -> None:
    """``--out /tmp`` must not close /tmp (1777) to everyone: an existing folder is the
    user's; only what the writer makes is set."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    private_folder(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert exposed_bits(shared) == 0o077
    assert chmod_fix(shared) == f"chmod 700 {shared}"


@pytest.mark.parametrize(("before", "after"), [(0o022, 0o077), (0o002, 0o077), (0o277, 0o277)])
def test_restrict_umask_takes_every_group_and_other_bit(before: int, after: int) -> None:
    os.umask(before)
    assert restrict_umask() == before
    assert os.umask(0o022) == after


def test_a_simulated_world_is_written_private(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("base: small\nname: tiny\npopulation: 30\n", encoding="utf-8")
    written = write_world(simulate(load_scenario(scenario), 1), tmp_path / "world")
    assert written and {_mode(p) for p in written} == {0o600}
    assert {_mode(tmp_path / "world"), _mode(tmp_path / "world" / "lists")} == {0o700}
