"""fit_preparation / feature_matrix: a spec fitted on the fit rows that repeats exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.preprocessing import apply_preprocessing, output_dim, validate_spec
from anomascope.tables import feature_matrix, fit_preparation, parse_table


def _table(n: int = 60, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    lines = ["x,skewed,kind,id,const"]
    kinds = ["a"] * 5 + ["b"] * 3 + ["c", "d"]
    for i in range(n):
        x = "" if i % 7 == 3 else f"{rng.normal(10, 2):.4f}"
        s = f"{rng.exponential(1.0) ** 3:.5f}"
        k = "NA" if i % 11 == 5 else kinds[int(rng.integers(len(kinds)))]
        lines.append(f"{x},{s},{k},{i + 1},7")
    return ("\n".join(lines) + "\n").encode()


def test_spec_layout_and_exact_repeat() -> None:
    t = parse_table(_table())
    feats = ["x", "skewed", "kind"]
    fit = np.arange(40)
    spec = fit_preparation(t, feats, fit, onehot_cap=3)
    validate_spec(spec)
    json.dumps(spec, allow_nan=False)
    assert [s["op"] for s in spec["steps"]] == ["impute", "log1p", "onehot", "standardize"]
    assert spec["feature_names"] == feats and spec["input_dim"] == 3
    # kind: the 2 most frequent fit values + "other" -> 3 columns, all mapping back to feature 2
    assert spec["output_features"] == [0, 1, 2, 2, 2]
    assert output_dim(spec, 3) == 5
    Z = apply_preprocessing(spec, feature_matrix(t, feats, fit))
    assert Z.shape == (40, 5) and np.all(np.isfinite(Z))
    # manual preparation of the fit rows, from the fit rows only
    x = t.column("x")[fit]
    med = np.nanmedian(x)
    xi = np.where(np.isnan(x), med, x)
    np.testing.assert_allclose(Z[:, 0], (xi - xi.mean()) / xi.std(), rtol=1e-5, atol=1e-6)
    s = np.log1p(t.column("skewed")[fit])
    np.testing.assert_allclose(Z[:, 1], (s - s.mean()) / s.std(), rtol=1e-5, atol=1e-6)
    kind = t.column("kind")[fit]
    vals, counts = np.unique([k for k in kind if k is not None], return_counts=True)
    top2 = [v for _, v in sorted(zip(-counts, vals, strict=True))][:2]
    assert spec["steps"][2]["categories"] == top2
    expect = np.array([[k == top2[0], k == top2[1], k not in top2] for k in kind], float)
    np.testing.assert_array_equal(Z[:, 2:], expect)
    # the same spec on every row (rows never seen by the fit) still works and keeps fit stats
    Z_all = apply_preprocessing(spec, feature_matrix(t, feats))
    np.testing.assert_array_equal(Z_all[:40], Z)


def test_new_rows_with_unseen_categories_and_missing_cells() -> None:
    t = parse_table(_table())
    spec = fit_preparation(t, ["x", "kind"], np.arange(60))
    new = parse_table(b"x,kind\n,zzz\n11.5,\n9,a\n")
    Z = apply_preprocessing(spec, feature_matrix(new, ["x", "kind"]))
    cats = spec["steps"][1]["categories"]
    assert Z.shape == (3, 1 + len(cats) + 1)
    assert Z[0, -1] == 1 and Z[1, -1] == 1  # unseen and missing -> other
    assert Z[2, 1 + cats.index("a")] == 1
    med = spec["steps"][0]["values"][0]
    mean, scale = spec["steps"][-1]["mean"][0], spec["steps"][-1]["scale"][0]
    assert Z[0, 0] == pytest.approx((med - mean) / scale, rel=1e-5)


def test_stats_come_from_fit_rows_only() -> None:
    t = parse_table(b"v\n1\n2\n3\n1000\n")
    spec = fit_preparation(t, ["v"], np.array([True, True, True, False]))
    assert spec["steps"][0]["values"] == [2.0]
    assert spec["steps"][-1]["mean"] == [2.0]


def test_feature_matrix_types() -> None:
    t = parse_table(b"a,b\n1,x\n,y\n")
    X = feature_matrix(t, ["a"])
    assert X.dtype == np.float64 and np.isnan(X[1, 0])
    M = feature_matrix(t, ["a", "b"], np.array([1]))
    assert M.dtype == object and np.isnan(M[0, 0]) and M[0, 1] == "y"


def test_onehot_cap_counts_other() -> None:
    rows = "\n".join(f"{i % 30},c{i % 30}" for i in range(90))
    t = parse_table(f"n,c\n{rows}\n".encode())
    spec = fit_preparation(t, ["c"], np.arange(90), onehot_cap=20)
    assert len(spec["steps"][0]["categories"]) == 19
    assert output_dim(spec, 1) == 20


@pytest.mark.parametrize(
    ("feats", "rows", "match", "field"),
    [
        ([], None, "choose at least one feature", "features"),
        (["nope"], None, "no column named 'nope'", "features"),
        (["x", "x"], None, "chosen twice", "features"),
        (
            ["const"],
            None,
            r"all chosen features are constant on the fit rows \('const'\)",
            "features",
        ),
        (
            ["id", "const"],
            None,
            r"constant or identifiers \('id' \(identifier\), 'const'",
            "features",
        ),
        (["x"], np.array([3]), "at least 2 rows, got 1", "rows"),
        (["x"], np.zeros(0, dtype=np.int64), "at least 2 rows, got 0", "rows"),
    ],
)
def test_refusals(feats: list[str], rows: np.ndarray | None, match: str, field: str) -> None:
    t = parse_table(_table())
    fit = np.arange(t.n_rows) if rows is None else rows
    with pytest.raises(AnomascopeError, match=match) as e:
        fit_preparation(t, feats, fit)
    assert e.value.field == field


def test_single_column_and_single_row_files() -> None:
    one_col = parse_table(b"v\n1\n5\n2\n")
    spec = fit_preparation(one_col, ["v"], np.arange(3))
    assert apply_preprocessing(spec, feature_matrix(one_col, ["v"])).shape == (3, 1)
    one_row = parse_table(b"1,2,3\n")
    with pytest.raises(AnomascopeError, match="at least 2 rows, got 1"):
        fit_preparation(one_row, ["column 1"], np.arange(1))
