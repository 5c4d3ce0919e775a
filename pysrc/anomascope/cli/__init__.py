"""Command line: the same loaders and detectors the browser uses.

  anomascope score --model models/kdd_pca conn.csv.gz        one score per row, stdout
  tail -f conn.log | anomascope score --model models/kdd_pca --follow
  anomascope score --model models/kdd_pca --dask HOST:8786 'logs/*.csv.gz' --out scored/
  anomascope evaluate --model models/ecg_autoencoder --data DIR   (or --file labelled.csv)

Scores print as row, score (full precision), label (anomaly/normal), tab-separated.
Warnings (input on another scale than the training data) and the throughput go to stderr.
Exit status: 0 done, 2 bad input or model, 141 output pipe closed early (like `cat | head`).
"""

from __future__ import annotations

import argparse
import os
import sys

from anomascope import AnomascopeError

EXIT_BAD_INPUT = 2
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`


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
    score.add_argument("--out", help="with --dask: folder for one scored file per input file")
    score.add_argument(
        "file", nargs="?", help="KDD or beats file (.gz too), '-' for stdin; a glob with --dask"
    )
    score.set_defaults(run=cmd_score)
    evaluate = sub.add_parser("evaluate", help="print metrics as JSON")
    evaluate.add_argument("--model", required=True)
    evaluate.add_argument("--data", help="dataset folder: the model's test split")
    evaluate.add_argument("--file", help="your own labelled KDD or beats file")
    evaluate.add_argument("--threshold", type=float, help="override the model's threshold")
    evaluate.set_defaults(run=cmd_evaluate)
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
