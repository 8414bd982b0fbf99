"""mlp_lab.steps: the functional steps equal mlp_lab.optim's classes (which match torch) step for step."""

import numpy as np
import pytest

import mlp_lab as ml
from mlp_lab.steps import adam_step, rmsprop_step, sgd_momentum_step

CASES = [
    (sgd_momentum_step, dict(momentum=0.8), lambda params, lr: ml.SGD(params, lr=lr, momentum=0.8)),
    (rmsprop_step, dict(alpha=0.9, eps=1e-3), lambda params, lr: ml.RMSProp(params, lr=lr, alpha=0.9, eps=1e-3)),
    (adam_step, dict(beta1=0.8, beta2=0.95, eps=1e-4),
     lambda params, lr: ml.Adam(params, lr=lr, betas=(0.8, 0.95), eps=1e-4)),
]


@pytest.mark.parametrize("step, hyper, make", CASES, ids=["sgd_momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_steps_match_the_optimizer_classes(step, hyper, make, seed, dtype):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal((3, 5)).astype(dtype)
    mine, theirs, g = p0.copy(), p0.copy(), np.zeros_like(p0)
    opt = make([("w", theirs, g)], 0.05)
    state = {}
    for k in range(6):
        lr = 0.05 * 0.7 ** k                      # a schedule: lr changes between steps
        g[...] = rng.standard_normal(p0.shape) * 0.1
        opt.lr = lr
        opt.step()
        step(mine, g, state, lr, **hyper)
        assert mine.dtype == dtype
        np.testing.assert_allclose(mine, theirs, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-7)
    assert not np.allclose(mine, p0)


def test_adam_first_step_by_hand():
    # t = 1: m_hat = g and v_hat = g^2, so the first step is lr * g / (|g| + eps).
    p, g = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    state = {}
    adam_step(p, g, state, 0.1)
    np.testing.assert_allclose(p, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 4.0 / (4.0 + 1e-8)], rtol=1e-14)
    assert state["t"] == 1


def test_step_optimizer_equals_the_class_on_a_model():
    from mlp_lab.steps import StepOptimizer

    X, y = np.random.default_rng(0).standard_normal((16, 4)), np.arange(16) % 3
    a, b = (ml.MLP([4, 6, 3], rng=1, dtype=np.float64) for _ in range(2))
    mine, theirs = StepOptimizer(a.parameters(), adam_step, lr=0.01, beta2=0.99), ml.Adam(b.parameters(), lr=0.01, betas=(0.9, 0.99))
    for _ in range(4):
        for model, opt in ((a, mine), (b, theirs)):
            model.backward(ml.softmax_cross_entropy(model.forward(X), y)[1])
            opt.step()
    for (_, p, _), (_, q, _) in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    with pytest.raises(ValueError, match="no parameters"):
        StepOptimizer([], adam_step, lr=0.1)
