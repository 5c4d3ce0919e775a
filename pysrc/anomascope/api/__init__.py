"""The one surface the browser worker calls: ``dispatch(request_type, payload)``.

- :mod:`.core`: the envelope (:func:`dispatch`, :func:`encode`), the handler registry and the
  validation of page input;
- :mod:`.state`: :class:`State`, everything the worker keeps between requests;
- :mod:`.schema`: the ``schema`` request (defaults, bounds, names, labels, metric definitions);
- :mod:`.loading`: loading data sets and models;
- :mod:`.ecg_lab`, :mod:`.stream`, :mod:`.training`: each page's handlers;
- :mod:`.tables` and :mod:`.tables_output`: the "Your data" page's handlers.

The page modules import :mod:`.core` and register their handlers on import; this package
imports them here so that every handler is registered. Nothing here imports ``js`` or
``pyodide``: the worker converts values at the boundary.
"""

from __future__ import annotations

from anomascope.api import (
    core,
    ecg_lab,
    loading,
    schema,
    stream,
    tables,
    tables_output,
    training,
)
from anomascope.api.core import HANDLERS, dispatch, encode
from anomascope.api.state import State

__all__ = [
    "HANDLERS",
    "State",
    "core",
    "dispatch",
    "ecg_lab",
    "encode",
    "loading",
    "schema",
    "stream",
    "tables",
    "tables_output",
    "training",
]
