"""Command line: the same loaders and detectors the browser uses.

python -m anomascope score --model models/ecg_autoencoder beats.csv
python -m anomascope evaluate --model models/ecg_autoencoder --data DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.metrics import metrics_summary
from anomascope.weights import LoadedModel, load_model_files, to_jsonable


def open_model(path: str) -> LoadedModel:
    """Load ``DIR/NAME`` given as the stem, the ``.json`` or the ``.npz`` path."""
    p = Path(path)
    if p.suffix in {".json", ".npz"}:
        p = p.with_suffix("")
    return load_model_files(p.parent, p.name)


def read_rows(model: LoadedModel, file: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Raw rows of ``file`` in the model's dataset format, and labels (True = anomaly) if any."""
    if not file.is_file():
        raise AnomascopeError(f"{file}: no such file")
    dataset = model.manifest.get("dataset")
    if dataset == "ecg5000":
        from anomascope.data.beats import parse_beats

        beats = parse_beats(file.read_bytes(), str(file))
        return beats.X, None if beats.y is None else beats.y != 1
    if dataset == "kddcup99":
        from anomascope.data import kdd

        table = kdd.parse_kdd(file.read_bytes(), str(file))
        return table.X, table.anomaly
    raise AnomascopeError(f"the model's dataset {dataset!r} is not known to the command line")


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


def threshold_of(model: LoadedModel, override: float | None) -> float:
    """The threshold to label with: ``override``, else the model's own."""
    threshold = model.detector.threshold_ if override is None else override
    if threshold is None:
        raise AnomascopeError("the model has no threshold; pass --threshold")
    return float(threshold)


def cmd_score(args: argparse.Namespace) -> None:
    model = open_model(args.model)
    X, _ = read_rows(model, Path(args.file))
    threshold = threshold_of(model, args.threshold)
    scores = model.score(X)
    out = sys.stdout
    out.write("row\tscore\tlabel\n")
    for i, s in enumerate(scores):
        out.write(f"{i}\t{s:.6g}\t{'anomaly' if s > threshold else 'normal'}\n")


def cmd_evaluate(args: argparse.Namespace) -> None:
    model = open_model(args.model)
    X, labels = evaluation_rows(model, Path(args.data))
    scores = model.score(X)
    summary: dict[str, Any] = {
        "model": model.manifest.get("name"),
        "dataset": model.manifest.get("dataset"),
        **metrics_summary(scores, labels, threshold_of(model, args.threshold)),
    }
    # an undefined metric (0/0, NaN) prints as null: strict JSON
    print(json.dumps(to_jsonable(summary), indent=1, allow_nan=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m anomascope",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="print one score and label per row of FILE")
    score.add_argument(
        "--model", required=True, help="model path stem, e.g. models/ecg_autoencoder"
    )
    score.add_argument("--threshold", type=float, help="override the model's threshold")
    score.add_argument("file")
    score.set_defaults(run=cmd_score)
    evaluate = sub.add_parser("evaluate", help="print test metrics as JSON")
    evaluate.add_argument("--model", required=True)
    evaluate.add_argument("--data", required=True, help="dataset folder")
    evaluate.add_argument("--threshold", type=float, help="override the model's threshold")
    evaluate.set_defaults(run=cmd_evaluate)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except AnomascopeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
