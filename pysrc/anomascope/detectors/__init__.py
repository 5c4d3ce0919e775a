"""Anomaly detectors behind one interface (see :mod:`anomascope.detectors.base`).

Detector classes are looked up by their ``kind`` string through :data:`KINDS`, imported lazily
so that loading one model does not import every detector module.
"""

from __future__ import annotations

import importlib

from anomascope.detectors.base import Detector, ReconstructionDetector

KINDS: dict[str, str] = {
    "autoencoder": "anomascope.detectors.autoencoder:AutoencoderDetector",
    "vae": "anomascope.detectors.vae:VAEDetector",
    "pca": "anomascope.detectors.pca:PCADetector",
    "ocsvm": "anomascope.detectors.ocsvm:OneClassSVMDetector",
    "iforest": "anomascope.detectors.iforest:IsolationForestDetector",
    "bigan": "anomascope.detectors.bigan:BiGANDetector",
    "seq2seq": "anomascope.detectors.seq2seq:Seq2SeqDetector",
    "ecod": "anomascope.detectors.ecod:ECODDetector",
    "knn": "anomascope.detectors.knn:KNNDetector",
}

#: The order the pages list kinds in, and each kind's title and short label.
KIND_ORDER = (
    "pca", "ocsvm", "autoencoder", "bigan", "vae", "iforest", "seq2seq", "ecod", "knn",
)  # fmt: skip
KIND_LABELS: dict[str, dict[str, str]] = {
    "pca": {"title": "PCA", "short": "PCA"},
    "ocsvm": {"title": "One-Class SVM", "short": "OC-SVM"},
    "autoencoder": {"title": "Autoencoder", "short": "AE"},
    "bigan": {"title": "BiGAN", "short": "BiGAN"},
    "vae": {"title": "Variational autoencoder", "short": "VAE"},
    "iforest": {"title": "Isolation Forest", "short": "IForest"},
    "seq2seq": {"title": "Seq2seq LSTM", "short": "Seq2seq"},
    "ecod": {"title": "ECOD", "short": "ECOD"},
    "knn": {"title": "k-nearest neighbours", "short": "kNN"},
}
assert set(KIND_ORDER) == set(KINDS) == set(KIND_LABELS)


def detector_class(kind: str) -> type[Detector]:
    """Return the detector class registered under ``kind``.

    Raises
    ------
    KeyError
        If ``kind`` is not a known detector kind.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown model kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}")
    module_name, class_name = KINDS[kind].split(":")
    cls: type[Detector] = getattr(importlib.import_module(module_name), class_name)
    return cls


__all__ = [
    "KINDS",
    "KIND_LABELS",
    "KIND_ORDER",
    "Detector",
    "ReconstructionDetector",
    "detector_class",
]
