"""The ``schema`` request: every rule the pages need, from the Python constants that enforce
it, so no default, bound, name rule, label or metric definition is written again in
JavaScript. The worker asks once at boot and hands the answer to the page in ``hello``; a page
that needs only some sections asks for those (``{"sections": [...]}``), and the modules behind
the others (the table parser and fitting, the training configuration) are not imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anomascope import AnomascopeError
from anomascope.api.core import handler
from anomascope.api.state import State
from anomascope.detectors import KIND_LABELS, KIND_ORDER
from anomascope.metrics import METRIC_DEFINITIONS, METRIC_ORDER
from anomascope.weights import NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE

#: The longest chunk of training one ``train_step`` request may ask for.
TRAIN_MAX_MS = 5_000


def schema() -> dict[str, Any]:
    """The answer of the ``schema`` request (plain JSON values).

    ``training``: the train page's ``defaults``, ``fields`` (label, kind and bounds of every
    setting: exactly what :func:`anomascope.training.validate_config` enforces),
    ``max_parameters`` and ``max_step_ms``. ``model_name``: the name rule. ``kinds``: order
    and labels of the model kinds. ``metrics``: order of the threshold metrics the panels show
    and the definitions of those and of ``auc`` and ``ap``. ``tables``: the data page's rules
    (:func:`tables_schema`).
    """
    return {name: section() for name, section in SECTIONS.items()}


def training_schema() -> dict[str, Any]:
    """The train page's settings (see :func:`schema`)."""
    from anomascope.training import config

    return {**config.schema(), "max_step_ms": TRAIN_MAX_MS}


def tables_schema() -> dict[str, Any]:
    """The "Your data" page's rules: file ``limits`` and ``missing_markers`` of the parser;
    the table detectors (``kinds``: order, labels and every parameter's label, kind, bounds and
    default); the ``threshold_rules`` (label, whether it needs labels, parameters); the
    ``split`` fractions and default seed; the ``supervision`` choices; the ``window`` minimums;
    and the ``examples`` (id, title, description, source, file, settings)."""
    from anomascope.api.tables_requests import THRESHOLD_RULES, WINDOW_BOUNDS
    from anomascope.detectors.fitting import TABLE_KINDS, TABLE_PARAMS
    from anomascope.evaluation import SPLIT, SUPERVISION
    from anomascope.tables import LIMITS, MISSING_MARKERS
    from anomascope.tables.examples import EXAMPLES

    return {
        "limits": dict(LIMITS),
        "missing_markers": list(MISSING_MARKERS),
        "kinds": {
            "order": list(TABLE_KINDS),
            "labels": {k: dict(KIND_LABELS[k]) for k in TABLE_KINDS},
            "params": {k: {p: dict(v) for p, v in ps.items()} for k, ps in TABLE_PARAMS.items()},
        },
        "threshold_rules": {k: dict(v) for k, v in THRESHOLD_RULES.items()},
        "split": dict(SPLIT),
        "supervision": [{"id": k, **v} for k, v in SUPERVISION.items()],
        "window": {k: dict(v) for k, v in WINDOW_BOUNDS.items()},
        "examples": [dict(e) for e in EXAMPLES],
    }


#: The sections of :func:`schema`, each built by its own function.
SECTIONS: dict[str, Callable[[], dict[str, Any]]] = {
    "training": training_schema,
    "model_name": lambda: {
        "pattern": NAME_PATTERN,
        "max_length": NAME_MAX_LENGTH,
        "message": NAME_RULE,
    },
    "kinds": lambda: {
        "order": list(KIND_ORDER),
        "labels": {k: dict(KIND_LABELS[k]) for k in KIND_ORDER},
    },
    "metrics": lambda: {
        "order": list(METRIC_ORDER),
        "definitions": {k: dict(v) for k, v in METRIC_DEFINITIONS.items()},
    },
    "tables": tables_schema,
}


@handler("schema")
def schema_request(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Reply :func:`schema`, or only the ``sections`` the payload lists (names of
    :data:`SECTIONS`); an empty payload asks for every section."""
    if "sections" not in payload:
        return schema()
    names = payload["sections"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise AnomascopeError("sections must be a list of section names", "sections")
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise AnomascopeError(
            f"unknown schema sections {unknown}; known: {', '.join(SECTIONS)}", "sections"
        )
    return {name: SECTIONS[name]() for name in names}
