"""Uploading beats that are not on ECG5000's scale: rows min-max scaled to [0, 1] (as
Anomagram's own files are) get a warning with the numbers and the offer to z-normalise each
row, which Python does; the beats are then scored again."""

from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import Page, expect


def test_min_max_scaled_upload_is_warned_and_z_normalised(app: Page) -> None:
    grid = app.locator("#beat-grid")
    expect(grid).to_be_visible()
    t = np.linspace(0, 2 * np.pi, 140)
    shape = np.sin(t) + 0.3 * np.sin(3 * t)
    rows = [(shape + 0.05 * k - (shape + 0.05 * k).min()) for k in range(3)]
    rows = [r / r.max() for r in rows]
    text = "\n".join(",".join(f"{v:.5f}" for v in r) for r in rows).encode()
    upload = app.locator("#upload-input")
    upload.set_input_files({"name": "minmax.csv", "mimeType": "text/csv", "buffer": text})
    warning = app.locator("#upload-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("3 of the 3 beats are not z-normalised")
    expect(warning).to_contain_text("means run from 0.")
    expect(app.locator("#readout-index")).to_have_text("your beat u0")
    score = app.locator("#readout-score")
    before = score.inner_text()
    fix = app.get_by_role("button", name="Z-normalise each row")
    fix.click()
    expect(warning).to_be_hidden()
    expect(app.locator("#upload-status")).to_contain_text("Z-normalised each of the 3 beats")
    # the beat shown was scored again on its new scale
    expect(app.locator("#readout-index")).to_have_text("your beat u0")
    expect(score).not_to_have_text(before)


def test_excel_export_and_semicolon_files(app: Page) -> None:
    upload = app.locator("#upload-input")
    row = ",".join(["1"] + ["0.25"] * 140)
    excel = f"{row},\r\n{row},\r\n".encode()
    upload.set_input_files({"name": "excel.csv", "mimeType": "text/csv", "buffer": excel})
    expect(app.locator("#upload-status")).to_contain_text("Read 2 beats from excel.csv")
    expect(app.locator("#upload-error")).to_be_hidden()
    semi = "a;b\n" + "\n".join(";".join(["0,5"] * 140) for _ in range(2))
    upload.set_input_files({"name": "de.csv", "mimeType": "text/csv", "buffer": semi.encode()})
    error = app.locator("#upload-error")
    expect(error).to_contain_text("semicolons with decimal commas")
    expect(error).not_to_contain_text("header line but no beats")


def test_stated_upload_limits_can_all_be_reached(app: Page) -> None:
    """A row limit is only stated when a file under the size limit can reach it: the
    smallest row is 140 one-digit values and their delimiters (280 bytes)."""
    hint = app.locator("#upload .hint").inner_text().replace(",", "")
    size = re.search(r"(\d+) MB", hint)
    assert size, hint
    rows = re.search(r"(\d+) rows", hint)
    if rows:
        assert int(rows.group(1)) * 280 <= int(size.group(1)) * 1024 * 1024, hint
