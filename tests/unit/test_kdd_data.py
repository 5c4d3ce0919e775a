"""KDD Cup 1999 parsing, validation, feature specs and the stream/validation splits."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.data import kdd
from anomascope.data.kdd_features import REPORT18, fit_feature_spec, output_names
from anomascope.preprocessing import apply_preprocessing

NORMAL_LINE = (
    "0,tcp,http,SF,181,5450,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,8,8,0.00,0.00,0.00,0.00,1.00,"
    "0.00,0.00,9,9,1.00,0.00,0.11,0.00,0.00,0.00,0.00,0.00,normal."
)
ATTACK_LINE = (
    "0,icmp,ecr_i,SF,1032,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,511,511,0.00,0.00,0.00,0.00,1.00,"
    "0.00,0.00,255,255,1.00,0.00,1.00,0.00,0.00,0.00,0.00,0.00,smurf."
)
NEW_ATTACK_LINE = (
    "12,udp,private,SF,105,146,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,0.00,0.00,0.00,0.00,1.00,"
    "0.00,0.00,255,254,1.00,0.01,0.00,0.00,0.00,0.00,0.00,0.00,snmpgetattack."
)


def _synthetic_table(n_normal: int, n_attack: int, seed: int = 0) -> kdd.KDDTable:
    """A KDDTable with random raw features (valid codes) and given class counts."""
    rng = np.random.default_rng(seed)
    n = n_normal + n_attack
    X = rng.exponential(3.0, size=(n, kdd.N_FEATURES)).round(2).astype(np.float32)
    for col, vocab in kdd.CATEGORICAL.items():
        X[:, kdd.FEATURE_NAMES.index(col)] = rng.integers(0, len(vocab), n)
    label = np.zeros(n, dtype=np.int16)
    label[n_normal:] = rng.integers(1, len(kdd.LABELS), n_attack)
    perm = rng.permutation(n)
    return kdd.KDDTable(X=X[perm], label=label[perm], label_names=kdd.LABELS, name="synthetic")


def _write_gz(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


# -- parsing ---------------------------------------------------------------------------------
def test_parse_values_codes_and_labels(tmp_path):
    f = _write_gz(tmp_path / "small.gz", [NORMAL_LINE, ATTACK_LINE, NEW_ATTACK_LINE])
    t = kdd.load_kdd_file(f)
    assert t.X.shape == (3, 41) and t.X.dtype == np.float32
    np.testing.assert_allclose(t.X[0, [0, 4, 5, 22, 35]], [0, 181, 5450, 8, 0.11], rtol=1e-6)
    assert t.X[2, 0] == 12
    assert [kdd.PROTOCOLS[int(c)] for c in t.X[:, 1]] == ["tcp", "icmp", "udp"]
    assert [kdd.SERVICES[int(c)] for c in t.X[:, 2]] == ["http", "ecr_i", "private"]
    assert kdd.FLAGS[int(t.X[0, 3])] == "SF"
    assert [t.label_names[c] for c in t.label] == ["normal", "smurf", "snmpgetattack"]
    # Every non-normal label is an attack, including types only in corrected.
    assert t.anomaly.tolist() == [False, True, True]


def test_plain_text_crlf_and_no_final_newline_parse_the_same(tmp_path):
    plain = "\r\n".join([NORMAL_LINE, ATTACK_LINE]).encode()
    a = kdd.parse_kdd(plain, "plain")
    b = kdd.parse_kdd(gzip.compress(plain + b"\r\n"), "gz")
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.label, b.label)


def test_negative_and_decimal_numbers():
    line = NORMAL_LINE.replace("0,tcp", "-3.5,tcp", 1).replace(",181,", ",0.125,", 1)
    t = kdd.parse_kdd(line.encode(), "x")
    assert t.X[0, 0] == np.float32(-3.5) and t.X[0, 4] == np.float32(0.125)


@pytest.mark.parametrize(
    "line, message",
    [
        (NORMAL_LINE.replace(",normal.", ""), r"line 2 has 41 comma-separated fields"),
        (NORMAL_LINE + ",extra", r"line 2 has 43"),
        (NORMAL_LINE.replace(",181,", ",18x1,"), r"line 2: src_bytes is not a number: '18x1'"),
        (NORMAL_LINE.replace(",181,", ",1.8.1,"), r"line 2: src_bytes is not a number"),
        (NORMAL_LINE.replace(",181,", ",1-81,"), r"line 2: src_bytes is not a number"),
        (NORMAL_LINE.replace(",181,", ",,"), r"line 2: empty field src_bytes"),
        (NORMAL_LINE.replace(",http,", ",gopherx,"), r"line 2: unknown service 'gopherx'"),
        (NORMAL_LINE.replace("tcp", "sctp"), r"line 2: unknown protocol_type 'sctp'"),
        (NORMAL_LINE.replace("normal.", "normal"), r"line 2: label must end with a dot"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, line, message):
    f = _write_gz(tmp_path / "bad.gz", [NORMAL_LINE, line, ATTACK_LINE])
    with pytest.raises(AnomascopeError, match=message) as info:
        kdd.load_kdd_file(f)
    assert "bad.gz" in str(info.value)


def test_truncated_gzip_and_missing_and_empty_files(tmp_path):
    data = gzip.compress(("\n".join([NORMAL_LINE] * 200) + "\n").encode())
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(AnomascopeError, match=r"cut\.gz.*truncated"):
        kdd.load_kdd_file(tmp_path / "cut.gz")
    with pytest.raises(AnomascopeError, match=r"nope\.gz: file missing"):
        kdd.load_kdd_file(tmp_path / "nope.gz")
    (tmp_path / "empty.gz").write_bytes(gzip.compress(b""))
    with pytest.raises(AnomascopeError, match=r"empty\.gz: the file is empty"):
        kdd.load_kdd_file(tmp_path / "empty.gz")


def test_row_counts_are_checked(tmp_path):
    f = _write_gz(tmp_path / "short.gz", [NORMAL_LINE, ATTACK_LINE, NORMAL_LINE])
    assert len(kdd.load_kdd_file(f, expected=(3, 2))) == 3
    with pytest.raises(AnomascopeError, match=r"short\.gz: expected 494,021 rows.*found 3 rows"):
        kdd.load_kdd_file(f, expected=(494_021, 97_278))


def test_load_kdd_names_missing_file_in_a_folder(tmp_path):
    (tmp_path / "kddcup99").mkdir()
    names = "back,normal.\n\n" + "".join(f"{c}: continuous.\n" for c in kdd.FEATURE_NAMES)
    (tmp_path / "kddcup99" / "kddcup.names").write_text(names)
    assert kdd.read_feature_names(tmp_path / kdd.NAMES_FILE) == kdd.FEATURE_NAMES
    with pytest.raises(AnomascopeError, match=r"kddcup\.data_10_percent\.gz: file missing"):
        kdd.load_kdd(tmp_path)
    (tmp_path / "kddcup99" / "kddcup.names").write_text("x.\nduration: continuous.\n")
    with pytest.raises(AnomascopeError, match=r"kddcup\.names: expected the 41"):
        kdd.load_kdd(tmp_path)


# -- stream and validation -------------------------------------------------------------------
def test_stream_counts_determinism_and_disjointness():
    table = _synthetic_table(20_000, 5_000)
    s = kdd.build_stream(table, seed=7)
    v = kdd.build_validation(table, seed=7)
    for part in (s, v):
        assert len(part) == 10_000
        assert int(part.anomaly.sum()) == 2000 and int((~part.anomaly).sum()) == 8000
        assert len(np.unique(part.index)) == 10_000
        np.testing.assert_array_equal(part.X, table.X[part.index])
        np.testing.assert_array_equal(part.anomaly, table.label[part.index] != 0)
    assert np.intersect1d(s.index, v.index).size == 0
    again = kdd.build_stream(table, seed=7)
    np.testing.assert_array_equal(again.index, s.index)
    other = kdd.build_stream(table, seed=8)
    assert not np.array_equal(other.index, s.index)
    # Shuffled: attacks are spread over the stream, not in one block.
    assert 0.1 < s.anomaly[:5000].mean() / 0.2 < 1.9
    with pytest.raises(AnomascopeError, match="needs 16000 normal"):
        kdd.build_stream(_synthetic_table(9000, 5000))


def test_stream_arrays_are_compact_and_pickle_free(tmp_path):
    table = _synthetic_table(16_000, 4_000)
    arrays = kdd.stream_arrays(table, seed=3)
    assert arrays["features"].shape == (10_000, 41) and arrays["features"].dtype == np.float32
    assert arrays["anomaly"].dtype == np.uint8 and arrays["label"].dtype == np.uint8
    assert arrays["label_names"][0] == "normal" and len(arrays["feature_names"]) == 41
    np.testing.assert_array_equal(arrays["anomaly"] == 1, arrays["label"] != 0)
    np.savez(tmp_path / "s.npz", **arrays)
    back = np.load(tmp_path / "s.npz", allow_pickle=False)
    np.testing.assert_array_equal(back["features"], arrays["features"])
    val = kdd.validation_arrays(table, seed=3)
    assert np.intersect1d(val["index"], arrays["index"]).size == 0
    order = kdd.reshuffle(10_000, 5)
    assert sorted(order.tolist()) == list(range(10_000))


def test_training_normals_are_normal_and_seeded():
    table = _synthetic_table(3000, 1000)
    a = kdd.training_normals(table, np.random.default_rng(1), 500)
    b = kdd.training_normals(table, np.random.default_rng(1), 500)
    assert not a.anomaly.any() and len(np.unique(a.index)) == 500
    np.testing.assert_array_equal(a.index, b.index)
    with pytest.raises(AnomascopeError, match="asked for 5000 normal rows"):
        kdd.training_normals(table, np.random.default_rng(1), 5000)


# -- feature sets ----------------------------------------------------------------------------
def test_feature_specs_shapes_and_scaling():
    table = _synthetic_table(2000, 500)
    fit = table.X[table.label == 0]
    spec18 = fit_feature_spec("report18", fit)
    X18 = apply_preprocessing(spec18, fit)
    assert X18.shape == (2000, 18) and spec18["feature_names"] == list(REPORT18)
    np.testing.assert_allclose(X18.min(0), 0, atol=1e-6)
    np.testing.assert_allclose(X18.max(0), 1, atol=1e-6)
    col = kdd.FEATURE_NAMES.index("dst_host_count")
    np.testing.assert_allclose(
        X18[:, REPORT18.index("dst_host_count")],
        (fit[:, col] - fit[:, col].min()) / np.ptp(fit[:, col]),
        rtol=1e-5,
    )
    rich = fit_feature_spec("rich", fit)
    Xr = apply_preprocessing(rich, table.X)
    names = output_names("rich")
    assert Xr.shape == (2500, 41 - 3 + 3 + 71 + 11) == (2500, len(names))
    # One-hot blocks: exactly one 1 per categorical group (after min/max of 0/1 columns).
    for group in ("protocol_type=", "service=", "flag="):
        idx = [i for i, n in enumerate(names) if n.startswith(group)]
        raw = apply_preprocessing({"steps": rich["steps"][:-1]}, table.X)[:, idx]
        np.testing.assert_array_equal(raw.sum(1), 1)
    assert names.index("protocol_type=tcp") == 1
    with pytest.raises(AnomascopeError, match="unknown KDD feature set"):
        fit_feature_spec("nope", fit)


def test_real_corrected_file_counts_and_stream(data_dir):
    t = kdd.load_kdd_file(data_dir / kdd.TEST_FILE, kdd.EXPECTED_COUNTS[kdd.TEST_FILE])
    assert len(t) == 311_029 and len(set(t.label_names)) >= 38
    s = kdd.build_stream(t)
    assert int(s.anomaly.sum()) == 2000 and len(s) == 10_000
    # Attack types that never occur in training are labelled attacks in the stream.
    only_test = {"snmpgetattack", "snmpguess", "mailbomb", "mscan", "apache2", "processtable"}
    names = {t.label_names[c] for c in np.unique(s.label)}
    assert names & only_test


def test_rows_without_label_with_header_and_labels_without_dot():
    from anomascope.data.kdd_rows import kdd_columns, parse_kdd_rows

    columns, header = kdd_columns(NORMAL_LINE.rsplit(",", 1)[0].encode(), "f")
    assert columns == kdd.FEATURE_NAMES and not header
    X, anomaly = parse_kdd_rows(NORMAL_LINE.rsplit(",", 1)[0].encode() + b"\n", "f", columns)
    assert anomaly is None and X.shape == (1, 41)
    np.testing.assert_array_equal(X, kdd.parse_kdd(NORMAL_LINE.encode(), "f").X)
    names = ",".join(["label", *reversed(kdd.FEATURE_NAMES)]).encode()
    columns, header = kdd_columns(names, "f")
    assert header and columns[0] == "label" and columns[1] == "dst_host_srv_rerror_rate"
    rows = [
        ",".join([line.rsplit(",", 1)[1].rstrip("."), *reversed(line.rsplit(",", 1)[0].split(","))])
        for line in (NORMAL_LINE, ATTACK_LINE)
    ]
    X, anomaly = parse_kdd_rows(("\n".join(rows) + "\n").encode(), "f", columns, line0=1)
    assert anomaly.tolist() == [False, True]
    np.testing.assert_array_equal(
        X, kdd.parse_kdd((NORMAL_LINE + "\n" + ATTACK_LINE).encode(), "f").X
    )
    with pytest.raises(AnomascopeError, match="line 3: unknown flag 'XX'"):
        parse_kdd_rows(
            ("\n".join([rows[0], rows[1].replace(",SF,", ",XX,")]) + "\n").encode(),
            "f",
            columns,
            line0=1,
        )
