"""The train page's model upload: a model whose name is already kept in this browser is replaced
only when the user says so."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

MODELS = Path(__file__).resolve().parents[2] / "models"


def model_files(folder: Path, name: str) -> list[Path]:
    """The committed ECG autoencoder's files under another name (not a built-in one)."""
    folder.mkdir()
    manifest = json.loads((MODELS / "ecg_autoencoder.json").read_text())
    manifest["name"] = name
    (folder / f"{name}.json").write_text(json.dumps(manifest))
    (folder / f"{name}.npz").write_bytes((MODELS / "ecg_autoencoder.npz").read_bytes())
    return [folder / f"{name}.json", folder / f"{name}.npz"]


def test_uploading_under_a_kept_name_asks_before_replacing(  # type: ignore[no-untyped-def]
    open_page, tmp_path: Path
) -> None:
    page = open_page("train.html")
    status = page.locator("#upload-status")
    files = model_files(tmp_path / "a", "my_upload")
    page.set_input_files("#upload", files)
    expect(status).to_contain_text("Loaded “my_upload”")  # a new name: no question
    expect(page.locator("#stored")).to_contain_text("my_upload")

    page.set_input_files("#upload", files)
    expect(status).to_contain_text("already kept in this browser")
    expect(page.locator("#replace-no")).to_be_focused()
    page.click("#replace-no")
    expect(status).to_contain_text("Kept the “my_upload” already in this browser")

    page.set_input_files("#upload", files)
    page.click("#replace-yes")
    expect(status).to_contain_text("Loaded “my_upload”")
    expect(page.locator("#stored li")).to_have_count(1)
