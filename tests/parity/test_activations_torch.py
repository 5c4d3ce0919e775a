"""The torch activation table of ``train/torch_models.py`` against the numpy engine's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from anomascope.nn import activations
from train import torch_models


def test_torch_table_has_exactly_the_package_names() -> None:
    assert set(torch_models.ACTIVATIONS) == set(activations.ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("slope", [0.01, 0.3])
def test_values_match_numpy(name: str, slope: float) -> None:
    z = (4 * np.random.default_rng(0).standard_normal((6, 9))).astype(np.float32)
    z[0, :3] = [0.0, -20.0, 20.0]
    want = activations.activate(z, name, slope)
    got = torch_models.activation(torch.from_numpy(z), name, slope).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        torch_models.activation(torch.zeros(2), "swish")
