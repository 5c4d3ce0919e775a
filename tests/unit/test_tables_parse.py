"""parse_table: every dialect the data page accepts, and one clear message per bad input."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.tables import LIMITS, MISSING_MARKERS, parse_table


def _nan_equal(a: np.ndarray, b: list[float]) -> None:
    np.testing.assert_array_equal(a, np.asarray(b, dtype=np.float64))


def test_comma_header_numeric_and_text_columns() -> None:
    t = parse_table(b"a,b,kind\n1,2.5,x\n3,,y\n-4e2,7,x\n")
    assert t.names == ["a", "b", "kind"] and t.has_header and t.n_rows == 3
    assert (t.delimiter, t.decimal) == (",", ".")
    _nan_equal(t.column("a"), [1, 3, -400])
    _nan_equal(t.column("b"), [2.5, np.nan, 7])
    assert t.column("kind").dtype == object and t.column("kind").tolist() == ["x", "y", "x"]
    assert t.is_numeric("a") and not t.is_numeric("kind")
    assert t.line_numbers.tolist() == [2, 3, 4]


def test_no_header_gets_numbered_names() -> None:
    t = parse_table(b"1,2\n3,4\n")
    assert not t.has_header and t.names == ["column 1", "column 2"]
    _nan_equal(t.columns[1], [2, 4])
    assert t.line_numbers.tolist() == [1, 2]


def test_all_text_header_unlike_the_rest() -> None:
    t = parse_table(b"name,city\nBob,Paris\nAmy,Rome\nBob,Rome\n")
    assert t.has_header and t.names == ["name", "city"] and t.n_rows == 3
    t2 = parse_table(b"a,x\nb,y\na,x\n")  # first row repeats below: data, not names
    assert not t2.has_header and t2.n_rows == 3


def test_semicolon_with_decimal_comma() -> None:
    t = parse_table(b"x;y\n1,5;2,25\n-3,0;4\n")
    assert (t.delimiter, t.decimal) == (";", ",")
    _nan_equal(t.column("x"), [1.5, -3.0])
    _nan_equal(t.column("y"), [2.25, 4.0])
    assert t.rows_as_text(np.array([0])) == [["1,5", "2,25"]]


def test_tab_separated_with_trailing_delimiter() -> None:
    t = parse_table(b"a\tb\t\n1\t2\t\n3\t4\t\n")
    assert t.delimiter == "\t" and t.names == ["a", "b"]
    _nan_equal(t.column("b"), [2, 4])


def test_trailing_comma_on_every_row_is_dropped() -> None:
    t = parse_table(b"1,2,\n3,4,\n")
    assert len(t.names) == 2


def test_space_separated_runs_of_spaces() -> None:
    t = parse_table(b"1 2  3\n 4 5 6\n")
    assert t.delimiter == " " and len(t.names) == 3
    _nan_equal(t.columns[2], [3, 6])


def test_space_separated_ragged_trailing_spaces_and_blank_lines() -> None:
    t = parse_table(b"1 2 \n3 4\n  5 6   \n")
    assert len(t.names) == 2 and t.line_numbers.tolist() == [1, 2, 3]
    _nan_equal(t.columns[1], [2, 4, 6])
    t = parse_table(b"a,b\n1,2\n   \n3,4\n")  # a line of spaces counts as blank
    assert t.n_rows == 2 and t.line_numbers.tolist() == [2, 4]


def test_empty_header_name_gets_a_number() -> None:
    t = parse_table(b"a,,c\n1,2,3\n")
    assert t.names == ["a", "column 2", "c"]


def test_quoted_fields_embedded_delimiters_doubled_quotes_and_line_breaks() -> None:
    data = b'"a","b"\n"x,y",1\n\n"he said ""hi""",2\n"two\nlines",3\n'
    t = parse_table(data)
    assert t.names == ["a", "b"]
    assert t.column("a").tolist() == ["x,y", 'he said "hi"', "two\nlines"]
    _nan_equal(t.column("b"), [1, 2, 3])
    assert t.line_numbers.tolist() == [2, 4, 5]
    assert t.rows_as_text(np.array([2, 0])) == [["two\nlines", "3"], ["x,y", "1"]]


def test_quoted_header_only_uses_fast_path_and_keeps_lines() -> None:
    t = parse_table(b'"a","b;c"\n1,2\n\n3,4\n')
    assert t.names == ["a", "b;c"] and t.line_numbers.tolist() == [2, 4]
    t = parse_table(b'"a","two\nlines"\n1,2\n3,4\n')
    assert t.names == ["a", "two\nlines"] and t.line_numbers.tolist() == [3, 4]


def test_crlf_bom_and_blank_lines() -> None:
    t = parse_table(b"\xef\xbb\xbfid,v\r\n1,2.5\r\n\r\n2,3\r\n")
    assert t.names == ["id", "v"]
    _nan_equal(t.column("v"), [2.5, 3.0])
    assert t.line_numbers.tolist() == [2, 4]
    assert t.rows_as_text(np.array([1])) == [["2", "3"]]


def test_old_mac_line_ends() -> None:
    t = parse_table(b"a,b\r1,2\r3,4\r")
    assert t.n_rows == 2 and t.names == ["a", "b"]


@pytest.mark.parametrize("marker", MISSING_MARKERS)
def test_missing_markers_in_numeric_column(marker: str) -> None:
    t = parse_table(f"a,b\n1,{marker}\n2, 5 \n".encode())
    _nan_equal(t.column("b"), [np.nan, 5.0])


def test_missing_in_text_column_is_none() -> None:
    t = parse_table(b"a,b\n1,x\n2,NA\n3,?\n4,\n")
    assert t.column("b").tolist() == ["x", None, None, None]


def test_single_row_and_single_column_parse() -> None:
    t = parse_table(b"1,2,3\n")
    assert t.n_rows == 1 and not t.has_header
    t = parse_table(b"value\n1\n2\n")
    assert t.names == ["value"] and t.n_rows == 2


@pytest.mark.parametrize("fmt", [".12g", ".3e", ".6f", ".15g", ".2E"])
def test_numbers_match_python_float(fmt: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=500) * 10.0 ** rng.integers(-12, 12, size=500)
    cells = [format(v, fmt) for v in x]
    t = parse_table(("v\n" + "\n".join(cells) + "\n").encode())
    np.testing.assert_array_equal(t.column("v"), [float(c) for c in cells])
    semi = parse_table(("v;w\n" + "\n".join(f"{c.replace('.', ',')};1" for c in cells)).encode())
    assert semi.decimal == ","
    np.testing.assert_array_equal(semi.column("v"), [float(c) for c in cells])


def test_unknown_column_names_field() -> None:
    t = parse_table(b"a,b\n1,2\n")
    with pytest.raises(AnomascopeError, match="no column named 'zz'") as e:
        t.column("zz")
    assert e.value.field == "zz"


BAD = [
    (b"\x89PNG\r\n\x1a\n\x00\x00IHDR", r"data\.csv is not a text file \(it contains NUL"),
    ("a,b\n1,2\n".encode("utf-16"), r"UTF-16.*save it as UTF-8"),
    ("a,b\n1,2\n".encode("utf-16-be").join([b"\xfe\xff", b""]), r"UTF-16"),
    (b"a,b\n1,\xe9\n", r"not a text file in UTF-8 \(line 2 has byte 0xe9\)"),
    (b"", r"data\.csv is empty"),
    (b" \n\r\n\n", r"data\.csv is empty"),
    (b'""\n\n', r"data\.csv is empty"),
    (b"a,b,c\n", r"header line but no data rows"),
    (b"a,b\n1,2\n3,4,5\n6,7\n", r"line 3 has 3 fields but line 1 has 2 \(separated by ','\)"),
    (b"a;b\n1;2\n\n3\n", r"line 4 has 1 field but line 1 has 2 \(separated by ';'\)"),
    (b'a,b\n"x,1",2\n"y"\n', r"line 3 has 1 field but line 1 has 2"),
    (
        b"a,b,a,c,b\n1,2,3,4,5\n",
        r"duplicate column names: 'a' \(columns 1, 3\); 'b' \(columns 2, 5\)",
    ),
    (b"a,b\n1,2\n3,inf\n", r"line 3, column 'b': infinite value 'inf'"),
    (b"a,b\n1,-Infinity\n", r"line 2, column 'b': infinite value '-Infinity'"),
    (b"a,b\n1,2\n3,2e16\n", r"line 3, column 'b': value '2e16' is absurdly large \(\|x\| > 1e15\)"),
    (b"a;b\n1;2\n3;-5000000000000000000\n", r"line 3, column 'b': value '-5000000000000000000'"),
    (b"a,b\n1,2\n3,1e400\n", r"line 3, column 'b': value '1e400' is absurdly large"),
    (("1," * 59 + "1\n").encode(), r"has 60 columns; the limit is 50"),
]


@pytest.mark.parametrize(("data", "match"), BAD)
def test_bad_input_message(data: bytes, match: str) -> None:
    with pytest.raises(AnomascopeError, match=match) as e:
        parse_table(data, "data.csv")
    assert e.value.field == "file"


def test_trailing_delimiter_missing_on_a_later_row_is_named() -> None:
    rows = b"a,b,\n" + b"1,2,\n" * 300 + b"3,4,5\n"
    with pytest.raises(AnomascopeError, match=r"line 302 has 3 fields but line 1 has 2"):
        parse_table(rows, "data.csv")


def test_row_limit_names_both_numbers() -> None:
    with pytest.raises(AnomascopeError, match=r"has 3 data rows; the limit is 2 rows"):
        parse_table(b"a\n1\n2\n3\n", limits={"max_rows": 2})
    with pytest.raises(AnomascopeError, match=r"has 3 data rows; the limit is 2 rows"):
        parse_table(b'"a"\n"1"\n2\n\n3\n', limits={"max_rows": 2})
    assert parse_table(b"a\n1\n2\n", limits={"max_rows": 2}).n_rows == 2


def test_byte_limit_names_both_numbers() -> None:
    with pytest.raises(AnomascopeError, match=r"is 8 bytes; the limit is 3 bytes"):
        parse_table(b"a\n1\n2\n3\n", limits={"max_bytes": 3})
    big = b"0" * (LIMITS["max_bytes"] + 1)
    match = r"is 50\.0 MB \(52,428,801 bytes\); the limit is 50\.0 MB"
    with pytest.raises(AnomascopeError, match=match):
        parse_table(big)


def test_column_limit_counts_columns() -> None:
    assert len(parse_table(("1," * 49 + "1\n").encode()).names) == 50


def _big_csv(n: int = 200_000, k: int = 12) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    np.savetxt(
        buf,
        rng.normal(size=(n, k)) * 1000,
        fmt="%.6f",
        delimiter=",",
        header=",".join(f"c{j}" for j in range(k)),
        comments="",
    )
    return buf.getvalue()


def test_large_file_parses_quickly() -> None:
    data = _big_csv()
    assert len(data) > 20 * 2**20
    t0 = time.perf_counter()
    t = parse_table(data)
    elapsed = time.perf_counter() - t0
    assert t.n_rows == 200_000 and len(t.names) == 12
    assert elapsed < 6.0, f"parsing 20 MB took {elapsed:.2f} s"


@pytest.mark.parametrize(
    "head",
    [b"a,b,c,\n", b'"a","b","c",\n', b""],
)
def test_rows_as_text_bulk_equals_one_by_one(head: bytes) -> None:
    body = b"".join(
        (f'{i},"q{i}",{i * 0.5},\n' if i % 3 == 0 else f"{i},t{i},,\n").encode()
        + (b"\n" if i % 10 == 0 else b"")
        for i in range(150)
    )
    if not head:
        body = body.replace(b'"', b"")
    t = parse_table(head + body)
    assert t.n_rows == 150 and len(t.names) == 3
    everything = t.rows_as_text(np.arange(150))
    one_by_one = [t.rows_as_text(np.array([i]))[0] for i in range(150)]
    assert everything == one_by_one
    assert everything[3] == ["3", "q3", "1.5"] and everything[4] == ["4", "t4", ""]


def test_fully_quoted_file_reads_like_the_unquoted_one() -> None:
    plain = b"a,b,c\r\n1,x,2.5\r\n,y,\r\n3,,-1\r\n"
    quoted = b'"a","b","c"\r\n"1","x","2.5"\r\n"","y",""\r\n"3","","-1"\r\n'
    t, q = parse_table(plain), parse_table(quoted)
    assert q.names == t.names and q.line_numbers.tolist() == t.line_numbers.tolist()
    for a, b in zip(t.columns, q.columns, strict=True):
        assert a.dtype == b.dtype
        if a.dtype == object:
            assert a.tolist() == b.tolist()
        else:
            np.testing.assert_array_equal(a, b)
    assert q.rows_as_text(np.arange(3)) == t.rows_as_text(np.arange(3))
