"""KDD Cup 1999: parsing, validation, feature sets and the evaluation stream (numpy only).

Files (the UCI archive's ``databases/kddcup99/`` folder, gzip): ``kddcup.data_10_percent.gz``
(fitting: its normal rows only) and ``corrected.gz`` (the labelled test set: stream and
validation). One connection per line, 42 comma-separated fields: 41 features then a label with
a trailing dot (``normal.``, ``smurf.``). Every label other than ``normal.`` is an attack,
including the 17 types that occur only in ``corrected``. (The report's code, fastforwardlabs/
deepad, mapped labels through ``training_attack_types`` and so called those types "normal";
our stream labels them correctly.)

Raw feature matrix: float32 ``(n, 41)`` in :data:`FEATURE_NAMES` order; the symbolic columns
``protocol_type``, ``service`` and ``flag`` hold integer codes into the fixed vocabularies
:data:`PROTOCOLS`, :data:`SERVICES`, :data:`FLAGS`. Parsing is vectorised over bytes (no loop
over rows): the 10% file parses in a few seconds. Byte counts above 2**24 lose float32
precision (relative error < 1e-7), which no feature set notices.

Protocol splits: :func:`build_stream` (the 10,000-connection evaluation stream) and
:func:`build_validation` (threshold and model selection) draw disjoint rows of ``corrected``
from one seeded permutation per class (:data:`STREAM_SEED`); :func:`stream_arrays` /
:func:`validation_arrays` give them as compact, pickle-free arrays for the site's asset.

Feature sets (:mod:`anomascope.data.kdd_features`) are preprocessing specs applied to this raw
matrix, so the browser can ship the raw stream and each model brings its own scaling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.csv_bytes import (
    decompress,
    gather,
    parse_numbers,
    parse_symbols,
    row_of,
    split_fields,
)

FEATURE_NAMES: tuple[str, ...] = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)  # fmt: skip
N_FEATURES = 41
N_FIELDS = N_FEATURES + 1
PROTOCOLS: tuple[str, ...] = ("tcp", "udp", "icmp")
FLAGS: tuple[str, ...] = (
    "SF", "S0", "REJ", "RSTR", "RSTO", "SH", "S1", "S2", "S3", "RSTOS0", "OTH",
)  # fmt: skip
# The 70 services of the full KDD training data plus ``icmp`` (seen only in ``corrected``).
SERVICES: tuple[str, ...] = (
    "IRC", "X11", "Z39_50", "aol", "auth", "bgp", "courier", "csnet_ns", "ctf", "daytime",
    "discard", "domain", "domain_u", "echo", "eco_i", "ecr_i", "efs", "exec", "finger", "ftp",
    "ftp_data", "gopher", "harvest", "hostnames", "http", "http_2784", "http_443", "http_8001",
    "icmp", "imap4", "iso_tsap", "klogin", "kshell", "ldap", "link", "login", "mtp", "name",
    "netbios_dgm", "netbios_ns", "netbios_ssn", "netstat", "nnsp", "nntp", "ntp_u", "other",
    "pm_dump", "pop_2", "pop_3", "printer", "private", "red_i", "remote_job", "rje", "shell",
    "smtp", "sql_net", "ssh", "sunrpc", "supdup", "systat", "telnet", "tftp_u", "tim_i", "time",
    "urh_i", "urp_i", "uucp", "uucp_path", "vmnet", "whois",
)  # fmt: skip
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "protocol_type": PROTOCOLS,
    "service": SERVICES,
    "flag": FLAGS,
}
CATEGORICAL_COLUMNS: tuple[int, ...] = tuple(FEATURE_NAMES.index(c) for c in CATEGORICAL)
NUMERIC_COLUMNS: tuple[int, ...] = tuple(
    i for i in range(N_FEATURES) if i not in CATEGORICAL_COLUMNS
)
# Label vocabulary (without the trailing dot): normal, the 22 training attacks, then the 17
# attack types that occur only in ``corrected``. Other labels found in a file are appended.
LABELS: tuple[str, ...] = (
    "normal", "back", "buffer_overflow", "ftp_write", "guess_passwd", "imap", "ipsweep", "land",
    "loadmodule", "multihop", "neptune", "nmap", "perl", "phf", "pod", "portsweep", "rootkit",
    "satan", "smurf", "spy", "teardrop", "warezclient", "warezmaster",
    "apache2", "httptunnel", "mailbomb", "mscan", "named", "processtable", "ps", "saint",
    "sendmail", "snmpgetattack", "snmpguess", "sqlattack", "udpstorm", "worm", "xlock",
    "xsnoop", "xterm",
)  # fmt: skip

TRAIN_FILE = "kddcup99/kddcup.data_10_percent.gz"
TEST_FILE = "kddcup99/corrected.gz"
NAMES_FILE = "kddcup99/kddcup.names"
# (rows, normal rows) of the canonical files.
EXPECTED_COUNTS: dict[str, tuple[int, int]] = {
    TRAIN_FILE: (494_021, 97_278),
    TEST_FILE: (311_029, 60_593),
}
STREAM_SEED = 1999
STREAM_NORMAL = 8000
STREAM_ATTACK = 2000
POOL_CAP = 300  # rows per attack type in the stream asset's pool of further attacks


@dataclass(frozen=True)
class KDDTable:
    """One parsed KDD file.

    Attributes
    ----------
    X : float32 ``(n, 41)`` raw features; symbolic columns hold vocabulary codes.
    label : int16 ``(n,)`` codes into ``label_names``.
    label_names : label vocabulary (without trailing dots); ``label_names[0] == "normal"``.
    name : the file name (for messages).
    """

    X: np.ndarray
    label: np.ndarray
    label_names: tuple[str, ...]
    name: str = ""

    @property
    def anomaly(self) -> np.ndarray:
        """bool ``(n,)``: True for every label other than ``normal``."""
        return self.label != 0

    def __len__(self) -> int:
        return int(self.X.shape[0])


@dataclass(frozen=True)
class KDDCup99:
    """The fitting file (``kddcup.data_10_percent``) and the labelled test file (``corrected``)."""

    train: KDDTable
    corrected: KDDTable


# -- parsing ---------------------------------------------------------------------------------
def parse_kdd(data: bytes, name: str) -> KDDTable:
    """Parse a KDD Cup 1999 file (gzip or plain text) into a :class:`KDDTable`.

    Parameters
    ----------
    data : the file's bytes, gzip-compressed or not.
    name : the file name, used in error messages.

    Raises
    ------
    AnomascopeError
        Naming ``name`` and the first bad line: corrupt gzip, empty file, wrong number of
        fields, a non-number in a numeric column, an unknown protocol/service/flag, or a label
        without its trailing dot.
    """
    text = decompress(bytes(data), name)
    if b"\r" in text:
        text = text.replace(b"\r", b"")
    text = text.rstrip(b"\n ") + b"\n"
    if len(text) <= 1:
        raise AnomascopeError(f"{name}: the file is empty")
    windows, starts, lengths = split_fields(text, (*FEATURE_NAMES, "label"), name)
    n = len(starts)
    X = np.empty((n, N_FEATURES), dtype=np.float32)
    for j in range(N_FEATURES):
        chars = gather(windows, starts[:, j], lengths[:, j])
        column = FEATURE_NAMES[j]
        if column in CATEGORICAL:
            X[:, j] = parse_symbols(chars, name, column, CATEGORICAL[column])[0]
        else:
            X[:, j] = parse_numbers(chars, lengths[:, j], name, column)

    label_chars = gather(windows, starts[:, -1], lengths[:, -1])
    last = label_chars[np.arange(n), lengths[:, -1] - 1]
    if (last != 46).any():
        r = row_of(last != 46)
        raise AnomascopeError(
            f"{name}: line {r + 1}: label must end with a dot (like 'normal.'), found "
            f"{label_chars[r, : lengths[r, -1]].tobytes().decode('latin-1')!r}"
        )
    label_chars[np.arange(n), lengths[:, -1] - 1] = 0
    label, label_names = parse_symbols(label_chars, name, "label", None, first=LABELS)
    return KDDTable(X=X, label=label, label_names=label_names, name=name)


def read_feature_names(path: str | Path) -> tuple[str, ...]:
    """Feature names from ``kddcup.names`` (first line: labels; then ``name: type.`` lines).

    Raises
    ------
    AnomascopeError
        If the file is missing or its names differ from :data:`FEATURE_NAMES`.
    """
    p = Path(path)
    if not p.is_file():
        raise AnomascopeError(f"{p}: file missing")
    lines = p.read_text(encoding="latin-1").splitlines()[1:]
    names = tuple(line.split(":")[0].strip() for line in lines if ":" in line)
    if names != FEATURE_NAMES:
        raise AnomascopeError(
            f"{p}: expected the 41 KDD Cup 1999 feature names, found {len(names)} names "
            f"starting {list(names[:3])}"
        )
    return names


def load_kdd_file(path: str | Path, expected: tuple[int, int] | None = None) -> KDDTable:
    """Read and parse one KDD file; check ``expected = (rows, normal rows)`` if given.

    Raises
    ------
    AnomascopeError
        If the file is missing, malformed, truncated or has other counts; names the file.
    """
    p = Path(path)
    if not p.is_file():
        raise AnomascopeError(f"{p}: file missing")
    table = parse_kdd(p.read_bytes(), str(p))
    if expected is not None:
        rows, normal = len(table), int((table.label == 0).sum())
        if (rows, normal) != expected:
            raise AnomascopeError(
                f"{p}: expected {expected[0]:,} rows with {expected[1]:,} normal, found "
                f"{rows:,} rows with {normal:,} normal (partial or other file?)"
            )
    return table


def load_kdd(data_dir: str | Path) -> KDDCup99:
    """Read and validate ``kddcup.data_10_percent.gz``, ``corrected.gz`` and ``kddcup.names``
    under ``data_dir`` (row counts, normal counts, field widths, labels).

    Raises
    ------
    AnomascopeError
        If a file is missing, malformed or partial; the message names the file.
    """
    root = Path(data_dir)
    read_feature_names(root / NAMES_FILE)
    train = load_kdd_file(root / TRAIN_FILE, EXPECTED_COUNTS[TRAIN_FILE])
    corrected = load_kdd_file(root / TEST_FILE, EXPECTED_COUNTS[TEST_FILE])
    return KDDCup99(train=train, corrected=corrected)


# -- protocol splits -------------------------------------------------------------------------


@dataclass(frozen=True)
class KDDSample:
    """Rows drawn from a :class:`KDDTable` (the stream, the validation split, a fit set).

    Attributes
    ----------
    X : float32 ``(n, 41)`` raw features.
    anomaly : bool ``(n,)``.
    label : uint8 ``(n,)`` codes into ``label_names`` (attack type; 0 = normal).
    label_names : label vocabulary.
    index : int64 ``(n,)`` row numbers (0-based) in the source file.
    """

    X: np.ndarray
    anomaly: np.ndarray
    label: np.ndarray
    label_names: tuple[str, ...]
    index: np.ndarray

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Compact arrays for a binary asset (``np.savez`` without pickles).

        Returns
        -------
        dict with ``features`` float32 ``(n, 41)``, ``anomaly`` uint8 ``(n,)``, ``label``
        uint8 ``(n,)``, ``label_names`` str ``(k,)``, ``feature_names`` str ``(41,)``,
        ``index`` int32 ``(n,)`` (row in ``corrected``).
        """
        return {
            "features": np.ascontiguousarray(self.X, dtype=np.float32),
            "anomaly": self.anomaly.astype(np.uint8),
            "label": self.label.astype(np.uint8),
            "label_names": np.array(self.label_names, dtype=str),
            "feature_names": np.array(FEATURE_NAMES, dtype=str),
            "index": self.index.astype(np.int32),
        }


def _sample(table: KDDTable, index: np.ndarray) -> KDDSample:
    return KDDSample(
        X=table.X[index],
        anomaly=table.label[index] != 0,
        label=table.label[index].astype(np.uint8),
        label_names=table.label_names,
        index=index.astype(np.int64),
    )


def _stream_validation_indices(
    corrected: KDDTable, seed: int, n_normal: int, n_attack: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint (stream, validation, other attacks) row indices: the first two each
    ``n_normal`` + ``n_attack``, shuffled; the third every attack row in neither, in the
    seeded order of the draw."""
    rng = np.random.default_rng(seed)
    normal = np.flatnonzero(corrected.label == 0)
    attack = np.flatnonzero(corrected.label != 0)
    if len(normal) < 2 * n_normal or len(attack) < 2 * n_attack:
        raise AnomascopeError(
            f"{corrected.name}: needs {2 * n_normal} normal and {2 * n_attack} attack rows for "
            f"the stream and validation split, has {len(normal)} and {len(attack)}"
        )
    pn = rng.permutation(normal)
    pa = rng.permutation(attack)
    stream = np.concatenate([pn[:n_normal], pa[:n_attack]])
    val = np.concatenate([pn[n_normal : 2 * n_normal], pa[n_attack : 2 * n_attack]])
    return rng.permutation(stream), rng.permutation(val), pa[2 * n_attack :]


def build_stream(
    corrected: KDDTable,
    seed: int = STREAM_SEED,
    n_normal: int = STREAM_NORMAL,
    n_attack: int = STREAM_ATTACK,
) -> KDDSample:
    """The evaluation stream: ``n_normal`` normal + ``n_attack`` attack rows of ``corrected``,
    drawn without replacement with ``seed`` and shuffled. Disjoint (by row) from
    :func:`build_validation` with the same seed. Every non-normal label is an attack."""
    return _sample(corrected, _stream_validation_indices(corrected, seed, n_normal, n_attack)[0])


def build_validation(
    corrected: KDDTable,
    seed: int = STREAM_SEED,
    n_normal: int = STREAM_NORMAL,
    n_attack: int = STREAM_ATTACK,
) -> KDDSample:
    """The threshold-choosing split: ``n_normal`` + ``n_attack`` further rows of ``corrected``,
    disjoint by row from :func:`build_stream` with the same seed. (KDD has many duplicate
    rows, so identical feature vectors can still occur in both.)"""
    return _sample(corrected, _stream_validation_indices(corrected, seed, n_normal, n_attack)[1])


def attack_pool(
    corrected: KDDTable,
    seed: int = STREAM_SEED,
    n_normal: int = STREAM_NORMAL,
    n_attack: int = STREAM_ATTACK,
) -> KDDSample:
    """Further attack rows for the stream page's mixes (:mod:`anomascope.data.kdd_mixes`): up
    to :data:`POOL_CAP` rows of each attack type, in neither the stream nor the validation
    split, drawn in the seeded order of :func:`build_stream`; sorted by row."""
    rest = _stream_validation_indices(corrected, seed, n_normal, n_attack)[2]
    keep = [
        rest[corrected.label[rest] == code][:POOL_CAP] for code in np.unique(corrected.label[rest])
    ]
    index = np.sort(np.concatenate(keep)) if keep else np.zeros(0, dtype=np.int64)
    return _sample(corrected, index)


def stream_arrays(corrected: KDDTable, seed: int = STREAM_SEED) -> dict[str, np.ndarray]:
    """The stream as compact arrays for the site's binary asset (:meth:`KDDSample.to_arrays`),
    plus the attack pool of :func:`attack_pool` as ``pool_features`` float32 ``(m, 41)``,
    ``pool_label`` uint8 ``(m,)`` and ``pool_index`` int32 ``(m,)`` (row in ``corrected``)."""
    arrays = build_stream(corrected, seed).to_arrays()
    pool = attack_pool(corrected, seed).to_arrays()
    arrays.update({f"pool_{k}": pool[k] for k in ("features", "label", "index")})
    return arrays


def validation_arrays(corrected: KDDTable, seed: int = STREAM_SEED) -> dict[str, np.ndarray]:
    """The validation split as compact arrays (see :meth:`KDDSample.to_arrays`)."""
    return build_validation(corrected, seed).to_arrays()


def reshuffle(n: int, seed: int) -> np.ndarray:
    """A seeded play order for a stream of ``n`` rows ("new shuffle"): int64 permutation."""
    return np.random.default_rng(seed).permutation(n)


def training_normals(train: KDDTable, rng: np.random.Generator, n: int) -> KDDSample:
    """``n`` normal rows of the fitting file, drawn without replacement (sorted by row)."""
    normal = np.flatnonzero(train.label == 0)
    if n > len(normal):
        raise AnomascopeError(f"{train.name}: asked for {n} normal rows, has {len(normal)}")
    return _sample(train, np.sort(rng.choice(normal, size=n, replace=False)))
