"""Benchmark evidence intake hashing against ``sha256sum`` on the same files, side by side.

Generates a mixed corpus of random bytes (default 10 GB: about a thousand small files of
4 KiB to 1 MiB, some forty of 10 to 100 MiB, three of 2.3 GB) in a scratch folder
(``--dir``, default: the system temporary folder), then times, one after the other on the
same files:

- ``sha256sum`` (coreutils) over every file;
- inquest's hash-only pass (``digest_path``: SHA-256 and SHA-512 in one streamed read);
- inquest's store ingest (``LocalStore.put``: both hashes, the copy into the store,
  fsync and the hard link), into a fresh store in the same scratch folder;
- a plain copy of every file, fsynced (``shutil.copyfile``, no hashing): the disk's pace,
  which ingest cannot beat.

``--rounds N`` runs each method N times, each round in another order; the best wall time of
each is compared (the machine is shared and its load drifts), and CPU times beside it.
``--methods`` runs a subset (``sha256sum`` always), e.g. hashing alone on a large corpus.
Each run is a child process: its wall and CPU time come from ``wait4``, its peak RSS
(memory must stay flat, whatever the file sizes) from GNU time. The machine's load average
is recorded before and after each run. Writes ``benchmarks/results/evidence_hashing.json``
and removes the scratch folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "evidence_hashing.json"
GB = 1000**3
MiB = 1024**2


def make_corpus(root: Path, total: int, seed: int = 22) -> dict[str, dict[str, int]]:
    """Random files of three size classes, ``total`` bytes in all: about 5% in small files
    (4 KiB to 1 MiB), 25% in medium ones (10 to 100 MiB), 70% in a few large ones."""
    rng = np.random.default_rng(seed)
    plan: dict[str, list[int]] = {"small": [], "medium": [], "large": []}
    budget = {"small": total * 5 // 100, "medium": total * 25 // 100}
    budget["large"] = total - budget["small"] - budget["medium"]
    for cls, lo, hi in (("small", 4096, MiB), ("medium", 10 * MiB, 100 * MiB)):
        left = budget[cls]
        while left > lo:
            size = min(int(rng.integers(lo, hi)), left)
            plan[cls].append(size)
            left -= size
    n_large = max(1, round(budget["large"] / (2.5 * GB)))
    plan["large"] = [budget["large"] // n_large] * n_large
    block = rng.bytes(64 * MiB)  # random, not compressible; offsets vary per file
    for cls, sizes in plan.items():
        folder = root / "corpus" / cls
        folder.mkdir(parents=True)
        for i, size in enumerate(sizes):
            with (folder / f"{i:06d}.bin").open("wb") as out:
                left, offset = size, int(rng.integers(0, MiB))
                while left:
                    n = min(left, len(block) - offset)
                    out.write(block[offset : offset + n])
                    left -= n
                    offset = int(rng.integers(0, MiB))
                # A distinct head per file, so no two files share a hash.
                out.seek(0)
                out.write(f"{cls}-{i}-".encode())
    return {cls: {"files": len(s), "bytes": sum(s)} for cls, s in plan.items()}


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "corpus").rglob("*.bin"))


def timed_child(args: list[str], rss_file: Path, *, stdin: bytes | None = None) -> dict[str, float]:
    """Wall and CPU seconds and peak RSS of one child process, and the load around it.

    The peak RSS comes from GNU time: a child forked from this process would inherit this
    process's own high-water mark in its rusage (the corpus generator is large).
    """
    load_before = os.getloadavg()
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stderr is not None
    if stdin is not None:
        proc.stdin.write(stdin)
    proc.stdin.close()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # times include the reaped grandchildren
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {err.decode(errors='replace')[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": int(rss_file.read_text().split()[-1]) / 1024,
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
    }


def worker(mode: str, listing: Path, store_dir: Path | None) -> None:
    """One measured run inside a child process: hash or ingest every listed file."""
    from inquest.evidence.local import LocalStore
    from inquest.evidence.store import digest_path

    paths = [Path(line) for line in listing.read_text().splitlines()]
    if mode == "hash":
        for path in paths:
            digest_path(path)
    elif mode == "ingest":
        assert store_dir is not None
        store = LocalStore(store_dir)
        for path in paths:
            store.put(path)
    elif mode == "copy":  # the disk's pace: a kernel copy of each file, fsynced, no hashing
        assert store_dir is not None
        store_dir.mkdir()
        for i, path in enumerate(paths):
            target = store_dir / f"{i:06d}"
            shutil.copyfile(path, target)
            with target.open("rb") as done:
                os.fsync(done.fileno())
    else:
        raise SystemExit(f"unknown mode {mode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total-gb", type=float, default=10.0, help="corpus size (GB)")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()), help="scratch parent"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each method")
    parser.add_argument(
        "--methods",
        default="sha256sum,inquest_hash_only,inquest_ingest,copy_fsync",
        help="comma-separated subset of the methods to run (sha256sum is always run)",
    )
    parser.add_argument("--worker", choices=["hash", "ingest", "copy"], help=argparse.SUPPRESS)
    parser.add_argument("--listing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.listing, args.store)
        return

    args.dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="evidence-bench-", dir=args.dir))
    try:
        total = int(args.total_gb * GB)
        t0 = time.perf_counter()
        corpus = make_corpus(scratch, total)
        made_s = time.perf_counter() - t0
        files = corpus_files(scratch)
        nbytes = sum(p.stat().st_size for p in files)
        listing = scratch / "listing.txt"
        listing.write_text("".join(f"{p}\n" for p in files))
        nul_list = b"".join(os.fsencode(p) + b"\0" for p in files)
        me = [sys.executable, __file__, "--listing", str(listing)]
        print(f"corpus: {len(files)} files, {nbytes / GB:.2f} GB, made in {made_s:.0f} s")
        commands: dict[str, tuple[list[str], bytes | None]] = {
            "sha256sum": (["xargs", "-0", "sha256sum", "--"], nul_list),
            "inquest_hash_only": ([*me, "--worker", "hash"], None),
            "inquest_ingest": (
                [*me, "--worker", "ingest", "--store", str(scratch / "store")],
                None,
            ),
            "copy_fsync": ([*me, "--worker", "copy", "--store", str(scratch / "copy")], None),
        }
        chosen = {"sha256sum", *args.methods.split(",")}
        unknown = chosen - set(commands)
        if unknown:
            raise SystemExit(f"unknown method(s): {', '.join(sorted(unknown))}")
        commands = {name: cmd for name, cmd in commands.items() if name in chosen}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        names = list(commands)
        for r in range(args.rounds):
            # Each round in another order: the machine's load drifts, and no method should
            # always run at the same moment of it.
            for name in names[r % len(names) :] + names[: r % len(names)]:
                cmd, feed = commands[name]
                for target in (scratch / "store", scratch / "copy"):
                    if target.exists():
                        for folder, _, _ in os.walk(target):
                            os.chmod(folder, 0o700)
                        shutil.rmtree(target)
                run = timed_child(cmd, scratch / "rss.txt", stdin=feed)
                run["mib_per_s"] = nbytes / MiB / run["wall_s"]
                run["cpu_mib_per_s"] = nbytes / MiB / run["cpu_s"]
                runs[name].append(run)
                print(
                    f"round {r + 1} {name:>18}: {run['wall_s']:7.1f} s "
                    f"{run['mib_per_s']:7.1f} MiB/s  cpu {run['cpu_s']:6.1f} s"
                    f"  peak RSS {run['peak_rss_mib']:6.1f} MiB  load {run['load_before'][0]:.2f}"
                )
        best = {name: min(r["wall_s"] for r in rs) for name, rs in runs.items()}
        cpu = {name: min(r["cpu_s"] for r in rs) for name, rs in runs.items()}
        ratio_hash = best["sha256sum"] / best["inquest_hash_only"]
        ratio_ingest = (
            best["sha256sum"] / best["inquest_ingest"] if "inquest_ingest" in best else None
        )
        sha_version = subprocess.run(
            ["sha256sum", "--version"], capture_output=True, text=True, check=True
        ).stdout.splitlines()[0]
        result = {
            "benchmark": "evidence_hashing",
            "meta": {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "openssl": ssl.OPENSSL_VERSION,
                "sha256sum": sha_version,
                "page_cache": "corpus written just before the runs; it fits in memory, so "
                "reads come mostly from the page cache: the runs compare hashing, not disks",
                "rounds": args.rounds,
            },
            "corpus": {"files": len(files), "bytes": nbytes, "by_class": corpus, "made_s": made_s},
            "runs": runs,
            "best_wall_s": best,
            "least_cpu_s": cpu,
            "hash_only_vs_sha256sum_wall": ratio_hash,
            "hash_only_vs_sha256sum_cpu": cpu["sha256sum"] / cpu["inquest_hash_only"],
            "ingest_vs_sha256sum_wall": ratio_ingest,
            "ingest_vs_copy_fsync_wall": best["copy_fsync"] / best["inquest_ingest"]
            if {"copy_fsync", "inquest_ingest"} <= set(best)
            else None,
            "target": "hashing >= 0.80 of sha256sum's throughput",
            "target_met_wall": ratio_hash >= 0.8,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"best of {args.rounds}: hash only {ratio_hash:.2f}x sha256sum's throughput")
        if ratio_ingest is not None:
            print(f"ingest {ratio_ingest:.2f}x sha256sum's throughput")
        print(f"wrote {args.out}")
    finally:
        store_objects = scratch / "store" / "objects"
        if store_objects.exists():  # originals are 0400 in 0700 folders: removable by owner
            for folder, _, _ in os.walk(store_objects):
                os.chmod(folder, 0o700)
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
