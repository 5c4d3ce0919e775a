"""KDD Cup 1999 attack types: their category, whether they are novel, and the stream's mixes.

Categories follow the DARPA 1998/1999 intrusion-detection evaluation's taxonomy as it is
commonly applied to KDD Cup 1999 and NSL-KDD: ``dos`` (denial of service), ``probe``
(surveillance and scanning), ``r2l`` (remote to local: unauthorised access from a remote
machine) and ``u2r`` (user to root: privilege escalation).

A type is *novel* when it never occurs in the fitting file ``kddcup.data_10_percent``: the
17 types of :data:`anomascope.data.kdd.LABELS` after the 22 training attacks, which occur only
in ``corrected`` (the unit tests check this against the real file when it is present).

Mixes of the stream page (:data:`MIXES`) keep the stream's 8,000 normal connections and draw its
2,000 attacks from the attack rows of the stream plus a pool of further ``corrected`` rows
(:func:`anomascope.data.kdd.attack_pool`, disjoint from the stream and from the validation split):

``drawn``
    the stream as drawn (every connection of the stream, in its own or a shuffled order);
``novel``
    only attacks of novel types;
``balanced``
    every attack type capped at the same number of rows (water-filling), so that the two
    floods (smurf, neptune) no longer make up most of the attacks.
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.kdd import LABELS

CATEGORY_NAMES: dict[str, str] = {
    "normal": "normal traffic",
    "dos": "denial of service",
    "probe": "probing and scanning",
    "r2l": "remote to local (unauthorised access)",
    "u2r": "user to root (privilege escalation)",
}
CATEGORY_TYPES: dict[str, tuple[str, ...]] = {
    "dos": ("back", "land", "neptune", "pod", "smurf", "teardrop", "apache2", "mailbomb",
            "processtable", "udpstorm", "worm"),
    "probe": ("ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"),
    "r2l": ("ftp_write", "guess_passwd", "imap", "multihop", "phf", "spy", "warezclient",
            "warezmaster", "httptunnel", "named", "sendmail", "snmpgetattack", "snmpguess",
            "xlock", "xsnoop"),
    "u2r": ("buffer_overflow", "loadmodule", "perl", "rootkit", "ps", "sqlattack", "xterm"),
}  # fmt: skip
# normal + the 22 attack types of kddcup.data_10_percent (the first 23 names of LABELS).
TRAINING_LABELS: tuple[str, ...] = LABELS[:23]

MIXES: dict[str, dict[str, str]] = {
    "drawn": {
        "label": "as drawn",
        "description": "The stream as drawn from corrected: 8,000 normal connections and 2,000 "
        "attacks in their natural proportions (mostly smurf and neptune floods).",
    },
    "novel": {
        "label": "novel attacks",
        "description": "The same 8,000 normal connections with 2,000 attacks, every one of a "
        "type that never occurs in the training file.",
    },
    "balanced": {
        "label": "balanced by type",
        "description": "The same 8,000 normal connections with 2,000 attacks, each attack type "
        "capped at the same number of rows so that the floods do not dominate.",
    },
}
MIX_ORDER: tuple[str, ...] = ("drawn", "novel", "balanced")


def category_of(label: str) -> str:
    """The category of a label: ``"normal"``, ``"dos"``, ``"probe"``, ``"r2l"`` or ``"u2r"``
    (``"unknown"`` for a label outside the KDD vocabulary)."""
    if label == "normal":
        return "normal"
    for category, types in CATEGORY_TYPES.items():
        if label in types:
            return category
    return "unknown"


def is_novel(label: str) -> bool:
    """True for an attack type that never occurs in the training file."""
    return label not in TRAINING_LABELS


def label_info(label_names: list[str]) -> dict[str, list]:
    """Per label name: ``{"category": [str], "novel": [bool]}`` in the order of ``label_names``."""
    return {
        "category": [category_of(n) for n in label_names],
        "novel": [n != "normal" and is_novel(n) for n in label_names],
    }


def balanced_caps(counts: np.ndarray, total: int) -> np.ndarray:
    """Rows to take per type: the largest cap c with sum(min(counts, c)) <= total, then one
    more row for the largest types until ``total`` is reached (or every row is taken)."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.sum() <= total:
        return counts.copy()
    lo, hi = 0, int(counts.max())
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if np.minimum(counts, mid).sum() <= total:
            lo = mid
        else:
            hi = mid - 1
    take = np.minimum(counts, lo)
    for i in np.argsort(-counts, kind="stable"):
        if take.sum() >= total:
            break
        if take[i] < counts[i]:
            take[i] += 1
    return take


def mix_rows(
    label: np.ndarray, label_names: list[str], n_stream: int, mix: str, seed: int
) -> np.ndarray:
    """The rows of a mix, in play order: int64 ``(n_stream,)`` indices into the table.

    Parameters
    ----------
    label : uint8 ``(N,)`` label codes of the page's table: the stream's ``n_stream`` rows first,
        then the pool's.
    label_names : the label vocabulary (code -> name).
    n_stream : the stream's length (and every mix's length).
    mix : a key of :data:`MIXES`.
    seed : draws the attacks and the play order.

    Raises
    ------
    AnomascopeError
        For an unknown mix (field ``mix``), or when the table has too few attack rows for it.
    """
    if mix not in MIXES:
        raise AnomascopeError(
            f"unknown stream mix {mix!r}; the mixes are {', '.join(MIX_ORDER)}", "mix"
        )
    rng = np.random.default_rng(seed)
    stream = np.arange(n_stream)
    if mix == "drawn":
        return rng.permutation(stream).astype(np.int64)
    normal = stream[label[:n_stream] == 0]
    attack = np.flatnonzero(label != 0)
    want = n_stream - len(normal)
    if mix == "novel":
        novel_codes = [i for i, n in enumerate(label_names) if n != "normal" and is_novel(n)]
        pool = attack[np.isin(label[attack], novel_codes)]
        if len(pool) < want:
            raise AnomascopeError(
                f"the novel-attacks mix needs {want} attacks of novel types; the table has "
                f"{len(pool)}",
                "mix",
            )
        chosen = rng.choice(pool, size=want, replace=False)
    else:
        codes, counts = np.unique(label[attack], return_counts=True)
        take = balanced_caps(counts, want)
        if take.sum() < want:
            raise AnomascopeError(
                f"the balanced mix needs {want} attacks; the table has {take.sum()}", "mix"
            )
        chosen = np.concatenate(
            [rng.choice(attack[label[attack] == c], size=k, replace=False)
             for c, k in zip(codes, take, strict=True)]
        )  # fmt: skip
    return rng.permutation(np.concatenate([normal, chosen])).astype(np.int64)
