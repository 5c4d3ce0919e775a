"""Scoring on a Dask cluster (optional: ``pip install 'anomascope[dask]'``).

- :func:`score_files`: many files, one Dask bag partition per file; each worker reads its file
  in chunks exactly as ``anomascope score`` does and writes ``OUT/<name>.scores.tsv``, so the
  scores equal the single-process ones byte for byte. Input files (and ``OUT``) must be
  reachable by the workers under the same paths (a shared file system).
- :func:`score_dataframe`: a Dask DataFrame (KDD: the ``kddcup.names`` columns, symbolic ones
  as strings or codes; beats: 140 numeric columns) to a Dask Series of scores, partition by
  partition.

Dask is imported only here, never by the browser package.
"""

from __future__ import annotations

import argparse
import glob
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.weights import LoadedModel

LOCAL_PREFIX = "local"  # --dask local[:N]: a LocalCluster of N worker processes on this machine


def _dask() -> Any:
    try:
        import dask.bag
        import distributed
    except ImportError:
        raise AnomascopeError(
            "--dask needs Dask: pip install 'anomascope[dask]' (dask[distributed])"
        ) from None
    return dask.bag, distributed


def output_name(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".csv", ".tsv", ".txt"):
        name = name.removesuffix(suffix)
    return f"{name}.scores.tsv"


def score_file(model: LoadedModel, path: str, out: str, threshold: float | None) -> dict[str, Any]:
    """Score one file into ``out`` (a worker's task); returns rows, seconds and warnings."""
    from anomascope.cli.score import score_stream

    args = argparse.Namespace(file=path, threshold=threshold, follow=False)
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        rows, warnings = score_stream(model, args, f, progress=False)
    return {
        "file": path,
        "out": out,
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "warnings": warnings,
    }


def _client(scheduler: str) -> Any:
    _, distributed = _dask()
    if scheduler == LOCAL_PREFIX or scheduler.startswith(LOCAL_PREFIX + ":"):
        workers = int(scheduler.partition(":")[2] or 2)
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return distributed.Client(cluster)
    return distributed.Client(scheduler)


def score_files(
    model: LoadedModel, pattern: str, out_dir: str, scheduler: str, threshold: float | None
) -> list[dict[str, Any]]:
    """Score every file matching ``pattern`` on the cluster at ``scheduler`` into ``out_dir``."""
    bag, _ = _dask()
    files = sorted(glob.glob(pattern))
    if not files:
        raise AnomascopeError(f"{pattern}: no file matches")
    names = [output_name(f) for f in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise AnomascopeError(f"two input files would both write {twice[0]}; rename one")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [
        (str(Path(f).resolve()), str((out / n).resolve()))
        for f, n in zip(files, names, strict=True)
    ]
    client = _client(scheduler)
    try:
        partitions = bag.from_sequence(tasks, npartitions=len(tasks))
        results = partitions.map(lambda t: score_file(model, t[0], t[1], threshold)).compute()
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and scheduler.startswith(LOCAL_PREFIX):
            cluster.close()
    return list(results)


def score_files_on_cluster(model: LoadedModel, args: argparse.Namespace) -> None:
    """``anomascope score --dask SCHEDULER 'GLOB' --out DIR``: a summary line per file."""
    if not args.out:
        raise AnomascopeError("--dask needs --out DIR (one scored file per input file)")
    if args.file is None or args.follow:
        raise AnomascopeError("--dask scores files: give a file or a quoted glob, not --follow")
    start = time.perf_counter()
    results = score_files(model, args.file, args.out, args.dask, args.threshold)
    seconds = time.perf_counter() - start
    rows = sum(r["rows"] for r in results)
    for r in results:
        for line in r["warnings"]:
            print(f"{r['file']}: {line}", file=sys.stderr)
        print(f"{r['out']}\t{r['rows']}")
    rate = rows / seconds if seconds > 0 else float("inf")
    print(
        f"scored {rows:,} rows in {len(results)} files in {seconds:.2f} s ({rate:,.0f} rows/s)",
        file=sys.stderr,
    )


def frame_rows(frame: Any, model: LoadedModel) -> np.ndarray:
    """A pandas DataFrame's rows as the model's raw input (errors name the column)."""
    columns = [str(c) for c in frame.columns]
    dataset = model.manifest.get("dataset")
    if dataset == "ecg5000":
        values = [c for c in columns if c != "label"]
        if len(values) != 140:
            raise AnomascopeError(
                f"beats need 140 value columns (and an optional label), got {len(values)}"
            )
        return frame[values].to_numpy(dtype=np.float32)
    if dataset != "kddcup99":
        raise AnomascopeError(f"the model's dataset {dataset!r} has no DataFrame layout")
    from anomascope.data.kdd import CATEGORICAL, FEATURE_NAMES

    unknown = [c for c in columns if c not in FEATURE_NAMES and c != "label"]
    missing = [c for c in FEATURE_NAMES if c not in columns]
    if unknown or missing:
        raise AnomascopeError(
            f"KDD columns are the names in kddcup.names (and an optional label); unknown: "
            f"{unknown[:8]}, missing: {missing[:8]}"
        )
    X = np.empty((len(frame), len(FEATURE_NAMES)), dtype=np.float32)
    for j, name in enumerate(FEATURE_NAMES):
        col = frame[name].to_numpy()
        if name in CATEGORICAL and col.dtype.kind not in "iuf":
            codes = {v: i for i, v in enumerate(CATEGORICAL[name])}
            unknown_values = sorted({str(v) for v in col} - set(codes))
            if unknown_values:
                raise AnomascopeError(f"column {name}: unknown value {unknown_values[0]!r}")
            X[:, j] = [codes[str(v)] for v in col]
            continue
        try:
            X[:, j] = col.astype(np.float64)
        except (TypeError, ValueError):
            raise AnomascopeError(f"column {name}: not all values are numbers") from None
    return X


def _score_partition(frame: Any, model: LoadedModel) -> Any:
    import pandas as pd

    if len(frame) == 0:
        return pd.Series([], index=frame.index, dtype="float64", name="score")
    scores = np.asarray(model.score(frame_rows(frame, model)), dtype=np.float64)
    return pd.Series(scores, index=frame.index, name="score")


def score_dataframe(frame: Any, model: LoadedModel) -> Any:
    """Scores of a Dask DataFrame's rows: a lazy Dask Series (float64, the frame's index).

    Each partition is scored where it lives (``map_partitions``); ``.compute()`` runs it on the
    current Dask client or scheduler.
    """
    import pandas as pd

    meta = pd.Series([], dtype="float64", name="score")
    return frame.map_partitions(_score_partition, model, meta=meta)
