"""The example tables of the "Your data" page: what they are, and how each file is made.

:data:`EXAMPLES` describes each example (the schema's ``tables.examples``, so the page builds its
picker from it): ``id``, ``title``, ``description``, ``source`` (provenance and licence),
``file`` (the CSV's path in the built site) and ``settings`` (the page's choices for it:
``features`` (a list, or ``None`` for the page's own default), ``label_column``,
``anomaly_values``, ``order_column``, ``mode`` ("table" or "series") and ``window``
(``{"length", "stride"}`` or ``None``)).

Every file is a plain CSV that goes through the same parser as a user's file. None is downloaded
when the page runs: they are files of the site.

- ``breast_cancer`` is committed (``web/static/examples/breast_cancer.csv``): the site build does
  not depend on scikit-learn. :func:`breast_cancer_csv` derives it from scikit-learn's bundled
  copy, and a unit test checks that the committed file is exactly that.
- ``kdd_connections`` and ``ecg_series`` are written at build time (``sitebuild/examples.py``)
  from the raw dataset files the build already reads, by :func:`kdd_connections_csv` and
  :func:`ecg_series_csv`.

The builders are deterministic: a fixed seed, and numbers written back as the text they came as.
"""

from __future__ import annotations

import gzip
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH, CLASS_NAMES
from anomascope.data.kdd import FEATURE_NAMES as KDD_FEATURES
from anomascope.data.kdd import LABELS as KDD_LABELS

# scikit-learn's names for the 30 columns of its breast_cancer.csv (load_breast_cancer).
BREAST_CANCER_FEATURES: tuple[str, ...] = tuple(
    f"{prefix}{name}{suffix}"
    for prefix, suffix in (("mean ", ""), ("", " error"), ("worst ", ""))
    for name in (
        "radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
        "concave points", "symmetry", "fractal dimension",
    )
)  # fmt: skip
BREAST_CANCER_CLASSES = ("malignant", "benign")  # target 0 and 1 in scikit-learn's file

KDD_PER_ATTACK = 20  # rows kept per attack type (all of them when a type has fewer)
KDD_ROWS = 4000  # rows in the example, normal connections making up the rest
KDD_SEED = 12

KDD_TRAIN_LABELS: tuple[str, ...] = KDD_LABELS[:23]  # normal and the 22 attacks of the 10% file
KDD_ATTACKS: tuple[str, ...] = KDD_TRAIN_LABELS[1:]

ECG_BEATS = 150  # beats in the example series, drawn from ECG5000's TEST file
ECG_ABNORMAL = {2: 6, 3: 3, 4: 4, 5: 2}  # abnormal beats per class (the rest are normal)
ECG_N_ABNORMAL = sum(ECG_ABNORMAL.values())
ECG_SEED = 5000

EXAMPLES: list[dict[str, Any]] = [
    {
        "id": "breast_cancer",
        "title": "Breast cancer (Wisconsin diagnostic)",
        "description": (
            "569 tumour biopsies, 30 measurements of their cell nuclei each, and the diagnosis. "
            "Label column: diagnosis; anomaly: malignant (212 of 569)."
        ),
        "source": (
            "UCI ML Breast Cancer Wisconsin (Diagnostic), W. Street, W. Wolberg, O. Mangasarian "
            "(1995), CC BY 4.0; the copy bundled with scikit-learn (BSD-3-Clause), with its "
            "column names."
        ),
        "file": "static/examples/breast_cancer.csv",
        "settings": {
            "features": list(BREAST_CANCER_FEATURES),
            "label_column": "diagnosis",
            "anomaly_values": ["malignant"],
            "order_column": None,
            "mode": "table",
            "window": None,
        },
    },
    {
        "id": "kdd_connections",
        "title": "Network connections (KDD Cup 1999)",
        "description": (
            f"{KDD_ROWS:,} connections from the 10% training file with the 41 named features, "
            "three of them categorical (protocol_type, service, flag). Label column: label; "
            f"anomaly: every attack ({len(KDD_ATTACKS)} types, up to {KDD_PER_ATTACK} "
            "connections each)."
        ),
        "source": (
            "KDD Cup 1999 data, UCI KDD Archive (kddcup.data_10_percent), a seeded sample "
            "written by the site's build."
        ),
        "file": "data/examples/kdd_connections.csv",
        "settings": {
            "features": None,
            "label_column": "label",
            "anomaly_values": list(KDD_ATTACKS),
            "order_column": None,
            "mode": "table",
            "window": None,
        },
    },
    {
        "id": "ecg_series",
        "title": "ECG recording (ECG5000 heartbeats in a row)",
        "description": (
            f"{ECG_BEATS} heartbeats of ECG5000 joined into one series of "
            f"{ECG_BEATS * BEAT_LENGTH:,} samples, {ECG_N_ABNORMAL} of them abnormal beats; "
            "each sample carries its beat's class. Time-series mode, windows of 140 samples "
            "(one beat)."
        ),
        "source": (
            "ECG5000, UCR time-series archive (from the BIDMC Congestive Heart Failure "
            "database, PhysioNet), a seeded selection written by the site's build."
        ),
        "file": "data/examples/ecg_series.csv",
        "settings": {
            "features": ["ecg"],
            "label_column": "beat_class",
            "anomaly_values": [CLASS_NAMES[c] for c in sorted(ECG_ABNORMAL)],
            "order_column": "time",
            "mode": "series",
            "window": {"length": BEAT_LENGTH, "stride": BEAT_LENGTH},
        },
    },
]


def example(example_id: str) -> dict[str, Any]:
    """The :data:`EXAMPLES` entry with this id (AnomascopeError, field "example", if none)."""
    for entry in EXAMPLES:
        if entry["id"] == example_id:
            return entry
    known = ", ".join(e["id"] for e in EXAMPLES)
    raise AnomascopeError(f"there is no example “{example_id}” (examples: {known})", "example")


def _csv_cell(text: str) -> str:
    """One CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [",".join(_csv_cell(c) for c in header)]
    lines += [",".join(_csv_cell(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def breast_cancer_csv(sklearn_csv: bytes) -> bytes:
    """The breast cancer example from scikit-learn's ``sklearn/datasets/data/breast_cancer.csv``.

    That file starts with ``569,30,malignant,benign`` (rows, columns, class names), then one row
    per biopsy: 30 values and the target (0 = malignant, 1 = benign). The example has a header
    (:data:`BREAST_CANCER_FEATURES` and ``diagnosis``), the 30 values as written there and the
    class name. Returns UTF-8 CSV bytes.
    """
    lines = sklearn_csv.decode("utf-8").strip().splitlines()
    head = lines[0].split(",")
    n_rows, n_cols = int(head[0]), int(head[1])
    if n_cols != len(BREAST_CANCER_FEATURES) or tuple(head[2:]) != BREAST_CANCER_CLASSES:
        raise AnomascopeError(f"breast_cancer.csv: unexpected first line {lines[0]!r}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != n_cols + 1:
            raise AnomascopeError(f"breast_cancer.csv line {number}: {len(cells)} fields")
        rows.append(cells[:n_cols] + [BREAST_CANCER_CLASSES[int(cells[n_cols])]])
    if len(rows) != n_rows:
        raise AnomascopeError(f"breast_cancer.csv: {len(rows)} rows, expected {n_rows}")
    return _csv([*BREAST_CANCER_FEATURES, "diagnosis"], rows)


def kdd_connections_csv(gz_bytes: bytes) -> bytes:
    """The KDD example from ``kddcup.data_10_percent.gz`` (gzip bytes).

    Keeps :data:`KDD_PER_ATTACK` seeded-random rows of each attack type of :data:`KDD_ATTACKS`
    (every row of a rarer type) and fills :data:`KDD_ROWS` with seeded-random normal rows;
    rows stay in file order.
    Columns: the 41 features of ``anomascope.data.kdd.FEATURE_NAMES`` and ``label`` (without its
    trailing dot). Returns UTF-8 CSV bytes.
    """
    lines = gzip.decompress(gz_bytes).decode("ascii").splitlines()
    labels = np.array([line[line.rfind(",") + 1 :].rstrip(".") for line in lines])
    found = set(labels.tolist())
    if found != set(KDD_TRAIN_LABELS):
        raise AnomascopeError(f"kddcup.data_10_percent: unexpected labels {sorted(found)}")
    rng = np.random.default_rng(KDD_SEED)
    keep: list[np.ndarray] = []
    for label in KDD_ATTACKS:
        where = np.flatnonzero(labels == label)
        keep.append(rng.choice(where, size=min(KDD_PER_ATTACK, where.size), replace=False))
    n_attacks = sum(k.size for k in keep)
    normal = np.flatnonzero(labels == "normal")
    keep.append(rng.choice(normal, size=KDD_ROWS - n_attacks, replace=False))
    rows: list[list[str]] = []
    for i in np.sort(np.concatenate(keep)).tolist():
        cells = lines[i].split(",")
        if len(cells) != len(KDD_FEATURES) + 1:
            raise AnomascopeError(f"kddcup.data_10_percent line {i + 1}: {len(cells)} fields")
        rows.append(cells[:-1] + [cells[-1].rstrip(".")])
    return _csv([*KDD_FEATURES, "label"], rows)


def ecg_series_csv(X: np.ndarray, y: np.ndarray) -> bytes:
    """The ECG example: beats of ECG5000 joined into one series.

    Parameters
    ----------
    X : float32 array (n, 140)
        Beats (ECG5000's TEST file).
    y : int array (n,)
        Their classes 1..5, 1 = normal.

    Returns
    -------
    bytes
        UTF-8 CSV with columns ``time`` (0, 1, ...), ``ecg`` (the value, 6 significant digits)
        and ``beat_class`` (the name of the class of the beat the sample belongs to, from
        ``anomascope.data.ecg.CLASS_NAMES``): :data:`ECG_BEATS` beats, :data:`ECG_ABNORMAL` of
        them abnormal, in seeded order.
    """
    rng = np.random.default_rng(ECG_SEED)
    chosen = [rng.choice(np.flatnonzero(y == 1), ECG_BEATS - ECG_N_ABNORMAL, replace=False)]
    for cls, count in sorted(ECG_ABNORMAL.items()):
        chosen.append(rng.choice(np.flatnonzero(y == cls), count, replace=False))
    beats = rng.permutation(np.concatenate(chosen))
    rows: list[list[str]] = []
    for b in beats.tolist():
        name = CLASS_NAMES[int(y[b])]
        start = len(rows)
        rows += [[str(start + j), f"{v:.6g}", name] for j, v in enumerate(X[b].tolist())]
    return _csv(["time", "ecg", "beat_class"], rows)
