"""`anomascope score` on KDD connections: every input form scores like the API, bad rows are
named, out-of-range features are reported."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pytest

from anomascope.cli import main
from anomascope.cli.inputs import KDDReader, chunks_of, open_input
from anomascope.data import kdd
from anomascope.weights import load_model_files
from tests.unit.cli_helpers import KDD_MODEL, kdd_lines, parse_output


@pytest.fixture(scope="module")
def lines(data_dir: Path) -> list[str]:
    return kdd_lines(data_dir)


@pytest.fixture(scope="module")
def api_scores(lines: list[str]) -> np.ndarray:
    model = load_model_files(KDD_MODEL.parent, KDD_MODEL.name)
    table = kdd.parse_kdd(("\n".join(lines) + "\n").encode(), "api")
    return np.asarray(model.score(table.X), dtype=np.float64)


def score_text(tmp_path: Path, capsys, text: str | bytes, name: str = "in.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code = main(["score", "--model", str(KDD_MODEL), str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def unlabelled(lines: list[str]) -> list[str]:
    return [line.rsplit(",", 1)[0] for line in lines]


def with_field(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def forms(lines: list[str]) -> dict[str, bytes]:
    names = list(kdd.FEATURE_NAMES)
    shuffled = names[:]
    random.Random(0).shuffle(shuffled)
    order = [names.index(c) for c in shuffled]
    moved = [",".join(line.split(",")[i] for i in order) for line in unlabelled(lines)]
    text = {
        "labelled": lines,
        "unlabelled": unlabelled(lines),
        "header_labelled": [",".join([*names, "label"]), *lines],
        "header_unlabelled": [",".join(names), *unlabelled(lines)],
        "header_any_order": [",".join(shuffled), *moved],
    }
    out = {k: ("\n".join(v) + "\n").encode() for k, v in text.items()}
    out["gzip"] = gzip.compress(out["labelled"])
    out["crlf_bom"] = b"\xef\xbb\xbf" + out["header_unlabelled"].replace(b"\n", b"\r\n")
    out["bom_blank_lines"] = b"\xef\xbb\xbf" + out["unlabelled"].replace(b"\n", b"\n\n", 3)
    return out


@pytest.mark.parametrize(
    "form",
    [
        "labelled",
        "unlabelled",
        "header_labelled",
        "header_unlabelled",
        "header_any_order",
        "gzip",
        "crlf_bom",
        "bom_blank_lines",
    ],
)
def test_every_input_form_scores_like_the_api(form, lines, api_scores, tmp_path, capsys):
    code, out, err = score_text(tmp_path, capsys, forms(lines)[form])
    assert code == 0, err
    scores, labels = parse_output(out)
    # full precision: the printed numbers are the API's float64 scores, bit for bit
    assert scores.tolist() == api_scores.tolist()
    threshold = load_model_files(KDD_MODEL.parent, KDD_MODEL.name).threshold
    assert labels == ["anomaly" if s > threshold else "normal" for s in api_scores]
    assert f"scored {len(lines)} rows in" in err and "rows/s" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ls: ["duration,proto,foo", *ls], "unknown column(s) proto, foo"),
        (
            lambda ls: [",".join(kdd.FEATURE_NAMES[:-1]), *ls],
            "missing column(s) dst_host_srv_rerror_rate",
        ),
        (lambda ls: [",".join([*kdd.FEATURE_NAMES, "extra"]), *ls], "unknown column(s) extra"),
        (lambda ls: [ls[0].rsplit(",", 1)[0], *ls], "line 1 has 40 comma-separated fields"),
        (lambda ls: [ls[0], ls[1], with_field(ls[2], 4, "12x")], "line 3: src_bytes is not a"),
        (lambda ls: [ls[0], ls[1].replace(",private,", ",nosuch,")], "line 2: unknown service"),
        (lambda ls: [",".join(kdd.FEATURE_NAMES), "0,tcp,http"], "line 2 has 3 comma-separated"),
        (lambda ls: [ls[0], "", ls[1], ls[2] + ",x"], "line 4 has 42 comma-separated"),
    ],
)
def test_bad_rows_are_named(edit, message, lines, tmp_path, capsys):
    code, out, err = score_text(tmp_path, capsys, "\n".join(edit(unlabelled(lines[:3]))) + "\n")
    assert code == 2 and out.strip() in ("", "row\tscore\tlabel")
    assert message in err and "Traceback" not in err


def test_corrupt_gzip_and_missing_file(lines, tmp_path, capsys):
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    code, _, err = score_text(tmp_path, capsys, data[: len(data) // 2], "cut.gz")
    assert code == 2 and "corrupt or truncated" in err
    assert main(["score", "--model", str(KDD_MODEL), str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_chunks_keep_line_numbers_and_order(lines, api_scores, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(",".join([*kdd.FEATURE_NAMES, "label"]) + "\n" + "\n".join(lines) + "\n")
    parts = list(chunks_of(KDDReader(str(path), chunk=7), open_input(str(path))))
    assert len(parts) == 43 and sum(len(X) for X, _ in parts) == 300
    assert np.concatenate([y for _, y in parts]).sum() == sum(
        not line.endswith(",normal.") for line in lines
    )
    bad = lines[:]
    bad[100] = bad[100].replace(",tcp,", ",tcq,")
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(Exception, match="line 101: unknown protocol_type 'tcq'"):
        list(chunks_of(KDDReader(str(path), chunk=7), open_input(str(path))))


def test_out_of_range_features_warn_with_numbers(lines, tmp_path, capsys):
    fields = unlabelled(lines[:5])
    huge = fields[0].split(",")
    huge[4] = "99999999999"  # src_bytes far above anything in training
    code, _, err = score_text(tmp_path, capsys, "\n".join([",".join(huge), *fields[1:]]) + "\n")
    assert code == 0
    warning = next(line for line in err.splitlines() if line.startswith("warning:"))
    assert "of 5 rows" in warning and "log1p(src_bytes): 1 row, furthest 25.3284" in warning
    assert "training range 0.." in warning
