"""Sniffing a delimited text file from a sample: delimiter, decimal mark and header line."""

from __future__ import annotations

import csv
import io
import re

DELIMITERS = (",", ";", "\t", " ")
MISSING_MARKERS = ("", "NA", "N/A", "NaN", "nan", "?", "null", "NULL")
_MISSING = frozenset(MISSING_MARKERS)
_COMMA_NUMBER = re.compile(r"^[-+]?\d*,\d+([eE][-+]?\d+)?$")
_DOT_NUMBER = re.compile(r"^[-+]?\d*\.\d+([eE][-+]?\d+)?$")
SAMPLE_ROWS = 200


def reader(text: str, delimiter: str) -> csv.Reader:  # type: ignore[name-defined]
    """A csv reader over ``text`` for this delimiter (runs of spaces count as one)."""
    return csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=delimiter == " "
    )


def split_rows(text: str, delimiter: str, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    """Up to ``limit`` non-blank rows of ``text``; a leading space is dropped for " "."""
    rows: list[list[str]] = []
    for row in reader(text, delimiter):
        if delimiter == " ":
            row = trim_spaces(row)
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def trim_spaces(row: list[str]) -> list[str]:
    """A space-separated row without the empty fields that leading/trailing spaces make."""
    a, b = 0, len(row)
    while a < b and row[a] == "":
        a += 1
    while b > a and row[b - 1] == "":
        b -= 1
    return row[a:b] if (a or b < len(row)) else row


def drop_trailing(rows: list[list[str]]) -> bool:
    """True when every row ends with an empty field (a trailing delimiter)."""
    return bool(rows) and all(len(r) > 1 and r[-1].strip() == "" for r in rows)


def is_missing(cell: str) -> bool:
    return cell.strip() in _MISSING


def is_number(cell: str, decimal: str) -> bool:
    c = cell.strip()
    if c in _MISSING:
        return False
    if decimal == ",":
        c = c.replace(",", ".")
    try:
        float(c)
    except ValueError:
        return False
    return True


def _score(rows: list[list[str]], delimiter: str) -> tuple[float, float, int] | None:
    if not rows:
        return None
    counts = [len(r) for r in rows]
    mode = max(set(counts), key=counts.count)
    if mode < 2:
        return None
    consistent = counts.count(mode) / len(counts)
    cells = [c for r in rows for c in r]
    decimal = guess_decimal(rows, delimiter)
    numeric = sum(is_number(c, decimal) for c in cells) / max(len(cells), 1)
    # The first line (the header, if any) must have the common count too: otherwise a space in
    # a text column can out-score the real delimiter on numeric cells.
    return (float(consistent >= 0.9 and counts[0] == mode), round(numeric, 2), mode)


def guess_delimiter(sample: str) -> str:
    """The delimiter giving a consistent field count (>= 2) and the most numeric cells.

    Ties go to the earlier of comma, semicolon, tab, space; with no candidate (one column)
    the comma.
    """
    best, best_key = ",", None
    for rank, delim in enumerate(DELIMITERS):
        rows = split_rows(sample, delim)
        if rows and drop_trailing(rows):
            rows = [r[:-1] for r in rows]
        score = _score(rows, delim)
        if score is None:
            continue
        key = (score[0], score[1], -rank)
        if best_key is None or key > best_key:
            best, best_key = delim, key
    return best


def guess_decimal(rows: list[list[str]], delimiter: str) -> str:
    """``","`` when cells like ``1,5`` outnumber cells like ``1.5`` (never for a comma file)."""
    if delimiter == ",":
        return "."
    comma = dot = 0
    for r in rows:
        for c in r:
            c = c.strip()
            comma += bool(_COMMA_NUMBER.match(c))
            dot += bool(_DOT_NUMBER.match(c))
    return "," if comma > dot else "."


def guess_header(rows: list[list[str]], decimal: str) -> bool:
    """Whether the first row names the columns.

    Yes when some column is numeric below a first-row text cell, or when the first row is all
    distinct text that never appears again in its column. A lone text row is a header too.
    """
    first = rows[0]
    if not first or any(is_missing(c) or is_number(c, decimal) for c in first):
        return not any(is_number(c, decimal) for c in first) and _mixed(rows, decimal)
    rest = [r for r in rows[1:] if len(r) == len(first)]
    if not rest:
        return True
    for j in range(len(first)):
        col = [r[j] for r in rest if not is_missing(r[j])]
        if col and all(is_number(c, decimal) for c in col):
            return True
    stripped = [c.strip() for c in first]
    if len(set(stripped)) != len(stripped):
        return False
    return all(stripped[j] not in {r[j].strip() for r in rest} for j in range(len(first)))


def _mixed(rows: list[list[str]], decimal: str) -> bool:
    """A first row with some missing names: header when a numeric column has a text name."""
    first = rows[0]
    rest = [r for r in rows[1:] if len(r) == len(first)]
    for j, name in enumerate(first):
        if is_missing(name):
            continue
        col = [r[j] for r in rest if not is_missing(r[j])]
        if col and all(is_number(c, decimal) for c in col):
            return True
    return False
