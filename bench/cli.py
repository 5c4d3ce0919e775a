"""The command line, natively: rows/s and peak memory for the KDD models, on one process and
on a Dask LocalCluster of two workers, and ``--follow`` latency per line.

Each single-process run is a fresh ``python`` that scores the whole file through
``anomascope.cli.main`` and reports its own peak RSS (``VmHWM`` of ``/proc/self/status``,
which ``exec`` resets; ``ru_maxrss`` would keep the forking bench process's, which is larger),
so runs do not share a high-water mark. Memory should stay flat from 100,000 rows to the full
494,021 (the target: within 20 %); ``flat_ratio`` is full / 100k.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
TRAIN_FILE = "kddcup99/kddcup.data_10_percent.gz"
SMALL_ROWS = 100_000
DASK_PARTS = 4  # files, so the two workers share the work
FOLLOW_LINES = 200
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "pysrc")}

# This process's peak resident memory in MB (Linux): the high-water mark of its own memory map.
PEAK_RSS = """
def peak_rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
"""

DRIVER = PEAK_RSS + """
import json, os, sys, time
model, path, report = sys.argv[1:4]
sys.stdout = open(os.devnull, "w")
from anomascope.cli import main
start = time.perf_counter()
code = main(["score", "--model", model, path])
seconds = time.perf_counter() - start
with open(report, "w") as f:
    json.dump({"code": code, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}, f)
"""


def kdd_models() -> list[str]:
    return sorted(
        p.stem for p in MODELS.glob("kdd_*.json") if json.loads(p.read_text()).get("kind")
    )


def single_process(model: str, path: Path, rows: int, tmp: Path) -> dict[str, Any]:
    report = tmp / "report.json"
    subprocess.run(
        [sys.executable, "-c", DRIVER, str(MODELS / model), str(path), str(report)],
        env=ENV, check=True, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    result = json.loads(report.read_text())
    if result["code"] != 0:
        raise RuntimeError(f"anomascope score --model {model} {path} failed")
    return {
        "rows": rows,
        "rows_per_s": round(rows / result["seconds"]),
        "peak_rss_mb": round(result["peak_rss_mb"], 1),
    }


def on_local_cluster(model: str, pattern: str, rows: int, out: Path) -> dict[str, Any]:
    import distributed

    from anomascope.cli.dask_scoring import score_files
    from anomascope.weights import load_model_files

    loaded = load_model_files(MODELS, model)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        start = time.perf_counter()
        score_files(loaded, pattern, str(out), cluster.scheduler_address, None)
        seconds = time.perf_counter() - start
        namespace: dict[str, Any] = {}
        exec(PEAK_RSS, namespace)  # a function defined here travels to the workers by value
        peaks = client.run(namespace["peak_rss_mb"])
    return {
        "rows": rows,
        "workers": 2,
        "partitions": DASK_PARTS,
        "rows_per_s": round(rows / seconds),
        "worker_peak_rss_mb": [round(v, 1) for v in peaks.values()],
    }


def follow_latency(model: str, lines: list[bytes]) -> dict[str, Any]:
    command = [sys.executable, "-m", "anomascope", "score", "--model", str(MODELS / model)]
    proc = subprocess.Popen(
        [*command, "--follow"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=ENV,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdout.readline()  # the header
    waits = []
    for line in lines:
        start = time.perf_counter()
        proc.stdin.write(line)
        proc.stdin.flush()
        proc.stdout.readline()
        waits.append((time.perf_counter() - start) * 1000)
    proc.stdin.close()
    proc.wait(timeout=60)
    waits.sort()
    return {
        "lines": len(waits),
        "p50_ms": round(statistics.median(waits), 2),
        "p95_ms": round(waits[int(0.95 * (len(waits) - 1))], 2),
    }


def split_file(source: Path, tmp: Path) -> tuple[int, Path, str]:
    """Rows of ``source``; a gz of its first :data:`SMALL_ROWS`; :data:`DASK_PARTS` gz parts."""
    with gzip.open(source, "rb") as f:
        lines = f.readlines()
    small = tmp / "first_100k.csv.gz"
    small.write_bytes(gzip.compress(b"".join(lines[:SMALL_ROWS]), compresslevel=1))
    parts = tmp / "parts"
    parts.mkdir()
    step = -(-len(lines) // DASK_PARTS)
    for i in range(DASK_PARTS):
        chunk = b"".join(lines[i * step : (i + 1) * step])
        (parts / f"part{i}.csv.gz").write_bytes(gzip.compress(chunk, compresslevel=1))
    return len(lines), small, str(parts / "part*.csv.gz")


def measure_cli(data_dir: Path) -> dict[str, Any]:
    """Every figure of the command line, per KDD model."""
    source = data_dir / TRAIN_FILE
    figures: dict[str, Any] = {"file": source.name}
    with tempfile.TemporaryDirectory(prefix="anomascope-bench-cli-") as name:
        tmp = Path(name)
        rows, small, pattern = split_file(source, tmp)
        with gzip.open(source, "rb") as f:
            follow_lines = [f.readline() for _ in range(FOLLOW_LINES)]
        for model in kdd_models():
            full = single_process(model, source, rows, tmp)
            first = single_process(model, small, SMALL_ROWS, tmp)
            figures[model] = {
                "single_process": full,
                "single_process_100k": first,
                "flat_ratio": round(full["peak_rss_mb"] / first["peak_rss_mb"], 3),
                "dask_local_cluster": on_local_cluster(model, pattern, rows, tmp / model),
                "follow_latency": follow_latency(model, follow_lines),
            }
    return figures


if __name__ == "__main__":
    from sitebuild import bootstrap

    print(json.dumps(measure_cli(bootstrap.data_dir(None)), indent=1))
