"""User beat files: good CSV / TSV / UCR text, and every kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.data.beats import MAX_BYTES, MAX_ROWS, parse_beats


def rows(
    n: int = 3, width: int = 140, sep: str = ",", label: int | None = None, first: str | None = None
) -> str:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        values = [f"{v:.5f}" for v in rng.normal(size=width)]
        if first is not None:
            values[0] = first
        out.append(sep.join(([str(label)] if label is not None else []) + values))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("sep", [",", "\t", " "])
def test_reads_each_format(sep: str) -> None:
    beats = parse_beats(rows(4, sep=sep).encode(), "b")
    assert beats.X.shape == (4, 140) and beats.y is None


def test_label_column_header_and_bom() -> None:
    text = "label," + ",".join(f"t{i}" for i in range(140)) + "\n" + rows(2, label=3)
    beats = parse_beats(b"\xef\xbb\xbf" + text.encode(), "b")
    assert beats.header and beats.y is not None and beats.y.tolist() == [3, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n \n", "empty"),
        (rows(2, width=139).encode(), "has 139 values"),
        ((rows(1) + rows(1, width=141)).encode(), "line 2 has 141 values"),
        (rows(2, first="x1").encode(), "line 1 has a value that is not a number: 'x1'"),
        (rows(1, first="x1").encode(), "not a number"),
        ((rows(1) + rows(1, first="nan")).encode(), "line 2 contains NaN"),
        (rows(1, first="-inf").encode(), "NaN or infinity"),
        (rows(1, label=9).encode(), "label 9"),
        (b"\x00\x01\x02" * 100, "binary"),
        ("é,".encode("latin-1") * 140, "not UTF-8"),
        (b"h," * 140 + b"\n", "header line but no beats"),
        (b"0," * (MAX_BYTES // 2 + 1), "limit is 5 MB"),
    ],
)
def test_bad_files_get_one_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(AnomascopeError, match=message):
        parse_beats(data, "upload.csv")


def test_row_limit() -> None:
    line = ",".join(["0"] * 140) + "\n"
    with pytest.raises(AnomascopeError, match=f"limit is {MAX_ROWS}"):
        parse_beats(line * (MAX_ROWS + 1), "big.csv")


def test_z_report_accepts_ecg5000_scale_and_flags_minmax_rows() -> None:
    from anomascope.data.beats import z_normalisation_report, z_normalise

    rng = np.random.default_rng(1)
    X = z_normalise(rng.normal(3.0, 5.0, size=(10, 140)))
    clean = z_normalisation_report(X)
    assert clean["count"] == 0 and clean["rows"] == 10 and clean["tolerance"] == 0.01
    X[[2, 7]] = (X[[2, 7]] - X[[2, 7]].min()) / np.ptp(X[[2, 7]])  # min-max [0, 1]
    report = z_normalisation_report(X)
    assert report["count"] == 2 and report["first_rows"] == [3, 8]
    assert report["mean_range"][1] > 0.3 and report["std_range"][0] < 0.5


def test_z_report_lists_at_most_five_rows() -> None:
    from anomascope.data.beats import z_normalisation_report

    report = z_normalisation_report(np.tile(np.linspace(0, 1, 140), (9, 1)))
    assert report["count"] == 9 and report["first_rows"] == [1, 2, 3, 4, 5]


def test_z_normalise_rows_and_constant_rows() -> None:
    from anomascope.data.beats import z_normalise

    X = np.vstack([np.linspace(0, 1, 140), np.full(140, 7.0)])
    Z = z_normalise(X)
    assert Z.dtype == np.float32 and np.all(Z[1] == 0.0)
    assert abs(Z[0].mean()) < 1e-6 and abs(Z[0].std(ddof=1) - 1) < 1e-6
    with pytest.raises(AnomascopeError, match="2-D"):
        z_normalise(np.zeros(140))
