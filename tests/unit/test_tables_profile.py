"""profile_table: types, missing counts, ranges, top values, histograms, log1p candidates."""

from __future__ import annotations

import json

import numpy as np

from anomascope.tables import parse_table, profile_table


def _profiles(data: bytes) -> dict[str, dict]:
    return {p["name"]: p for p in profile_table(parse_table(data))}


def _file() -> bytes:
    rng = np.random.default_rng(3)
    lines = ["id,temp,bytes,proto,flag,code"]
    for i in range(200):
        temp = "NA" if i in (4, 50, 99) else f"{rng.normal(20, 3):.3f}"
        b = f"{rng.lognormal(3, 1.5):.2f}"
        proto = ["tcp", "tcp", "tcp", "udp", "icmp"][i % 5]
        lines.append(f"{i + 1},{temp},{b},{proto},1,u{i:04d}")
    return ("\n".join(lines) + "\n").encode()


def test_types() -> None:
    p = _profiles(_file())
    assert {n: p[n]["type"] for n in p} == {
        "id": "identifier",
        "temp": "numeric",
        "bytes": "numeric",
        "proto": "categorical",
        "flag": "constant",
        "code": "identifier",
    }


def test_numeric_profile() -> None:
    p = _profiles(_file())["temp"]
    t = parse_table(_file()).column("temp")
    assert p["missing"] == 3 and p["numeric"]
    assert p["min"] == np.nanmin(t) and p["max"] == np.nanmax(t)
    h = p["histogram"]
    assert len(h["counts"]) == 20 and len(h["edges"]) == 21 and sum(h["counts"]) == 197
    assert h["edges"][0] == p["min"] and h["edges"][-1] == p["max"]
    assert p["top"] == [] and not p["skewed_positive"]


def test_skewed_positive_only_for_non_negative_skewed_columns() -> None:
    p = _profiles(_file())
    assert p["bytes"]["skewed_positive"]
    assert not p["temp"]["skewed_positive"]
    neg = _profiles(b"v\n" + b"\n".join(str(x).encode() for x in [-1, 0, 0, 0, 0, 50]) + b"\n")
    assert not neg["v"]["skewed_positive"]


def test_categorical_top_values_and_missing() -> None:
    p = _profiles(b"c\nx\ny\nx\n?\nz\nx\ny\n")["c"]
    assert p["type"] == "categorical" and p["missing"] == 1 and p["distinct"] == 3
    assert p["top"] == [["x", 3], ["y", 2], ["z", 1]]
    assert p["histogram"] == {"counts": [3, 2, 1], "labels": ["x", "y", "z"]}
    assert p["min"] is None and p["max"] is None


def test_constant_and_all_missing_columns() -> None:
    p = _profiles(b"a,b,c\n1,k,\n1,k,\n1,k,NA\n")
    assert p["a"]["type"] == "constant" and p["a"]["histogram"]["counts"] == [3]
    assert p["b"]["type"] == "constant" and p["b"]["top"] == [["k", 3]]
    assert p["c"]["type"] == "constant" and p["c"]["missing"] == 3 and p["c"]["min"] is None


def test_unordered_distinct_integers_are_numeric_not_ids() -> None:
    rng = np.random.default_rng(0)
    vals = rng.permutation(1000)[:50]
    data = "v\n" + "\n".join(str(v) for v in vals) + "\n"
    assert _profiles(data.encode())["v"]["type"] == "numeric"


def test_json_serialisable() -> None:
    json.dumps(profile_table(parse_table(_file())), allow_nan=False)
