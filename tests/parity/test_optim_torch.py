"""Each numpy optimizer matches ``torch.optim`` over 10 steps (float32)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from anomascope.nn import optim

CASES: list[tuple[str, type, dict[str, Any]]] = [
    ("sgd", torch.optim.SGD, {}),
    ("sgd", torch.optim.SGD, {"lr": 0.05}),
    ("sgd", torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("momentum", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("momentum", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("rmsprop", torch.optim.RMSprop, {}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 0.003, "alpha": 0.9, "momentum": 0.5}),
    ("rmsprop", torch.optim.RMSprop, {"centered": True, "eps": 1e-6}),
    ("adam", torch.optim.Adam, {}),
    ("adam", torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True}),
    ("adamax", torch.optim.Adamax, {}),
    ("adamax", torch.optim.Adamax, {"lr": 0.01, "betas": (0.5, 0.9)}),
    ("adadelta", torch.optim.Adadelta, {}),
    ("adadelta", torch.optim.Adadelta, {"lr": 0.5, "rho": 0.8, "eps": 1e-5}),
]


@pytest.mark.parametrize("name,torch_cls,kwargs", CASES)
def test_optimizer_matches_torch(name: str, torch_cls: type, kwargs: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    shapes = [(5, 4), (4,), (3, 7)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    # gradients: a smooth function of the parameters plus fixed noise, computed on each side
    noise = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(10)]
    ours = [p.copy() for p in start]
    theirs = [torch.tensor(p, requires_grad=True) for p in start]
    opt = optim.make_optimizer(name, ours, **kwargs)
    topt = torch_cls(theirs, **kwargs)
    for step in range(10):
        grads = [np.float32(0.5) * p + n for p, n in zip(ours, noise[step], strict=True)]
        opt.step(grads)
        topt.zero_grad()
        for t, n in zip(theirs, noise[step], strict=True):
            t.grad = 0.5 * t.detach() + torch.from_numpy(n)
        topt.step()
        for p, t, p0 in zip(ours, theirs, start, strict=True):
            assert p.dtype == np.float32
            np.testing.assert_allclose(p, t.detach().numpy(), rtol=2e-5, atol=2e-6)
            # the displacement too, so that small step sizes cannot hide a wrong rule
            moved = t.detach().numpy().astype(np.float64) - p0
            np.testing.assert_allclose(p.astype(np.float64) - p0, moved, rtol=2e-3, atol=2e-7)
    assert not np.array_equal(ours[0], start[0])


@pytest.mark.parametrize(
    "name,torch_cls",
    [
        ("sgd", torch.optim.SGD),
        ("rmsprop", torch.optim.RMSprop),
        ("adam", torch.optim.Adam),
        ("adamax", torch.optim.Adamax),
        ("adadelta", torch.optim.Adadelta),
    ],
)
def test_defaults_match_torch(name: str, torch_cls: type) -> None:
    ours = optim.make_optimizer(name, np.zeros(3, np.float32)).config()
    theirs = torch_cls([torch.zeros(3, requires_grad=True)]).defaults
    for key, value in ours.items():
        if key == "name":
            continue
        expected = theirs[key]
        if isinstance(expected, tuple):
            expected = list(expected)
        assert value == expected, (key, value, expected)


def test_momentum_is_sgd_with_momentum() -> None:
    cfg = optim.make_optimizer("momentum", np.zeros(3, np.float32)).config()
    assert cfg["momentum"] == 0.9 and cfg["dampening"] == 0.0 and cfg["nesterov"] is False
