"""The ``schema`` request: every rule the pages need, from the Python constants that enforce
it, so no default, bound, name rule, label or metric definition is written again in
JavaScript. The worker asks once at boot and hands the answer to the page in ``hello``."""

from __future__ import annotations

from typing import Any

from anomascope.api.core import handler
from anomascope.api.state import State
from anomascope.detectors import KIND_LABELS, KIND_ORDER
from anomascope.metrics import METRIC_DEFINITIONS, METRIC_ORDER
from anomascope.training import config
from anomascope.weights import NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE

#: The longest chunk of training one ``train_step`` request may ask for.
TRAIN_MAX_MS = 5_000


def schema() -> dict[str, Any]:
    """The answer of the ``schema`` request (plain JSON values).

    ``training``: the train page's ``defaults``, ``fields`` (label, kind and bounds of every
    setting: exactly what :func:`anomascope.training.validate_config` enforces),
    ``max_parameters`` and ``max_step_ms``. ``model_name``: the name rule. ``kinds``: order
    and labels of the model kinds. ``metrics``: order of the threshold metrics the panels show
    and the definitions of those and of ``auc``.
    """
    return {
        "training": {**config.schema(), "max_step_ms": TRAIN_MAX_MS},
        "model_name": {
            "pattern": NAME_PATTERN,
            "max_length": NAME_MAX_LENGTH,
            "message": NAME_RULE,
        },
        "kinds": {
            "order": list(KIND_ORDER),
            "labels": {k: dict(KIND_LABELS[k]) for k in KIND_ORDER},
        },
        "metrics": {
            "order": list(METRIC_ORDER),
            "definitions": {k: dict(v) for k, v in METRIC_DEFINITIONS.items()},
        },
    }


@handler("schema")
def schema_request(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Reply :func:`schema` (the payload is empty)."""
    return schema()
