"""The unit tests of the pure JavaScript modules (tests/js/*.test.mjs), run by Node's own test
runner so that they are part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_javascript_unit_tests_pass() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for the JavaScript unit tests (apt-get install nodejs)"
    files = sorted(str(p) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert files, "no JavaScript unit tests in tests/js"
    proc = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
