"""Vectorised conversion of text cells to numbers (numpy only, no loop over rows).

Cells arrive as a zero-padded code array ``(n, w)``: uint8 bytes (from the byte splitter) or
uint32 code points (a ``U`` array viewed as integers); digits, signs, dots and exponents are
ASCII in both. The work runs on the transposed ``(w, n)`` array so that every step is a
whole-row operation. Plain decimals with at most 15 significant digits and a power of ten
within ±22 are converted exactly (an integer mantissa times an exact power of ten: the same
double that ``float()`` gives); every other cell goes through numpy's own string-to-float
conversion (:func:`slow_numbers`).
"""

from __future__ import annotations

import numpy as np

_DIGITS_EXACT = 15  # an integer mantissa below 10**15 is exact in float64
_POW10 = 10.0 ** np.arange(23)
_PAD, _DIGIT, _DOT, _EXP, _SIGN, _OTHER = range(6)


def _classes(decimal: str) -> np.ndarray:
    lut = np.full(256, _OTHER, dtype=np.uint8)
    lut[0] = _PAD
    lut[48:58] = _DIGIT
    lut[ord(decimal)] = _DOT
    lut[[ord("e"), ord("E")]] = _EXP
    lut[[ord("+"), ord("-")]] = _SIGN
    return lut


def fast_numbers(chars: np.ndarray, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse plain decimal numbers.

    Parameters
    ----------
    chars : ndarray, uint8 or uint32, shape (n, w)
        Zero-padded cell text (a cell with spaces is left to :func:`slow_numbers`).
    decimal : str
        ``"."`` or ``","``: the decimal mark.

    Returns
    -------
    values : ndarray, float64, shape (n,)
        The number where ``ok``, else 0.
    ok : ndarray, bool, shape (n,)
        Cells converted here; the rest need :func:`slow_numbers` (or are not numbers).
    """
    n, w = chars.shape
    if n == 0 or w == 0:
        return np.zeros(n), np.zeros(n, dtype=bool)
    T = np.ascontiguousarray(chars.T)
    if T.dtype != np.uint8:
        T = np.minimum(T, 255).astype(np.uint8)
    cls = _classes(decimal)[T]
    digit = cls == _DIGIT
    dot = cls == _DOT
    ok = ~(cls == _OTHER).any(axis=0) & (cls[0] != _PAD)
    exp = cls == _EXP
    after_e = np.logical_or.accumulate(exp, axis=0) if exp.any() else None
    sign_ok = np.zeros_like(exp)
    if after_e is not None:
        ok &= exp.sum(axis=0, dtype=np.int32) <= 1
        sign_ok[1:] = exp[:-1]  # a sign may follow the exponent mark
    sign_ok[0] = True
    ok &= ~((cls == _SIGN) & ~sign_ok).any(axis=0)
    ok &= dot.sum(axis=0, dtype=np.int32) <= 1
    mant_digit = digit if after_e is None else digit & ~after_e
    n_mant = mant_digit.sum(axis=0, dtype=np.int32)
    ok &= (n_mant >= 1) & (n_mant <= _DIGITS_EXACT)
    m = np.zeros(n)
    frac = np.zeros(n, dtype=np.int16)  # mantissa digits after the decimal mark
    seen_dot = np.zeros(n, dtype=bool)
    for k in range(w):
        dk = mant_digit[k]
        m = np.where(dk, m * 10.0 + (T[k] - np.uint8(48)), m)
        seen_dot |= dot[k]
        frac += dk & seen_dot
    p = -frac.astype(np.float64)
    if after_e is not None:
        ok &= ~(dot & after_e).any(axis=0)
        p += _exponents(T, digit & after_e, exp, ok)
    ok &= np.abs(p) <= 22
    scale = _POW10[np.minimum(np.abs(p), 22).astype(np.int64)]
    value = np.where(p >= 0, m * scale, m / scale)
    value = np.where(T[0] == 45, -value, value)
    return np.where(ok, value, 0.0), ok


def _exponents(T: np.ndarray, exp_digit: np.ndarray, exp: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Signed exponents float64 ``(n,)`` of the cells; clears ``ok`` (in place) for a mark
    without 1-3 digits after it. ``T`` codes, ``exp_digit`` / ``exp`` masks, all ``(w, n)``."""
    n_exp = exp_digit.sum(axis=0, dtype=np.int32)
    has_e = exp.any(axis=0)
    ok &= ~has_e | ((n_exp >= 1) & (n_exp <= 3))
    x = np.zeros(T.shape[1])
    neg = np.zeros(T.shape[1], dtype=bool)
    for k in range(T.shape[0]):
        x = np.where(exp_digit[k], x * 10.0 + (T[k] - np.uint8(48)), x)
        if k:
            neg |= exp[k - 1] & (T[k] == 45)
    return np.where(neg, -x, x)


def slow_numbers(cells: np.ndarray, decimal: str) -> np.ndarray | None:
    """numpy's string-to-float conversion of ``cells`` (S or U array, shape (m,)).

    Returns float64 ``(m,)``, or None when some cell is not a number.
    """
    if cells.size == 0:
        return np.zeros(0)
    if decimal == ",":
        comma = b"," if cells.dtype.kind == "S" else ","
        point = b"." if cells.dtype.kind == "S" else "."
        cells = np.strings.replace(cells, comma, point)  # type: ignore[arg-type]
    try:
        with np.errstate(all="ignore"):
            return np.asarray(cells.astype(np.float64))
    except (ValueError, OverflowError):
        return None
