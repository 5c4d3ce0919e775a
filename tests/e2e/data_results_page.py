"""Driving the data page ("Your data") in the end-to-end tests of its results half and its
bad-input battery: load a file or an example, choose detectors, fit, and read what the page
says. Waits are on the page's own state attributes (``html[data-table]``, ``html[data-fit]``,
``#load[data-busy]``, ``#results[data-state]``, ``#results-explorer[data-pending]``)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
BREAST_CANCER = ROOT / "web" / "static" / "examples" / "breast_cancer.csv"
FIT_TIMEOUT_MS = 180_000


def load_file(page: Page, path: Path) -> None:
    """Choose ``path`` in the file picker and wait until the page has read it (or refused)."""
    page.set_input_files("#file-input", str(path))
    page.wait_for_selector("#load[data-busy=false]", state="attached")


def load_example(page: Page, example: str, table: str) -> None:
    """Load one of the page's examples and wait for its table (named ``table``)."""
    page.click(f"#examples button[data-example={example}]")
    page.wait_for_selector(f'html[data-table="{table}"]', state="attached")
    page.wait_for_selector("#load[data-busy=false]", state="attached")


def loaded_table(page: Page) -> str | None:
    return page.evaluate("document.documentElement.dataset.table ?? null")


def choose_detectors(page: Page, kinds: list[str]) -> None:
    for box in page.locator("#detectors input[type=checkbox][data-kind]").all():
        box.set_checked(box.get_attribute("data-kind") in kinds)


def fit(page: Page, timeout: float = FIT_TIMEOUT_MS) -> str:
    """Press Fit and wait until fitting ends; returns html[data-fit] (done/failed/cancelled)."""
    if not page.locator("#seed").input_value():
        page.fill("#seed", "0")
    page.click("#fit")
    page.wait_for_selector("html:not([data-fit=running])", state="attached", timeout=timeout)
    page.wait_for_selector("#fit:not([disabled])", state="attached", timeout=timeout)
    return str(page.evaluate("document.documentElement.dataset.fit"))


def wait_results(page: Page) -> None:
    """Wait until the results half shows a fit, its explorer settled and its top table filled."""
    page.wait_for_selector("#results[data-state=shown]", state="attached", timeout=FIT_TIMEOUT_MS)
    page.wait_for_selector("#results-explorer[data-pending=false]", state="attached")
    page.wait_for_selector("#top-table tbody tr", state="attached")


def shown_errors(page: Page) -> str:
    """Every problem message the page shows now (field errors, fit and load errors, notices)."""
    texts = page.evaluate(
        """() => [...document.querySelectorAll(
             '.field-error, #fit-error, #load-error, #notice, #results-problem, '
             + '#model-upload-status.problem, #export-status.problem')]
           .filter((e) => !e.hidden && e.offsetParent !== null)
           .map((e) => e.textContent.trim()).filter(Boolean)"""
    )
    return " | ".join(texts)
