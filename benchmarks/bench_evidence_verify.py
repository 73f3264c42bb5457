"""Benchmark ``inquest.evidence.verify`` over 100,000 small originals, one of them changed.

Fills a local store in a scratch folder (``--dir``, default: the system temporary folder) with
``--items`` random originals of 1 to 8 KiB, written straight into the store's layout (a
put's two fsyncs per item would make the set-up, not the verification, the long part),
flips one byte of one original, then times :func:`verify` with one worker and with two,
and checks that the changed original is found and named. Writes
``benchmarks/results/evidence_verify.json`` (with the machine's load average) and removes
the scratch folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from inquest.evidence.local import OBJECT_MODE, LocalStore
from inquest.evidence.verify import Progress, verify

RESULTS = Path(__file__).parent / "results" / "evidence_verify.json"


def fill(store: LocalStore, n: int, seed: int = 22) -> tuple[list[str], int]:
    """``n`` random originals written into the store's layout; their addresses and bytes."""
    rng = np.random.default_rng(seed)
    pool = rng.bytes(16 * 1024**2)
    sizes = rng.integers(1024, 8 * 1024, n)
    offsets = rng.integers(0, len(pool) - 8 * 1024, n)
    addresses = []
    total = 0
    for i, (size, offset) in enumerate(zip(sizes.tolist(), offsets.tolist(), strict=True)):
        data = i.to_bytes(8, "little") + pool[offset : offset + size]
        sha = hashlib.sha256(data).hexdigest()
        path = store.path(sha)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OBJECT_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        addresses.append(sha)
        total += len(data)
    return addresses, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="evidence-verify-", dir=args.dir))
    try:
        store = LocalStore(scratch / "store")
        t0 = time.perf_counter()
        addresses, nbytes = fill(store, args.items)
        fill_s = time.perf_counter() - t0
        victim = addresses[len(addresses) * 2 // 3]
        path = store.path(victim)
        os.chmod(path, 0o600)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        print(f"{len(addresses):,} originals, {nbytes / 1e6:.0f} MB, written in {fill_s:.0f} s")
        runs = {}
        for workers in (1, 2):
            ticks: list[Progress] = []
            load_before = os.getloadavg()
            cpu0 = time.process_time()
            report = verify(store, addresses, workers=workers, progress=ticks.append)
            cpu = time.process_time() - cpu0
            found = [c.sha256 for c in report.changed]
            runs[f"workers_{workers}"] = {
                "seconds": report.seconds,
                "cpu_s": cpu,
                "items_per_s": report.checked / report.seconds,
                "mb_per_s": report.bytes_read / 1e6 / report.seconds,
                "checked": report.checked,
                "changed": found,
                "flipped_byte_found_and_named": found == [victim],
                "vanished": len(report.vanished),
                "progress_calls": len(ticks),
                "load_before": list(load_before),
                "load_after": list(os.getloadavg()),
            }
            print(
                f"workers={workers}: {report.seconds:.1f} s, "
                f"{report.checked / report.seconds:,.0f} items/s, cpu {cpu:.1f} s, "
                f"changed {'found and named' if found == [victim] else found}, "
                f"load {load_before[0]:.2f}"
            )
        result = {
            "benchmark": "evidence_verify",
            "meta": {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "page_cache": "originals written just before: reads come from the page cache",
            },
            "items": len(addresses),
            "bytes": nbytes,
            "fill_s": fill_s,
            "flipped": victim,
            "runs": runs,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
