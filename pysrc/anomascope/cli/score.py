"""``score`` and ``evaluate``: chunked reading, full-precision output, checks, throughput."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from anomascope import AnomascopeError
from anomascope.cli.checks import check_for
from anomascope.cli.inputs import chunks_of, open_input, reader_for
from anomascope.cli.tables import evaluate_table_file, is_table_model, score_table_file
from anomascope.metrics import metrics_summary
from anomascope.weights import LoadedModel, load_model_files, to_jsonable

HEADER = "row\tscore\tlabel\n"


def open_model(path: str) -> LoadedModel:
    """Load ``DIR/NAME`` given as the stem, the ``.json`` or the ``.npz`` path."""
    p = Path(path)
    if p.suffix in {".json", ".npz"}:
        p = p.with_suffix("")
    return load_model_files(p.parent, p.name)


def threshold_of(model: LoadedModel, override: float | None) -> float:
    """The threshold to label with: ``override``, else the model's own."""
    threshold = model.detector.threshold_ if override is None else override
    if threshold is None:
        raise AnomascopeError("the model has no threshold; pass --threshold")
    return float(threshold)


def format_scores(scores: np.ndarray, first_row: int, threshold: float) -> str:
    """One ``row<TAB>score<TAB>label`` line per score; scores at full precision (repr)."""
    return "".join(
        f"{first_row + i}\t{s!r}\t{'anomaly' if s > threshold else 'normal'}\n"
        for i, s in enumerate(np.asarray(scores, dtype=np.float64).tolist())
    )


class Progress:
    """A tqdm bar on stderr when stderr is a terminal and tqdm is installed; else nothing."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.bar: Any = None
        self.done = 0
        if not enabled or not sys.stderr.isatty():
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, leave=False)

    def update(self, position: int) -> None:
        if self.bar is not None:
            self.bar.update(position - self.done)
            self.done = position

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def warn(lines: list[str]) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


def score_stream(
    model: LoadedModel, args: argparse.Namespace, out: TextIO, progress: bool = True
) -> tuple[int, list[str]]:
    """Score ``args.file`` chunk by chunk into ``out``; returns the rows and scale warnings."""
    source = open_input(args.file)
    reader = reader_for(model, source.name)
    check = check_for(model)
    threshold = threshold_of(model, args.threshold)
    bar = Progress(source.size, enabled=progress and not args.follow)
    out.write(HEADER)
    if args.follow:
        out.flush()
    rows = 0
    try:
        for X, _ in chunks_of(reader, source, 1 if args.follow else None):
            check.update(X)
            out.write(format_scores(model.score(X), rows, threshold))
            if args.follow:
                out.flush()
            rows += len(X)
            bar.update(source.position())
    finally:
        bar.close()
    out.flush()
    return rows, check.warnings()


def cmd_score(args: argparse.Namespace) -> None:
    model = open_model(args.model)
    if is_table_model(model):
        if args.dask or args.follow:
            raise AnomascopeError("--dask and --follow score KDD and beat models, not tables")
        score_table_file(model, args)
        return
    if args.dask:
        from anomascope.cli.dask_scoring import score_files_on_cluster

        score_files_on_cluster(model, args)
        return
    if args.follow and args.file is None:
        args.file = "-"
    if args.file is None:
        raise AnomascopeError("give a FILE to score ('-' for standard input) or --follow")
    start = time.perf_counter()
    rows, warnings = score_stream(model, args, sys.stdout)
    warn(warnings)
    seconds = time.perf_counter() - start
    if not args.follow:
        rate = rows / seconds if seconds > 0 else float("inf")
        print(f"scored {rows:,} rows in {seconds:.2f} s ({rate:,.0f} rows/s)", file=sys.stderr)


def evaluation_rows(model: LoadedModel, data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test rows the results tables report on."""
    dataset = model.manifest.get("dataset")
    if dataset == "ecg5000":
        from anomascope.data import ecg

        data = ecg.load_ecg5000(data_dir)
        return data.test_X, ecg.is_anomaly(data.test_y)
    if dataset == "kddcup99":
        from anomascope.data import kdd

        corrected = kdd.load_kdd_file(data_dir / kdd.TEST_FILE, kdd.EXPECTED_COUNTS[kdd.TEST_FILE])
        stream = kdd.build_stream(corrected)
        return stream.X, stream.anomaly
    raise AnomascopeError(f"the model's dataset {dataset!r} is not known to the command line")


def file_scores(model: LoadedModel, path: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels of a user's labelled file, read in chunks (rows are not kept)."""
    source = open_input(path)
    reader = reader_for(model, source.name)
    check = check_for(model)
    scores, labels = [], []
    for X, y in chunks_of(reader, source):
        if y is None:
            raise AnomascopeError(
                f"{source.name}: has no label column; evaluate needs labelled rows (KDD: a "
                "label last or a 'label' column; beats: the ECG5000 class first)"
            )
        check.update(X)
        scores.append(model.score(X))
        labels.append(y)
    if not scores:
        raise AnomascopeError(f"{source.name}: the file has no rows")
    warn(check.warnings())
    return np.concatenate(scores), np.concatenate(labels)


def cmd_evaluate(args: argparse.Namespace) -> None:
    model = open_model(args.model)
    if is_table_model(model):
        table_summary = evaluate_table_file(model, args)
        print(json.dumps(to_jsonable(table_summary), indent=1, allow_nan=False))
        return
    if getattr(args, "table_file", None) is not None:
        raise AnomascopeError("a KDD or beat model takes --file FILE or --data DIR")
    if (args.data is None) == (args.file is None):
        raise AnomascopeError("give either --data (the dataset folder) or --file (your file)")
    if args.file is not None:
        scores, labels = file_scores(model, args.file)
    else:
        X, labels = evaluation_rows(model, Path(args.data))
        scores = model.score(X)
    summary: dict[str, Any] = {
        "model": model.manifest.get("name"),
        "dataset": model.manifest.get("dataset"),
        "source": args.file if args.file is not None else "test split of " + str(args.data),
        **metrics_summary(scores, labels, threshold_of(model, args.threshold)),
    }
    # an undefined metric (0/0, NaN) prints as null: strict JSON
    print(json.dumps(to_jsonable(summary), indent=1, allow_nan=False))
