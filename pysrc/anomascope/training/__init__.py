"""Training a dense autoencoder on ECG5000 in the browser (the "Train a model" page).

- :mod:`anomascope.training.config`: the page's settings, checked, and the seeded data sampling;
- :mod:`anomascope.training.manifest`: the sets' beats recorded in (and read from) a manifest;
- :mod:`anomascope.training.session`: :class:`TrainingSession`, trained in bounded chunks.
"""

from anomascope.training.config import (
    DEFAULTS,
    MAX_PARAMETERS,
    architecture_of,
    config_warnings,
    count_parameters,
    split_data,
    validate_config,
)
from anomascope.training.manifest import rows_seen_in_training
from anomascope.training.session import TrainingSession

__all__ = [
    "DEFAULTS",
    "MAX_PARAMETERS",
    "TrainingSession",
    "architecture_of",
    "config_warnings",
    "count_parameters",
    "rows_seen_in_training",
    "split_data",
    "validate_config",
]
