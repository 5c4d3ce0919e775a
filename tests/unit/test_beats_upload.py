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
