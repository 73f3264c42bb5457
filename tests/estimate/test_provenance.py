"""Run provenance: input hashes, version, seed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from inquest import __version__
from inquest.estimate.provenance import input_hash, run_manifest, sha256_file


def test_hashes(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_bytes(b"A,B,C,count\n1,0,0,3\n")
    b.write_bytes(b"person_id,prison\np1,Evin\n")
    assert sha256_file(a) == hashlib.sha256(a.read_bytes()).hexdigest()
    assert input_hash([a]) == sha256_file(a)
    assert input_hash([a, b]) != input_hash([b, a])
    manifest = run_manifest([a, b], seed=7, methods=["loglinear"])
    assert manifest["seed"] == 7
    assert manifest["inquest_version"] == __version__
    assert [i["sha256"] for i in manifest["inputs"]] == [sha256_file(a), sha256_file(b)]
    assert manifest["settings"] == {"methods": ["loglinear"]}
    b.write_bytes(b"person_id,prison\np1,Gohardasht\n")
    assert run_manifest([a, b], seed=7)["input_hash"] != manifest["input_hash"]
