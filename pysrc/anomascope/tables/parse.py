"""One parser for CSV/TSV files, used by the data page and the command line.

:func:`parse_table` turns the bytes of a delimited text file into a :class:`Table` of numeric
(float64, NaN for missing) and text (object, None for missing) columns. Files without quote
characters are split with numpy over the bytes; quoted files go through the stdlib ``csv``
module. Numbers are converted per column with numpy (see :mod:`._numbers`). Every problem
raises :class:`~anomascope.AnomascopeError` (``field="file"``) naming the line, column or
limit; lines are numbered as a text editor shows them (1-based).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from anomascope import AnomascopeError
from anomascope.tables import dialect
from anomascope.tables._numbers import fast_numbers, slow_numbers
from anomascope.tables.dialect import MISSING_MARKERS
from anomascope.tables.split import Split, plain_quotes, split_bytes, split_csv

# max_label_values: a column is offered as a label column up to this many distinct values
# (KDD Cup 1999's corrected file has 38 labels).
LIMITS = {
    "max_bytes": 50 * 2**20,
    "max_rows": 200_000,
    "max_columns": 50,
    "onehot_cap": 20,
    "max_label_values": 64,
}
MAX_MAGNITUDE = 1e15  # larger numbers are taken for a corrupt or mis-parsed cell
_INF_TEXT = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_MISSING_S = [m.encode() for m in MISSING_MARKERS]


@dataclass
class Table:
    """A parsed file: one array per column, in file order.

    ``columns[j]`` is float64 ``(n_rows,)`` with NaN for missing cells when every non-missing
    cell is a number, else an object array of str with None for missing cells.
    ``line_numbers`` int64 ``(n_rows,)``: the file line of each data row (1-based).
    """

    names: list[str]
    columns: list[np.ndarray]
    n_rows: int
    has_header: bool
    delimiter: str
    decimal: str
    line_numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    source: Split | None = field(default=None, repr=False)

    def column(self, name: str) -> np.ndarray:
        """The array of column ``name``; AnomascopeError(field=name) if there is none."""
        try:
            return self.columns[self.names.index(name)]
        except ValueError:
            raise AnomascopeError(
                f"no column named {name!r}; the columns are {', '.join(self.names)}", field=name
            ) from None

    def is_numeric(self, name: str) -> bool:
        return self.column(name).dtype != object

    def rows_as_text(self, rows: np.ndarray) -> list[list[str]]:
        """The original cell text of these data rows (int indices into the table)."""
        idx = np.asarray(rows, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_rows):
            raise AnomascopeError(f"row index out of range for {self.n_rows} rows", field="rows")
        if self.source is None:
            return [[_cell_text(c[i]) for c in self.columns] for i in idx.tolist()]
        return self.source.text_rows(idx, len(self.names))


def _cell_text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return repr(v) if isinstance(v, float) else str(v)


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB ({n:,} bytes)" if n >= 2**20 else f"{n:,} bytes"


def check_bytes(data: bytes | memoryview, name: str, limits: dict[str, int]) -> bytes:
    """Reject what is not UTF-8 delimited text; return the bytes without a BOM, "\\n" lines."""
    raw = bytes(data)
    if len(raw) > limits["max_bytes"]:
        raise AnomascopeError(
            f"{name} is {_mb(len(raw))}; the limit is {_mb(limits['max_bytes'])}", field="file"
        )
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise AnomascopeError(
            f"{name} is UTF-16 text; save it as UTF-8 (CSV UTF-8) and load it again", field="file"
        )
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    if not raw.strip():
        raise AnomascopeError(f"{name} is empty: it has no rows", field="file")
    if b"\x00" in raw:
        raise AnomascopeError(
            f"{name} is not a text file (it contains NUL bytes); load a CSV or TSV file",
            field="file",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AnomascopeError(
            f"{name} is not a text file in UTF-8 (line {line} has byte 0x{raw[exc.start]:02x}); "
            "save it as CSV UTF-8 and load it again",
            field="file",
        ) from None
    if b"\r" in raw and b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")  # old Mac line ends
    return raw


def _sample_text(raw: bytes) -> str:
    cut = raw[: 1 << 16]
    if len(raw) > len(cut) and b"\n" in cut:
        cut = cut[: cut.rindex(b"\n") + 1]
    return cut.decode("utf-8", errors="replace")


def parse_table(
    data: bytes | memoryview, name: str = "file", limits: dict[str, int] | None = None
) -> Table:
    """Parse CSV/TSV bytes into a :class:`Table`.

    Parameters
    ----------
    data : bytes or memoryview
        The whole file. UTF-8 (a BOM is skipped); lines end in LF, CRLF or CR.
    name : str
        The file name, for messages.
    limits : dict, optional
        Overrides of :data:`LIMITS` (``max_bytes``, ``max_rows``, ``max_columns``).

    Raises
    ------
    AnomascopeError
        ``field="file"``: binary or UTF-16 data, an empty or header-only file, a ragged row,
        duplicate column names, a file over a limit, an infinite or absurdly large number.
    """
    lim = {**LIMITS, **(limits or {})}
    raw = check_bytes(data, name, lim)
    sample = _sample_text(raw)
    delim = dialect.guess_delimiter(sample)
    rows = dialect.split_rows(sample, delim)
    if not rows:
        raise AnomascopeError(f"{name} is empty: it has no rows", field="file")
    trailing = dialect.drop_trailing(rows)
    if trailing:
        rows = [r[:-1] for r in rows]
    decimal = dialect.guess_decimal(rows, delim)
    k = max(len(rows[0]), 1)
    if k > lim["max_columns"]:
        raise AnomascopeError(
            f"{name} has {k} columns; the limit is {lim['max_columns']}", field="file"
        )
    header = dialect.guess_header(rows, decimal)
    split, skip = _split(raw, delim, k, trailing, lim["max_rows"], header, name)
    n = split.n_records - skip
    if header and n == 0:
        raise AnomascopeError(f"{name} has a header line but no data rows", field="file")
    names = _names(rows[0], k, header, name)
    columns = [_convert(split, j, decimal, skip, names[j], name) for j in range(k)]
    split.drop_first(skip)
    split.release()
    return Table(names, columns, n, header, delim, decimal, split.lines, split)


def _split(
    raw: bytes, delim: str, k: int, trailing: bool, max_rows: int, header: bool, name: str
) -> tuple[Split, int]:
    """Records of the file and how many of them (0 or 1) are the header line."""
    if delim != " " and b'"' in raw and plain_quotes(raw, delim):
        raw = raw.replace(b'"', b"")  # quotes around plain fields only: same cells without
    if delim != " " and b'"' not in raw:
        return split_bytes(raw, delim, k, trailing, max_rows, int(header), name), int(header)
    if header and delim != " ":
        head_end = raw.find(b"\n", len(raw) - len(raw.lstrip(b"\r\n")))
        simple_head = head_end > 0 and raw[:head_end].count(b'"') % 2 == 0
        if simple_head and b'"' not in raw[head_end + 1 :] and raw[head_end + 1 :].strip():
            body = raw[head_end + 1 :]
            line0 = raw[: head_end + 1].count(b"\n")
            return split_bytes(body, delim, k, trailing, max_rows, 0, name, line0), 0
    return split_csv(raw, delim, k, trailing, max_rows, int(header), name), int(header)


def _names(first: list[str], k: int, header: bool, name: str) -> list[str]:
    if not header:
        return [f"column {j + 1}" for j in range(k)]
    names = [c.strip() or f"column {j + 1}" for j, c in enumerate(first)]
    seen: dict[str, list[int]] = {}
    for j, c in enumerate(names):
        seen.setdefault(c, []).append(j + 1)
    dups = {c: js for c, js in seen.items() if len(js) > 1}
    if dups:
        what = "; ".join(
            f"{c!r} (columns {', '.join(map(str, js))})" for c, js in list(dups.items())[:5]
        )
        raise AnomascopeError(
            f"{name} has duplicate column names: {what}; rename them so each is unique",
            field="file",
        )
    return names


def _convert(split: Split, j: int, decimal: str, skip: int, col: str, name: str) -> np.ndarray:
    """Column ``j`` (after ``skip`` header records) as float64 or object (see :class:`Table`)."""
    cells, codes = split.column(j, skip=skip)
    values, ok = fast_numbers(codes, decimal)
    rest = np.flatnonzero(~ok)
    if rest.size:
        other = np.strings.strip(cells[rest])
        markers = _MISSING_S if other.dtype.kind == "S" else list(MISSING_MARKERS)
        missing = np.isin(other, markers)
        slow = slow_numbers(other[~missing], decimal)
        if slow is None:
            return _text_column(cells, markers)
        values[rest[missing]] = np.nan
        bad = rest[~missing]
        with np.errstate(invalid="ignore"):
            values[bad] = np.where(np.isnan(slow), np.nan, slow)
        _check_finite(values, cells, bad, split, skip, col, name)
    if values.size and np.abs(values[ok]).max(initial=0.0) > MAX_MAGNITUDE:
        r = int(np.flatnonzero(ok & (np.abs(values) > MAX_MAGNITUDE))[0])
        _too_large(cells[r], split.line_of(r + skip), col, name)
    return values


def _check_finite(
    values: np.ndarray,
    cells: np.ndarray,
    idx: np.ndarray,
    split: Split,
    skip: int,
    col: str,
    name: str,
) -> None:
    v = values[idx]
    with np.errstate(invalid="ignore"):
        bad = np.isinf(v) | (np.abs(v) > MAX_MAGNITUDE)
    if not bad.any():
        return
    r = int(idx[np.flatnonzero(bad)[0]])
    _too_large(cells[r], split.line_of(r + skip), col, name)


def _too_large(cell: object, line: int, col: str, name: str) -> None:
    text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
    text = text.strip()
    if text.lower() in _INF_TEXT:
        raise AnomascopeError(
            f"{name}: line {line}, column {col!r}: infinite value {text!r}; replace it with a "
            "number or leave the cell empty",
            field="file",
        )
    raise AnomascopeError(
        f"{name}: line {line}, column {col!r}: value {text!r} is absurdly large (|x| > 1e15); "
        "fix the cell or leave it empty",
        field="file",
    )


def _text_column(cells: np.ndarray, markers: list) -> np.ndarray:
    if cells.dtype.kind == "S":
        cells = np.char.decode(cells, "utf-8")
    text = np.strings.strip(cells)
    out = text.astype(object)
    out[np.isin(text, list(MISSING_MARKERS))] = None
    return out
