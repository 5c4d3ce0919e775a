"""Command line: the same loaders and detectors the browser uses.

  anomascope score --model models/kdd_pca conn.csv.gz        one score per row, stdout
  tail -f conn.log | anomascope score --model models/kdd_pca --follow
  anomascope score --model models/kdd_pca --dask HOST:8786 'logs/*.csv.gz' --out scored/
  anomascope evaluate --model models/ecg_autoencoder --data DIR   (or --file labelled.csv)
  anomascope fit --detector iforest --label-column y --anomaly-values 1 --out m/iforest t.csv
  anomascope score --model m/iforest t.csv       table models: one score per row, nothing else
  anomascope evaluate --model m/iforest --label-column y --anomaly-values 1 t.csv

KDD and beat models print row, score (full precision), label (anomaly/normal), tab-separated;
table models (fitted by ``fit`` or on the "Your data" page) print the score alone, one line
per input row in input order (series models: the highest score of the windows covering the
row; ``nan`` for a row at the end that no window covers).
Warnings (input on another scale than the training data) and the throughput go to stderr.
Exit status: 0 done, 2 bad input or model, 141 output pipe closed early (like `cat | head`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from anomascope import AnomascopeError

EXIT_BAD_INPUT = 2
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`


def add_fit(sub: Any) -> None:
    """The ``fit`` command: one detector on a CSV/TSV table, as the "Your data" page fits."""
    from anomascope.cli.tables import cmd_fit

    fit = sub.add_parser("fit", help="fit a detector on a CSV/TSV table and save the model")
    fit.add_argument("--detector", required=True, help="pca, iforest, ecod, knn or autoencoder")
    fit.add_argument("--features", help="comma-separated feature columns (default: every "
                     "numeric and categorical column but the label and order columns)")
    fit.add_argument("--label-column", help="column telling normal and anomalous rows apart")
    fit.add_argument("--anomaly-values", help="comma-separated label values meaning anomaly")
    fit.add_argument("--order-column", help="numeric column giving the order of a series")
    fit.add_argument("--mode", choices=("table", "series"), default="table")
    fit.add_argument("--window", type=int, help="series mode: window length in rows")
    fit.add_argument("--stride", type=int, help="series mode: rows between windows (default: "
                     "the window length)")
    fit.add_argument("--param", action="append", metavar="NAME=VALUE",
                     help="a detector setting, e.g. n_trees=200 (repeatable)")
    fit.add_argument("--semi-supervised", action="store_true",
                     help="fit only on the fit rows labelled normal")
    fit.add_argument("--threshold-rule", help="best_f1 | recall:0.9 | contamination:5 (percent)"
                     " | mean_std:3 (default best_f1 with labels, contamination:5 without)")
    fit.add_argument("--seed", type=int, default=0, help="seed of the split and the detector")
    fit.add_argument("--out", required=True, help="model path stem: writes OUT.json and OUT.npz")
    fit.add_argument("file", help="CSV or TSV file ('-' for standard input)")
    fit.set_defaults(run=cmd_fit)


def build_parser() -> argparse.ArgumentParser:
    from anomascope.cli.score import cmd_evaluate, cmd_score

    parser = argparse.ArgumentParser(
        prog="anomascope", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="print one score and label per row of FILE")
    score.add_argument("--model", required=True, help="model path stem, e.g. models/kdd_pca")
    score.add_argument("--threshold", type=float, help="override the model's threshold")
    score.add_argument(
        "--follow", action="store_true", help="read standard input line by line, answer each"
    )
    score.add_argument("--dask", metavar="SCHEDULER", help="score FILES on a Dask cluster")
    score.add_argument("--out", help="with --dask: folder for one scored file per input file; "
                       "table models: write the scored CSV (rows + score + verdict) here")
    score.add_argument(
        "file", nargs="?", help="KDD or beats file (.gz too), '-' for stdin; a glob with --dask"
    )
    score.set_defaults(run=cmd_score)
    evaluate = sub.add_parser("evaluate", help="print metrics as JSON")
    evaluate.add_argument("--model", required=True)
    evaluate.add_argument("--data", help="dataset folder: the model's test split")
    evaluate.add_argument("--file", help="your own labelled KDD or beats file")
    evaluate.add_argument("--threshold", type=float, help="override the model's threshold")
    evaluate.add_argument("--label-column", help="table models: the label column")
    evaluate.add_argument("--anomaly-values", help="table models: label values meaning anomaly")
    evaluate.add_argument("table_file", nargs="?", metavar="FILE",
                          help="table models: the labelled CSV/TSV file")
    evaluate.set_defaults(run=cmd_evaluate)
    add_fit(sub)
    return parser


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the exit flush does not fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except AnomascopeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        return 130
    return 0
