"""The one surface the browser worker calls: ``dispatch(request_type, payload)``.

- :mod:`.core`: the envelope (:func:`dispatch`, :func:`encode`), the handler registry and the
  validation of page input;
- :mod:`.state`: :class:`State`, everything the worker keeps between requests;
- :mod:`.schema`: the ``schema`` request (defaults, bounds, names, labels, metric definitions);
- :mod:`.loading`: loading data sets and models;
- :mod:`.ecg_lab` (and :mod:`.ecg_errors`), :mod:`.stream` (and :mod:`.stream_detail`),
  :mod:`.training`: each page's handlers;
- :mod:`.tables` and :mod:`.tables_output`: the "Your data" page's handlers.

The page modules import :mod:`.core` and register their handlers with ``@handler`` when they
are imported. They are imported lazily: :data:`REQUESTS` says which module registers which
request, and :func:`~anomascope.api.core.dispatch` imports a module on the first request it
serves, so a page's boot pays only for the modules it uses (the ECG lab never imports the
table fitting or the stream). A unit test checks this table against what the modules register.
The submodules are also attributes of this package on first use (``api.stream``). Nothing here
imports ``js`` or ``pyodide``: the worker converts values at the boundary.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from anomascope.api import core
from anomascope.api.core import HANDLERS, dispatch, encode
from anomascope.api.state import State

#: Module of this package -> the requests it registers with ``@handler``.
REQUESTS: dict[str, tuple[str, ...]] = {
    "schema": ("schema",),
    "loading": ("load_dataset", "load_model"),
    "ecg_lab": (
        "score_split", "inspect_beat", "explorer", "threshold_metrics", "threshold_preset",
        "upload_beats", "normalise_upload", "user_scores", "draw_beat", "time_inference",
        "training_replay", "explainer",
    ),
    "ecg_errors": ("explorer_cell",),
    "stream": ("stream_order", "score_stream"),
    "stream_detail": ("stream_connection",),
    "training": (
        "train_start", "train_check", "train_step", "train_reset", "train_export",
        "train_activate", "train_upload",
    ),
    "tables": (
        "table_load", "table_fit_start", "table_fit_step", "table_fit_cancel", "table_results",
        "table_explorer",
    ),
    "tables_output": (
        "table_export_model", "table_upload_model", "table_export_csv", "table_top",
        "table_series",
    ),
}
core.PROVIDERS.update({request: module for module, names in REQUESTS.items() for request in names})

#: Every submodule, importable as an attribute of this package (PEP 562).
SUBMODULES = frozenset(
    {*REQUESTS, "core", "state", "tables_model", "tables_requests", "tables_session"}
)


def __getattr__(name: str) -> ModuleType:
    if name in SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["HANDLERS", "REQUESTS", "State", "core", "dispatch", "encode"]
