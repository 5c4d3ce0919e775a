"""The request registry: each page module is imported on its first request, and the package's
table of requests says exactly what each module registers."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from anomascope import api
from anomascope.api import core

PAGE_MODULES = ("ecg_lab", "stream", "stream_detail", "training", "tables", "tables_output")


def test_the_table_names_exactly_what_each_module_registers() -> None:
    for module in api.REQUESTS:
        importlib.import_module(f"anomascope.api.{module}")
    registered: dict[str, set[str]] = {}
    for name, fn in core.HANDLERS.items():
        if fn.__module__.startswith("anomascope.api."):
            registered.setdefault(fn.__module__.rsplit(".", 1)[1], set()).add(name)
    assert registered == {module: set(names) for module, names in api.REQUESTS.items()}
    assert set(core.PROVIDERS) == set().union(*registered.values())


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (nothing imported yet); its last line prints JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_api_and_asking_the_schema_loads_no_page_handlers() -> None:
    seen = _fresh(
        "import json, sys\n"
        "from anomascope.api import dispatch\n"
        "reply = dispatch('schema', {})\n"
        f"print(json.dumps({{'ok': reply['ok'], 'loaded': [m for m in {list(PAGE_MODULES)!r}"
        " if 'anomascope.api.' + m in sys.modules]}))"
    )
    assert seen == {"ok": True, "loaded": []}


def test_a_request_loads_its_module_on_first_use_and_unknown_names_still_fail() -> None:
    seen = _fresh(
        "import json, sys\n"
        "from anomascope.api import dispatch\n"
        "reply = dispatch('score_split', {})\n"
        "loaded = {m: 'anomascope.api.' + m in sys.modules for m in ('ecg_lab', 'tables')}\n"
        "unknown = dispatch('no_such_request', {})\n"
        "print(json.dumps({**loaded, 'error': reply['error']['message'],"
        " 'unknown': unknown['error']['message']}))"
    )
    # the lab's module answered (with its own input error), and only it was loaded for it
    assert seen["ecg_lab"] and not seen["tables"]
    assert seen["error"] == "missing field 'model'"
    assert seen["unknown"] == "unknown request type 'no_such_request'"


def test_submodules_are_attributes_of_the_package() -> None:
    assert api.stream.STREAM == "kdd_stream"
    assert api.loading.load_model_request is core.HANDLERS["load_model"]


def test_the_schema_answers_the_sections_a_page_asks_for() -> None:
    full = api.dispatch("schema", {})["result"]
    some = api.dispatch("schema", {"sections": ["kinds", "metrics"]})["result"]
    assert some == {"kinds": full["kinds"], "metrics": full["metrics"]}
    bad = api.dispatch("schema", {"sections": ["kinds", "colours"]})["error"]
    assert bad["field"] == "sections" and "colours" in bad["message"]
    assert api.dispatch("schema", {"sections": "kinds"})["error"]["field"] == "sections"


def test_the_labs_schema_sections_load_neither_tables_nor_training() -> None:
    seen = _fresh(
        "import json, sys\n"
        "from anomascope.api import dispatch\n"
        "reply = dispatch('schema', {'sections': ['kinds', 'metrics', 'model_name']})\n"
        "print(json.dumps({'ok': reply['ok'], 'loaded': [m for m in"
        " ('anomascope.tables', 'anomascope.training', 'anomascope.api.tables_requests')"
        " if m in sys.modules]}))"
    )
    assert seen == {"ok": True, "loaded": []}
