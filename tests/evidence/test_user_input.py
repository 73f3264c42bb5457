"""What users type for the engine: pages and regions to redact, the authorities' file."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquest.errors import ConfigError, InputError
from inquest.evidence.redact import Region, parse_pages, parse_region
from inquest.evidence.timestamps import HashAlgorithm, load_authorities

from ._tsa import TestTSA


def test_pages_and_regions_are_read_and_bad_ones_named() -> None:
    assert parse_pages("2, 4-5,4") == (1, 3, 4)
    assert parse_pages("") == ()
    assert parse_region("3:10,20,30,40") == (2, Region(10, 20, 30, 40))
    assert parse_region("1.5,2,3,4") == (None, Region(1.5, 2, 3, 4))
    for bad in ("0", "3-1", "a"):
        with pytest.raises(InputError, match="pages"):
            parse_pages(bad)
    for bad in ("0:1,2,3,4", "x:1,2,3,4", "1,2,3", "1:30,20,10,40"):
        with pytest.raises(InputError, match="region"):
            parse_region(bad)


def test_authorities_file(tmp_path: Path) -> None:
    tsa = TestTSA.make("synthetic-file-tsa")
    (tmp_path / "ca.pem").write_bytes(tsa.chain_pem)
    good = tmp_path / "tsa.yaml"
    good.write_text(
        "authorities:\n  - name: one\n    url: https://tsa.invalid/\n    certs: ca.pem\n"
        "    hash_algorithm: sha512\n",
        encoding="utf-8",
    )
    [one] = load_authorities(good)
    assert one.name == "one" and one.hash_algorithm is HashAlgorithm.SHA512
    cases = {
        "authorities: 3\n": "list under authorities",
        "authorities:\n  - name: a\n    url: ftp://x/\n    certs: ca.pem\n": "http",
        "authorities:\n  - name: a\n    url: https://x/\n    certs: none.pem\n": "cannot read",
        "authorities:\n  - {name: a, url: 'https://x/', certs: ca.pem, colour: red}\n": "mapping",
        "authorities:\n  - {name: a, url: 'https://x/', certs: ca.pem}\n"
        "  - {name: a, url: 'https://y/', certs: ca.pem}\n": "same name",
    }
    for n, (text, why) in enumerate(cases.items()):
        bad = tmp_path / f"bad{n}.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=why) as raised:
            load_authorities(bad)
        assert str(bad) in str(raised.value)
