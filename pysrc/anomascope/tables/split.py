"""Splitting a delimited file into records and fields.

:func:`split_bytes` is the fast path for files without quote characters: numpy finds every
delimiter and line end at once. :func:`split_csv` runs the stdlib ``csv`` module for quoted
fields (embedded delimiters, doubled quotes, line breaks inside quotes). Both return a
:class:`Split` that hands out one column at a time and remembers where each record sits in
the file, so rows can be shown with their original text and file line numbers.
"""

from __future__ import annotations

import itertools

import numpy as np

from anomascope import AnomascopeError
from anomascope.tables import dialect

BULK_ROWS = 64  # more rows than this are re-read in one pass over the file


class Split:
    """Records of a file, before type conversion.

    ``lines`` int64 ``(n_records,)``: the 1-based file line of each record;
    ``spans`` int64 ``(n_records, 2)``: its ``[start, end)`` byte range in ``raw``.
    """

    def __init__(
        self, raw: bytes, delimiter: str, k: int, lines: np.ndarray, spans: np.ndarray
    ) -> None:
        self.raw = raw
        self.delimiter = delimiter
        self.k = k
        self.lines = lines
        self.spans = spans

    @property
    def n_records(self) -> int:
        return int(self.lines.size)

    def line_of(self, record: int) -> int:
        return int(self.lines[record])

    def drop_first(self, m: int) -> None:
        """Forget the first ``m`` records (the header line)."""
        self.lines = self.lines[m:]
        self.spans = self.spans[m:]
        self._dropped = m

    def column(self, j: int, skip: int) -> tuple[np.ndarray, np.ndarray]:
        """Cells of column ``j`` after ``skip`` records: (S or U array (n,), codes (n, w))."""
        raise NotImplementedError

    def release(self) -> None:
        """Free what only :meth:`column` needs (keeps what :meth:`text_rows` reads)."""

    def text_rows(self, idx: np.ndarray, k: int) -> list[list[str]]:
        """Original cell text of data records ``idx`` (after :meth:`drop_first`)."""
        if idx.size > BULK_ROWS:
            rows = self._all_rows(k)
            if rows is not None:
                return [rows[i] for i in idx.tolist()]
        out = []
        for i in idx.tolist():
            a, b = self.spans[i]
            rows = dialect.split_rows(self.raw[a:b].decode("utf-8"), self.delimiter, limit=1)
            cells = rows[0] if rows else []
            out.append((cells + [""] * k)[:k])
        return out

    def _all_rows(self, k: int) -> list[list[str]] | None:
        """Every data record's cells in one csv pass (None if the records do not line up)."""
        rdr = dialect.reader(self.raw.decode("utf-8"), self.delimiter)
        rows = [r for r in rdr if _nonblank(r)]
        if self.delimiter == " ":
            rows = [dialect.trim_spaces(r) for r in rows]
        rows = rows[len(rows) - self.n_records :] if len(rows) >= self.n_records else []
        if len(rows) != self.n_records or any(len(r) < k for r in rows):
            return None
        return [r[:k] for r in rows] if any(len(r) != k for r in rows) else rows


class _ByteSplit(Split):
    def __init__(
        self,
        raw: bytes,
        delimiter: str,
        k: int,
        lines: np.ndarray,
        spans: np.ndarray,
        starts: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        super().__init__(raw, delimiter, k, lines, spans)
        self.starts = starts
        self.lengths = lengths
        self._padded: np.ndarray | None = None

    def column(self, j: int, skip: int) -> tuple[np.ndarray, np.ndarray]:
        starts, lengths = self.starts[skip:, j], self.lengths[skip:, j]
        if self._padded is None:
            pad = int(self.lengths.max(initial=0)) + 1
            self._padded = np.frombuffer(self.raw + bytes(pad), dtype=np.uint8)
        width = max(int(lengths.max(initial=0)), 1)
        windows = np.lib.stride_tricks.sliding_window_view(self._padded, width)
        chars = windows[starts]
        if int(lengths.min(initial=width)) < width:
            chars = chars * (np.arange(width, dtype=np.int64)[None, :] < lengths[:, None])
        chars = np.ascontiguousarray(chars, dtype=np.uint8)
        return chars.view(f"S{width}").reshape(-1), chars

    def release(self) -> None:
        self._padded = None
        self.starts = self.lengths = np.zeros((0, self.k), dtype=np.int64)


class _CsvSplit(Split):
    def __init__(
        self,
        raw: bytes,
        delimiter: str,
        k: int,
        lines: np.ndarray,
        spans: np.ndarray,
        cols: list[tuple[str, ...]],
    ) -> None:
        super().__init__(raw, delimiter, k, lines, spans)
        self.cols = cols

    def column(self, j: int, skip: int) -> tuple[np.ndarray, np.ndarray]:
        cells = np.array(self.cols[j][skip:], dtype=str)
        if cells.dtype.itemsize == 0:
            cells = cells.astype("U1")
        codes = cells.view(np.uint32).reshape(cells.size, -1)
        return cells, codes

    def release(self) -> None:
        self.cols = []


def _ragged(name: str, line: int, got: int, want: int, first: int, delim: str) -> None:
    shown = {"\t": "tab", " ": "space"}.get(delim, repr(delim))
    raise AnomascopeError(
        f"{name}: line {line} has {got} field{'s' if got != 1 else ''} but line {first} has "
        f"{want} "
        f"(separated by {shown}); every row needs the same number of fields",
        field="file",
    )


def _too_many(name: str, n: int, max_rows: int) -> None:
    raise AnomascopeError(
        f"{name} has {n:,} data rows; the limit is {max_rows:,} rows", field="file"
    )


def plain_quotes(raw: bytes, delim: str) -> bool:
    """True when every quote only encloses a whole field holding no delimiter, line break or
    quote: then dropping the quote bytes gives the same cells as the csv module."""
    b = np.frombuffer(raw, dtype=np.uint8)
    q = np.flatnonzero(b == 34)
    if q.size % 2:
        return False
    opens, closes = q[0::2], q[1::2]
    sep = (b == 10) | (b == 13) | (b == ord(delim))
    before = np.ones(opens.size, dtype=bool)
    inner = opens > 0
    before[inner] = sep[opens[inner] - 1]
    after = np.ones(closes.size, dtype=bool)
    inner = closes < b.size - 1
    after[inner] = sep[closes[inner] + 1]
    if not (before.all() and after.all()):
        return False
    where = np.flatnonzero(sep)  # no separator between a field's quotes
    return bool(np.array_equal(np.searchsorted(where, opens), np.searchsorted(where, closes)))


def split_bytes(
    raw: bytes,
    delim: str,
    k: int,
    trailing: bool,
    max_rows: int,
    header: int,
    name: str,
    line0: int = 0,
) -> Split:
    """Fast split of a file without quote characters (see module docstring).

    ``line0``: lines of the file before ``raw`` (a header split off), for line numbers.
    """
    if not raw.endswith(b"\n"):
        raw = raw + b"\n"
    b = np.frombuffer(raw, dtype=np.uint8)
    bounds = np.flatnonzero((b == 10) | (b == ord(delim)))
    at_nl = b[bounds] == 10
    line_of = np.cumsum(at_nl) - at_nl
    n_lines = int(at_nl.sum())
    fs = np.empty_like(bounds)
    fs[0] = 0
    fs[1:] = bounds[:-1] + 1
    fl = bounds - fs
    cr = at_nl & (fl > 0) & (b[np.maximum(bounds - 1, 0)] == 13)
    fl[cr] -= 1
    counts = np.bincount(line_of, minlength=n_lines)
    nl_idx = np.flatnonzero(at_nl)
    blank = (counts == 1) & (fl[nl_idx] == 0)
    if k + int(trailing) > 1:  # a line of spaces is blank too (a one-field line is ragged)
        for i in np.flatnonzero((counts == 1) & ~blank).tolist():
            a = int(fs[nl_idx[i]])
            blank[i] = not raw[a : a + int(fl[nl_idx[i]])].strip()
    lines = np.flatnonzero(~blank) + 1 + line0
    want = k + int(trailing)
    rec_counts = counts[~blank]
    if (rec_counts != want).any():
        r = int(np.flatnonzero(rec_counts != want)[0])
        _ragged(name, int(lines[r]), int(rec_counts[r]), want, int(lines[0]), delim)
    if lines.size - header > max_rows:
        _too_many(name, lines.size - header, max_rows)
    if blank.any():
        keep = ~blank[line_of]
        fs, fl = fs[keep], fl[keep]
    starts = fs.reshape(-1, want)
    lengths = fl.reshape(-1, want)
    if trailing and (lengths[:, -1] > 0).any():
        r = int(np.flatnonzero(lengths[:, -1] > 0)[0])
        _ragged(name, int(lines[r]), want, k, int(lines[0]), delim)
    spans = np.stack([starts[:, 0], bounds[nl_idx[~blank]]], axis=1)
    return _ByteSplit(raw, delim, k, lines, spans, starts[:, :k], lengths[:, :k])


def _nonblank(row: list[str]) -> bool:
    return len(row) > 1 or (len(row) == 1 and bool(row[0].strip()))


def _read_rows(raw: bytes, delim: str, limit: int, header: int, name: str) -> list[list[str]]:
    """All rows of the file (blank ones included), or the too-many-rows error."""
    rdr = dialect.reader(raw.decode("utf-8"), delim)
    rows = list(itertools.islice(rdr, limit + 1))
    if len(rows) > limit:
        count = sum(map(_nonblank, rows)) + sum(map(_nonblank, rdr))
        if count > limit:
            _too_many(name, count - header, limit - header)
        rows = list(dialect.reader(raw.decode("utf-8"), delim))
    if delim == " ":
        rows = [dialect.trim_spaces(r) for r in rows]
    return rows


def _record_lines(raw: bytes, rows: list[list[str]], delim: str) -> tuple[np.ndarray, list]:
    """(first line, last line) 0-based of each non-blank record, and those records."""
    keep = np.fromiter(map(_nonblank, rows), dtype=bool, count=len(rows))
    n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    kept = list(itertools.compress(rows, keep.tolist()))
    if len(rows) == n_lines:  # no line break inside a quoted field
        first = np.flatnonzero(keep)
        return np.stack([first, first], axis=1), kept
    ends: list[int] = []
    rdr = dialect.reader(raw.decode("utf-8"), delim)
    for _row in rdr:
        ends.append(rdr.line_num)
    last = np.asarray(ends, dtype=np.int64)[keep] - 1
    starts = np.concatenate([[0], np.asarray(ends, dtype=np.int64)[:-1]])[keep]
    return np.stack([starts, last], axis=1), kept


def split_csv(
    raw: bytes, delim: str, k: int, trailing: bool, max_rows: int, header: int, name: str
) -> Split:
    """Split with the stdlib ``csv`` module (quoted fields, runs of spaces)."""
    rows = _read_rows(raw, delim, max_rows + header, header, name)
    se, rows = _record_lines(raw, rows, delim)
    first, last = se[:, 0], se[:, 1]
    if len(rows) - header > max_rows:
        _too_many(name, len(rows) - header, max_rows)
    want = k + int(trailing)
    counts = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    if (counts != want).any():
        r = int(np.flatnonzero(counts != want)[0])
        _ragged(name, int(first[r]) + 1, int(counts[r]), want, int(first[0]) + 1, delim)
    if trailing:
        bad = [i for i, row in enumerate(rows) if row[-1].strip()]
        if bad:
            _ragged(name, int(first[bad[0]]) + 1, want, k, int(first[0]) + 1, delim)
    cols = list(zip(*rows, strict=True))[:k]
    del rows
    b = np.frombuffer(raw, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    line_start = np.concatenate([[0], nl + 1])
    line_end = np.concatenate([nl, [len(raw)]])
    spans = np.stack([line_start[first], line_end[last]], axis=1)
    return _CsvSplit(raw, delim, k, first + 1, spans, cols)
