"""The data page's bad-input battery: each bad file, choice or model gets one clear message that
names its row (file line), column, field or limit, and the page keeps working afterwards (a good
table loads and a detector fits on it). One page serves every case, as a user would keep going;
no case may leave an error on the console.

Messages are Python's (anomascope.tables.parse, api.tables_requests, evaluation, the model
loader) or the page's pre-read size check; the tests assert their substance: the line number,
the column name, the limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from data_results_page import (
    choose_detectors,
    fit,
    load_file,
    shown_errors,
    wait_results,
)
from playwright.sync_api import Page, expect
from served_site import BOOT_TIMEOUT_MS, READY, Guard

from anomascope.tables import LIMITS

RNG = np.random.default_rng(7)


def numeric_csv(n: int, names: list[str], label: str | None = None) -> str:
    """``n`` rows of random numbers under ``names`` (+ a 0/1 label column, 1 on every 5th)."""
    head = ",".join(names + ([label] if label else []))
    rows = [
        ",".join(f"{v:.4f}" for v in RNG.normal(size=len(names)))
        + (f",{int(i % 5 == 0)}" if label else "")
        for i in range(n)
    ]
    return "\n".join([head, *rows]) + "\n"


class Battery:
    """The shared page, a folder for generated files, and the console errors seen."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.errors: list[str] = []
        self.count = 0

    def file(self, name: str, data: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def load(self, name: str, data: bytes | str) -> None:
        load_file(self.page, self.file(name, data))

    def load_ok(self, name: str, data: bytes | str) -> None:
        self.load(name, data)
        self.page.wait_for_selector(f'html[data-table="{name}"]', state="attached")

    def tick(self, columns: list[str]) -> None:
        """Exactly these columns are features."""
        for box in self.page.locator("#profile-body input[type=checkbox]").all():
            box.set_checked(box.get_attribute("value") in columns)

    def still_works(self) -> None:
        """A good table loads, and PCA fits on it and shows results."""
        self.count += 1
        name = f"good_{self.count}.csv"
        self.load_ok(name, numeric_csv(60, ["u", "v", "w"]))
        self.page.select_option("#label-column", "")
        choose_detectors(self.page, ["pca"])
        assert fit(self.page) == "done", shown_errors(self.page)
        wait_results(self.page)


@pytest.fixture(scope="module")
def battery(browser, site_url: str, tmp_path_factory) -> Iterator[Battery]:  # type: ignore[no-untyped-def]
    context = browser.new_context(accept_downloads=True)
    guard = Guard(site_url.rstrip("/"))  # the same off-origin check as every page fixture
    context.route("**/*", guard.route)
    page = context.new_page()
    b = Battery(page, tmp_path_factory.mktemp("bad_input"))
    page.on("console", lambda m: b.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: b.errors.append(str(exc)))
    page.goto(f"{site_url}data.html")
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    yield b
    context.close()
    assert not guard.offsite, guard.offsite
    assert not b.errors, b.errors


MB = 2**20
LOAD_CASES = {
    # name: (file name, bytes, substrings the message must hold)
    "binary file": ("blob.csv", bytes(range(256)) * 8, ["blob.csv", "not a text file"]),
    "UTF-16 file": ("wide.csv", "a,b\n1,2\n3,4\n".encode("utf-16"), ["wide.csv", "UTF-16"]),
    "ragged row": ("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n", ["line 3", "2 fields", "3"]),
    "empty file": ("empty.csv", b"", ["empty.csv", "empty"]),
    "duplicate header names": ("dup.csv", "a,b,a\n1,2,3\n4,5,6\n", ["duplicate", "'a'"]),
    "infinite value": ("inf.csv", "a,b\n1,2\ninf,3\n4,5\n", ["line 3", "'a'", "infinite"]),
    "absurd magnitude": ("huge.csv", "a,b\n1,2\n3,1e300\n4,5\n", ["line 3", "'b'", "1e15"]),
    "too many columns": (
        "wide_cols.csv",
        ",".join(f"c{i}" for i in range(LIMITS["max_columns"] + 1)) + "\n"
        + ",".join("1" for _ in range(LIMITS["max_columns"] + 1)) + "\n",
        [f"{LIMITS['max_columns'] + 1} columns", f"limit is {LIMITS['max_columns']}"],
    ),
    "too many rows": (
        "long.csv",
        b"a,b\n" + b"1,2\n" * (LIMITS["max_rows"] + 1),
        [f"{LIMITS['max_rows'] + 1:,} data rows", f"{LIMITS['max_rows']:,} rows"],
    ),
}


@pytest.mark.parametrize("case", list(LOAD_CASES))
def test_bad_file_names_the_problem(battery: Battery, case: str) -> None:
    name, data, needles = LOAD_CASES[case]
    battery.load(name, data)
    error = battery.page.locator("#load-error")
    expect(error).to_be_visible()
    for needle in needles:
        expect(error).to_contain_text(needle)
    battery.still_works()


def test_file_over_the_size_limit_is_refused_before_reading(battery: Battery) -> None:
    limit = LIMITS["max_bytes"]
    path = battery.folder / "big.csv"
    with path.open("wb") as f:  # a sparse file: its size is over the limit, nothing to write
        f.truncate(limit + MB)
    battery.page.set_input_files("#file-input", str(path))
    error = battery.page.locator("#load-error")
    expect(error).to_contain_text("big.csv")
    expect(error).to_contain_text(f"{limit:,} bytes")  # the limit, from Python's schema
    expect(error).to_contain_text("Nothing was read")
    battery.still_works()


def fit_message(battery: Battery) -> str:
    assert fit(battery.page) == "failed"
    return shown_errors(battery.page)


def test_single_row(battery: Battery) -> None:
    battery.load_ok("one_row.csv", "a,b\n1,2\n")
    battery.tick(["a", "b"])
    message = fit_message(battery)
    assert "at least 2 rows" in message and "got 1" in message, message
    battery.still_works()


def test_single_column_is_allowed(battery: Battery) -> None:
    values = "\n".join(f"{v:.3f}" for v in RNG.normal(size=40))
    battery.load_ok("one_col.csv", f"a\n{values}\n")
    battery.tick(["a"])
    choose_detectors(battery.page, ["pca", "ecod"])
    assert fit(battery.page) == "done", shown_errors(battery.page)
    wait_results(battery.page)
    expect(battery.page.locator("#results-table tbody tr")).to_have_count(2)


def test_all_constant_features(battery: Battery) -> None:
    battery.load_ok("constant.csv", "a,b\n" + "1,2\n" * 30)
    battery.tick(["a", "b"])
    message = fit_message(battery)
    assert "constant" in message and "'a'" in message and "'b'" in message, message
    battery.still_works()


def test_label_column_with_one_class(battery: Battery) -> None:
    rows = "".join(f"{a:.3f},{b:.3f},0\n" for a, b in RNG.normal(size=(40, 2)))
    battery.load_ok("one_class.csv", "a,b,y\n" + rows)
    battery.page.select_option("#label-column", "y")
    battery.page.check('#anomaly-checks input[value="0"]')
    battery.tick(["a", "b"])
    message = fit_message(battery)
    assert "'y'" in message and "one class" in message, message
    battery.still_works()


def test_anomaly_value_not_present(battery: Battery, site_url: str) -> None:
    page = battery.page
    page.goto(f"{site_url}data.html#ex=breast_cancer&label=diagnosis&a=cancerous")
    page.reload()  # a new hash alone does not reload the page; the link is read at start
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    page.wait_for_selector('html[data-table="breast_cancer.csv"]', state="attached")
    expect(page.locator("#notice")).to_contain_text("“cancerous”")
    expect(page.locator("#notice")).to_contain_text("label column")
    battery.still_works()


def test_window_longer_than_the_series(battery: Battery) -> None:
    page = battery.page
    battery.load_ok("short_series.csv", numeric_csv(50, ["a", "b"]))
    battery.tick(["a"])
    page.check('input[name=mode][value="series"]')
    page.fill("#window-length", "80")
    page.fill("#window-stride", "1")
    message = fit_message(battery)
    assert "window of 80 rows" in message and "series of 50 rows" in message, message
    battery.still_works()


def test_no_features_chosen(battery: Battery) -> None:
    battery.load_ok("no_features.csv", numeric_csv(40, ["a", "b"]))
    battery.tick([])
    message = fit_message(battery)
    assert "features" in message and "at least one" in message, message
    battery.still_works()


def test_label_column_chosen_as_a_feature(battery: Battery) -> None:
    battery.load_ok("label_feature.csv", numeric_csv(60, ["a", "b"], label="y"))
    battery.page.select_option("#label-column", "y")
    battery.page.check('#anomaly-checks input[value="1"]')
    battery.tick(["a", "b", "y"])
    message = fit_message(battery)
    assert "'y'" in message and "also chosen as a feature" in message, message
    battery.still_works()


def test_threshold_rule_parameter_out_of_bounds(battery: Battery) -> None:
    page = battery.page
    battery.load_ok("recall.csv", numeric_csv(60, ["a", "b"], label="y"))
    page.select_option("#label-column", "y")
    page.check('#anomaly-checks input[value="1"]')
    battery.tick(["a", "b"])
    page.select_option("#rule", "recall")
    page.fill('#rule-params input[data-rule-param="value"]', "5")
    message = fit_message(battery)
    assert "recall" in message and "between 0.01 and 1" in message and "got 5" in message, message
    battery.still_works()


def test_missing_seed(battery: Battery) -> None:
    battery.load_ok("seed.csv", numeric_csv(40, ["a", "b"]))
    battery.page.fill("#seed", "")
    battery.page.click("#fit")
    battery.page.wait_for_selector("html:not([data-fit=running])", state="attached")
    error = battery.page.locator('[data-error-for~="seed"]')
    expect(error).to_contain_text("seed must be a whole number")
    battery.still_works()


def test_more_categories_than_the_cap(battery: Battery) -> None:
    cap = LIMITS["onehot_cap"]
    rows = [f"{v:.3f},cat{i % (cap + 10)}" for i, v in enumerate(RNG.normal(size=300))]
    battery.load_ok("categories.csv", "a,c\n" + "\n".join(rows) + "\n")
    expect(battery.page.locator('#profile-body tr[data-column="c"]')).to_contain_text("categorical")
    battery.tick(["a", "c"])
    choose_detectors(battery.page, ["pca"])
    # the stated behaviour: the top categories get a column each, the rest share "other"
    assert fit(battery.page) == "done", shown_errors(battery.page)
    wait_results(battery.page)
    expect(battery.page.locator("#top-table .contributions li").first).to_be_visible()


def test_cancelling_mid_fit_keeps_the_finished_detectors(battery: Battery) -> None:
    page = battery.page
    battery.load_ok("slow.csv", numeric_csv(20_000, [f"x{i}" for i in range(8)]))
    choose_detectors(page, ["pca", "autoencoder"])
    page.fill('#detectors input[data-kind="autoencoder"][data-param="epochs"]', "200")
    if not page.locator("#seed").input_value():
        page.fill("#seed", "0")
    page.click("#fit")
    expect(page.locator("#fit-status")).to_contain_text("autoencoder", timeout=120_000)
    page.click("#cancel")
    page.wait_for_selector("html[data-fit=cancelled]", state="attached", timeout=120_000)
    expect(page.locator("#fit-status")).to_contain_text("Cancelled")
    expect(page.locator("#fit-status")).to_contain_text("PCA")
    page.wait_for_selector("#results[data-state=shown]", state="attached")
    expect(page.locator("#results-kept")).to_contain_text("cancelled")
    expect(page.locator("#results-table tbody tr")).to_have_count(1)
    choose_detectors(page, ["pca", "ecod"])  # and it can fit again
    assert fit(page) == "done", shown_errors(page)
    wait_results(page)
    expect(page.locator("#results-table tbody tr")).to_have_count(2)


def exported_model(battery: Battery, name: str) -> list[Path]:
    """Fit PCA on a table with columns a, b, c and download its two files."""
    page = battery.page
    battery.load_ok("model_source.csv", numeric_csv(60, ["a", "b", "c"]))
    choose_detectors(page, ["pca"])
    assert fit(page) == "done", shown_errors(page)
    wait_results(page)
    page.fill("#export-name", name)
    files = []
    for which in ("json", "npz"):
        with page.expect_download() as info:
            page.click(f"#export-{which}")
        target = battery.folder / f"{name}.{which}"
        info.value.save_as(target)
        files.append(target)
    return files


def test_model_whose_features_are_missing(battery: Battery) -> None:
    files = exported_model(battery, "abc_model")
    battery.still_works()  # now the table has columns u, v, w
    battery.page.set_input_files("#model-upload", [str(f) for f in files])
    status = battery.page.locator("#model-upload-status")
    expect(status).to_contain_text("no column 'a'")
    expect(status).to_have_class("use-status problem")
    battery.still_works()


def test_malformed_model_manifest(battery: Battery) -> None:
    files = exported_model(battery, "broken_model")
    files[0].write_text("{not json")
    battery.page.set_input_files("#model-upload", [str(f) for f in files])
    status = battery.page.locator("#model-upload-status")
    expect(status).to_contain_text("manifest is not valid JSON")
    battery.still_works()


def test_model_upload_needs_both_files(battery: Battery) -> None:
    files = exported_model(battery, "half_model")
    battery.page.set_input_files("#model-upload", str(files[1]))
    expect(battery.page.locator("#model-upload-status")).to_contain_text("exactly two files")
    manifest = json.loads(files[0].read_text())
    assert manifest["table"]["features"] == ["a", "b", "c"]  # what the upload repeats
    battery.still_works()
