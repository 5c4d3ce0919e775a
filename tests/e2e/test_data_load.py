"""The "Your data" page, load side: every example loads through the same path as a user's file
and its profile agrees with numpy on the same file; a generated CSV with semicolons, decimal
commas, a BOM and missing cells; a bad file shows Python's message and the page keeps working;
the settings survive a reload through the URL hash; and the time-series mode finds a spike
injected into a sine series (the shaded span holds the spike's row)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote

import numpy as np
import pytest
from a11y_checks import assert_axe_clean, tab_to, walk_focus
from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, DIST, READY

from anomascope.tables.examples import EXAMPLES

FIT_TIMEOUT_MS = 120_000


@pytest.fixture
def data_page(page, guard, site_url: str):  # type: ignore[no-untyped-def]
    """Open data.html with a hash; fails on console errors at teardown (like ``app``)."""
    page.on("console", lambda msg: guard.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))

    def open_page(hash_: str = ""):  # type: ignore[no-untyped-def]
        page.goto(f"{site_url}data.html{hash_}")
        page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
        return page

    yield open_page
    assert not guard.errors, f"console errors: {guard.errors}"


def wait_table(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f'html[data-table="{name}"]', state="attached", timeout=60_000)
    expect(page.locator("#load")).to_have_attribute("data-busy", "false")


def profile_row(page, column: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#profile-body tr[data-column="{column}"]')


def numpy_profile(data: bytes) -> tuple[int, dict[str, str]]:
    """Rows, and for each column whether numpy reads every non-missing cell as a number."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    kinds = {}
    for j, name in enumerate(header):
        cells = [r[j] for r in body if r[j] not in ("", "NA")]
        try:
            np.asarray(cells, dtype=np.float64)
            kinds[name] = "number"
        except ValueError:
            kinds[name] = "text"
    return len(body), kinds


def fit_and_wait(page, state: str = "done") -> None:  # type: ignore[no-untyped-def]
    page.click("#fit")
    page.wait_for_selector(f'html[data-fit="{state}"]', state="attached", timeout=FIT_TIMEOUT_MS)


def test_every_example_loads_and_its_profile_matches_numpy(data_page) -> None:  # type: ignore[no-untyped-def]
    page = data_page()
    for example in EXAMPLES:
        page.click(f'button[data-example="{example["id"]}"]')
        wait_table(page, example["file"].rsplit("/", 1)[1])
        n_rows, kinds = numpy_profile((DIST / example["file"]).read_bytes())
        expect(page.locator("#table-summary")).to_contain_text(f"{n_rows:,} rows")
        assert page.locator("#profile-body tr").count() == len(kinds)
        settings = example["settings"]
        label = settings["label_column"]
        expect(profile_row(page, label)).to_have_attribute("data-type", "categorical")
        assert kinds[label] == "text"
        numeric = [c for c in settings["features"] or kinds if kinds[c] == "number"]
        expect(profile_row(page, numeric[0])).to_have_attribute("data-type", "numeric")
        # The example's settings are applied.
        expect(page.locator("#label-column")).to_have_value(label)
        checked = page.locator("#anomaly-checks input:checked")
        assert sorted(checked.evaluate_all("els => els.map(e => e.value)")) == sorted(
            settings["anomaly_values"]
        )
        expect(page.locator(f'input[name=mode][value={settings["mode"]}]')).to_be_checked()
        ticked = page.locator("#profile-body input:checked").evaluate_all(
            "els => els.map(e => e.value)"
        )
        assert label not in ticked
        if settings["features"]:
            assert ticked == settings["features"]
        if settings["window"]:
            expect(page.locator("#window-length")).to_have_value(str(settings["window"]["length"]))
        assert f"ex={example['id']}" in page.url


def test_kdd_example_marks_constant_columns_and_keeps_categoricals(data_page) -> None:  # type: ignore[no-untyped-def]
    page = data_page("#ex=kdd_connections")
    wait_table(page, "kdd_connections.csv")
    for column in ("protocol_type", "service", "flag"):
        expect(profile_row(page, column)).to_have_attribute("data-type", "categorical")
        expect(profile_row(page, column).locator("input")).to_be_checked()
    constant = profile_row(page, "num_outbound_cmds")  # 0 in every row of the 10% file
    expect(constant).to_have_attribute("data-type", "constant")
    expect(constant.locator("input")).not_to_be_checked()
    expect(constant).to_contain_text("starts unticked")


def test_generated_csv_semicolons_decimal_commas_bom_and_missing_cells(  # type: ignore[no-untyped-def]
    data_page, tmp_path: Path
) -> None:
    rng = np.random.default_rng(3)
    lines = ["height;weight;colour;note"]
    missing = {"height": 0, "weight": 0}
    for i in range(60):
        h = "" if i % 10 == 3 else f"{150 + rng.random() * 40:.2f}".replace(".", ",")
        w = "NA" if i % 15 == 4 else f"{50 + rng.random() * 30:.1f}".replace(".", ",")
        missing["height"] += h == ""
        missing["weight"] += w == "NA"
        lines.append(f"{h};{w};{['red', 'green', 'blue'][i % 3]};row {i}")
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode())
    page = data_page()
    page.set_input_files("#file-input", str(path))
    wait_table(page, "people.csv")
    summary = page.locator("#table-summary")
    expect(summary).to_contain_text("60 rows × 4 columns")
    expect(summary).to_contain_text("semicolon-separated")
    expect(summary).to_contain_text("decimal comma")
    expect(profile_row(page, "height")).to_have_attribute("data-type", "numeric")  # no BOM in it
    expect(profile_row(page, "colour")).to_have_attribute("data-type", "categorical")
    expect(profile_row(page, "note")).to_have_attribute("data-type", "identifier")
    for column, count in missing.items():
        expect(profile_row(page, column).locator("td").nth(2)).to_have_text(str(count))
    heights = [float(x.split(";")[0].replace(",", ".")) for x in lines[1:] if x.split(";")[0]]
    # The range as numpy reads it, to the 4 significant digits the page shows.
    low, high = np.min(heights), np.max(heights)
    expect(profile_row(page, "height").locator("td").nth(3)).to_have_text(f"{low:.4g} … {high:.4g}")


def test_a_label_column_with_38_values_like_kdd_corrected(  # type: ignore[no-untyped-def]
    data_page, tmp_path: Path
) -> None:
    """KDD's corrected file has 38 labels: the column is offered, "All but the most common"
    ticks every attack type, and the detectors fit with labelled results."""
    rng = np.random.default_rng(38)
    labels = ["normal"] * 600 + [f"attack{k:02d}" for k in range(37) for _ in range(4)]
    lines = ["size,rate,label"]
    for label in labels:
        shift = 0.0 if label == "normal" else 6.0
        lines.append(f"{rng.normal(shift):.4f},{rng.normal(shift):.4f},{label}")
    path = tmp_path / "corrected_like.csv"
    path.write_text("\n".join(lines) + "\n")
    page = data_page("#det=ecod")
    page.set_input_files("#file-input", str(path))
    wait_table(page, "corrected_like.csv")
    page.select_option("#label-column", "label")
    boxes = page.locator("#anomaly-checks input[type=checkbox]")
    expect(boxes).to_have_count(38)
    page.click("#anomaly-all-but-first")
    checked = page.locator("#anomaly-checks input:checked")
    expect(checked).to_have_count(37)
    expect(page.locator("#anomaly-count")).to_have_text("37 of 38 ticked")
    assert "normal" not in checked.evaluate_all("els => els.map(e => e.value)")
    expect(page.locator("#anomaly-checks input[value=normal]")).not_to_be_checked()
    fit_and_wait(page)
    auc = page.locator('#results-table tr[data-kind="ecod"] td[data-col="auc"]')
    assert float(auc.get_attribute("data-value") or "nan") > 0.9  # attacks are 20 % of the fit rows
    page.click("#anomaly-none")
    expect(checked).to_have_count(0)
    expect(page.locator("#anomaly-count")).to_have_text("0 of 38 ticked")


def test_a_bad_file_shows_its_message_and_the_table_stays(data_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = data_page("#ex=breast_cancer&det=pca")
    wait_table(page, "breast_cancer.csv")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    page.set_input_files("#file-input", str(ragged))
    error = page.locator("#load-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"\b3\b"))  # the file line of the short row
    expect(page.locator("html")).to_have_attribute("data-table", "breast_cancer.csv")
    expect(page.locator("#table-summary")).to_contain_text("569 rows")
    fit_and_wait(page)  # the previous table is still the one Python fits
    expect(page.locator("#fit-status")).to_contain_text("Fitted")
    expect(page.locator("#results")).to_be_visible()
    # Python's message about one setting goes next to its control.
    page.fill("#seed", "1.5")
    page.click("#fit")
    seed_error = page.locator('[data-error-for~="seed"]')
    expect(seed_error).to_be_visible()
    expect(seed_error).to_contain_text("seed")
    expect(page.locator("#seed")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#fit-error")).to_be_hidden()
    page.fill("#seed", "2")
    fit_and_wait(page)
    expect(seed_error).to_be_hidden()
    # A good file afterwards clears the message.
    good = tmp_path / "good.csv"
    good.write_text("x,y\n" + "\n".join(f"{i},{i * i % 7}" for i in range(30)) + "\n")
    page.set_input_files("#file-input", str(good))
    wait_table(page, "good.csv")
    expect(error).to_be_hidden()


def test_settings_survive_a_reload_through_the_hash(data_page) -> None:  # type: ignore[no-untyped-def]
    page = data_page(
        "#ex=breast_cancer&det=pca&det=iforest&iforest.n_trees=40&sup=semi_supervised"
        "&rule=recall&rule.value=0.8&seed=11&label=diagnosis&a=malignant"
    )
    wait_table(page, "breast_cancer.csv")
    checked = page.locator("#detectors input[type=checkbox]:checked")
    assert checked.evaluate_all("els => els.map(e => e.value)") == ["pca", "iforest"]
    expect(page.locator('input[data-kind=iforest][data-param="n_trees"]')).to_have_value("40")
    expect(page.locator("#rule")).to_have_value("recall")
    expect(page.locator("#rule-params input")).to_have_value("0.8")
    expect(page.locator("#seed")).to_have_value("11")
    expect(page.locator("input[name=supervision][value=semi_supervised]")).to_be_checked()
    # Change settings on the page: the hash follows, and a reload restores them.
    page.fill("#seed", "12")
    page.dispatch_event("#seed", "change")
    page.locator('#profile-body tr[data-column="mean area"] input').uncheck()
    page.select_option("#rule", "best_f1")
    expect(page).to_have_url(re.compile(r"seed=12"))
    url = page.url
    link = parse_qs(url.split("#", 1)[1])
    assert "mean area" not in link["f"] and "mean radius" in link["f"]
    assert "17.99" not in unquote(url)  # settings only: no cell of the file is in the link
    page.goto("about:blank")
    page = data_page("#" + url.split("#", 1)[1])
    wait_table(page, "breast_cancer.csv")
    expect(page.locator("#seed")).to_have_value("12")
    expect(page.locator("#rule")).to_have_value("best_f1")
    expect(page.locator('#profile-body tr[data-column="mean area"] input')).not_to_be_checked()
    expect(page.locator('#profile-body tr[data-column="mean radius"] input')).to_be_checked()
    assert page.url == url


def test_series_mode_finds_an_injected_spike(data_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    n, spike = 3000, 2222
    t = np.arange(n)
    value = np.sin(2 * np.pi * t / 50) + 0.05 * np.random.default_rng(0).standard_normal(n)
    value[spike] += 6.0
    path = tmp_path / "sine.csv"
    path.write_text("t,value\n" + "\n".join(f"{i},{v:.5f}" for i, v in enumerate(value)) + "\n")
    page = data_page()
    page.set_input_files("#file-input", str(path))
    wait_table(page, "sine.csv")
    page.check("input[name=mode][value=series]")
    expect(page.locator("#window-fields")).to_be_visible()
    page.select_option("#order-column", "t")
    page.fill("#window-length", "50")
    page.fill("#window-stride", "10")
    for box in page.locator("#detectors input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") == "pca")
    page.select_option("#rule", "contamination")
    page.fill("#rule-params input", "1")
    fit_and_wait(page)
    series = page.locator("#series")
    expect(series).to_be_visible()
    spans = page.locator('#series-legend li[data-kind="pca"]').get_attribute("data-spans") or ""
    pairs = [tuple(map(int, s.split("-"))) for s in spans.split(",") if s]
    assert pairs and any(a <= spike < b for a, b in pairs), pairs
    assert sum(b - a for a, b in pairs) < n / 10  # the spike, not the whole series
    # Zoom and pan by keyboard and buttons; Home resets.
    canvas = page.locator("#series-canvas")
    expect(canvas).to_have_attribute("data-view", f"0:{n}")
    canvas.focus()
    page.keyboard.press("+")
    zoomed = canvas.get_attribute("data-view") or ""
    a, b = map(int, zoomed.split(":"))
    assert b - a < n
    page.keyboard.press("ArrowRight")
    a2, b2 = map(int, (canvas.get_attribute("data-view") or "").split(":"))
    assert a2 > a and abs((b2 - a2) - (b - a)) <= 1
    page.keyboard.press("Home")
    expect(canvas).to_have_attribute("data-view", f"0:{n}")
    page.click("#zoom-in")
    expect(canvas).not_to_have_attribute("data-view", f"0:{n}")
    page.click("#zoom-reset")
    expect(canvas).to_have_attribute("data-view", f"0:{n}")


def test_load_choose_and_fit_by_keyboard_alone(data_page) -> None:  # type: ignore[no-untyped-def]
    page = data_page("#det=pca")  # settings of a link wait for a table, then apply
    assert_axe_clean(page, "data page, nothing loaded")
    tab_to(page, 'button[data-example="breast_cancer"]')
    page.keyboard.press("Enter")
    wait_table(page, "breast_cancer.csv")
    checked = page.locator("#detectors input[type=checkbox]:checked")
    assert checked.evaluate_all("els => els.map(e => e.value)") == ["pca"]
    assert_axe_clean(page, "data page, table loaded")
    walk_focus(page, "data page, table loaded")
    tab_to(page, '#profile-body tr[data-column="mean area"] input')
    page.keyboard.press("Space")
    expect(page.locator('#profile-body tr[data-column="mean area"] input')).not_to_be_checked()
    tab_to(page, "#fit")
    page.keyboard.press("Enter")
    page.wait_for_selector('html[data-fit="done"]', state="attached", timeout=FIT_TIMEOUT_MS)
    expect(page.locator("#fit-status")).to_contain_text("Fitted PCA")


def test_cancel_keeps_the_detectors_already_fitted(data_page) -> None:  # type: ignore[no-untyped-def]
    page = data_page("#ex=kdd_connections&det=pca&det=autoencoder&autoencoder.epochs=200")
    wait_table(page, "kdd_connections.csv")
    page.click("#fit")
    status = page.locator("#fit-status")
    expect(status).to_contain_text("fitting autoencoder", timeout=FIT_TIMEOUT_MS)
    expect(page.locator("#cancel")).to_be_enabled()
    page.click("#cancel")
    page.wait_for_selector('html[data-fit="cancelled"]', state="attached", timeout=FIT_TIMEOUT_MS)
    expect(page.locator("#fit-status")).to_contain_text("Cancelled: kept PCA")
    expect(page.locator("#fit")).to_be_enabled()
    expect(page.locator("#cancel")).to_be_disabled()
    expect(page.locator("#results")).to_be_visible()  # the kept detector's results
    page.locator("#detectors input[value=autoencoder]").uncheck()
    fit_and_wait(page)
    expect(page.locator("#fit-status")).to_contain_text("Fitted PCA.")
