"""tests/js/fixtures/schema.json is the ``schema`` reply that the JavaScript unit tests
(tests/js/*.test.mjs) build the page's modules from; it must be exactly what Python answers
now, so the JS tests cannot drift from the rules they test. After a change to the schema,
regenerate it with ``python tests/unit/test_schema_fixture.py``."""

from __future__ import annotations

import json
from pathlib import Path

from anomascope.api import dispatch

FIXTURE = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "schema.json"


def current_schema_text() -> str:
    """The ``schema`` reply as the fixture holds it (JSON, one space indent)."""
    reply = dispatch("schema", {})
    assert reply["ok"], reply
    return json.dumps(reply["result"], indent=1) + "\n"


def test_the_js_schema_fixture_is_what_python_answers() -> None:
    regenerate = f"regenerate it with: python tests/unit/{Path(__file__).name}"
    assert FIXTURE.exists(), f"{FIXTURE} is missing; {regenerate}"
    out_of_date = f"{FIXTURE.name} is out of date; {regenerate}"
    assert FIXTURE.read_text() == current_schema_text(), out_of_date


if __name__ == "__main__":
    FIXTURE.write_text(current_schema_text())
    print(f"wrote {FIXTURE}")
