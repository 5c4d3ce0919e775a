"""The GitHub Pages workflow is valid YAML and publishes what `python3 build.py` builds."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "pages.yml"


def test_pages_workflow_builds_and_publishes_dist() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text())
    build_steps = flow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in build_steps]
    assert "python3 build.py" in runs
    upload = next(
        s for s in build_steps if s.get("uses", "").startswith("actions/upload-pages-artifact")
    )
    assert upload["with"]["path"] == "dist"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])
    assert flow["permissions"]["pages"] == "write"
