"""Anomascope: numpy-only anomaly detection that runs in CPython and in Pyodide.

Layers (who may import whom):

1. ``nn``, ``detectors``, ``metrics``, ``data``, ``weights``: math and parsing over numpy arrays.
2. ``api``: the one surface the browser worker calls; validates every input.
3. ``__main__``: the command-line interface, built on the same code as ``api``.
"""

__version__ = "0.1.0"


class AnomascopeError(ValueError):
    """The one error type with a message fit to show a user.

    ``field`` names the request or configuration field the message is about (for example the
    training-config key ``"latent_dim"``), so the page can mark that input; ``None`` when the
    message is about no single field.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
