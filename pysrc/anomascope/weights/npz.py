"""The array side of the weight format: deterministic npz bytes and checked npz reading.

See :mod:`anomascope.weights` for the format.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from anomascope import AnomascopeError


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Deterministic compressed npz bytes (sorted members, fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def source_bytes(npz_source: str | Path | bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(npz_source, bytes | bytearray | memoryview):
        return bytes(npz_source)
    if isinstance(npz_source, str | Path):
        try:
            return Path(npz_source).read_bytes()
        except OSError as e:
            raise AnomascopeError(f"cannot read weights file {npz_source}: {e.strerror}") from None
    if hasattr(npz_source, "read"):
        data = npz_source.read()
        if not isinstance(data, bytes | bytearray):
            raise AnomascopeError("weights file object must be opened in binary mode")
        return bytes(data)
    raise AnomascopeError(f"cannot read weights from a {type(npz_source).__name__}")


def read_arrays(data: bytes, problems: list[str]) -> dict[str, np.ndarray]:
    """Read every array of an npz held in ``data`` with ``allow_pickle=False``.

    Unreadable members (pickled object arrays, corrupt data) are appended to ``problems``;
    an unreadable archive raises :class:`AnomascopeError` at once.
    """
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any failure means "not a readable npz"
        raise AnomascopeError(
            f"weights are not a readable .npz archive ({type(e).__name__}: {e})"
        ) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise AnomascopeError("weights are a single .npy array, not an .npz archive")
    arrays: dict[str, np.ndarray] = {}
    with npz:
        for key in npz.files:
            try:
                arrays[key] = npz[key]
            except ValueError as e:
                if "pickle" in str(e).lower() or "object" in str(e).lower():
                    problems.append(f"array {key!r} is a pickled object array (not allowed)")
                else:
                    problems.append(f"array {key!r} is unreadable ({e})")
            except Exception as e:  # noqa: BLE001 - corrupt member
                problems.append(f"array {key!r} is unreadable ({type(e).__name__}: {e})")
    return arrays


def read_npz(
    raw: bytes, what: str, keys: dict[str, tuple[int | None, ...]]
) -> dict[str, np.ndarray]:
    """Arrays of an .npz file (a data set sent by the page), checked against ``keys``
    (name -> shape, ``None`` = any length); errors name ``what``."""
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise AnomascopeError(f"{what}: not a readable .npz file ({exc})") from None
    problems = [f"missing {k}" for k in keys if k not in arrays]
    for k, shape in keys.items():
        if k in arrays and (
            arrays[k].ndim != len(shape)
            or any(s is not None and s != a for s, a in zip(shape, arrays[k].shape, strict=False))
        ):
            problems.append(f"{k} has shape {arrays[k].shape}")
    if problems:
        raise AnomascopeError(f"{what}: {', '.join(problems)}")
    return arrays
