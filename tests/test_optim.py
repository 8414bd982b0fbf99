"""Optimizers: hand-computed steps, an independent element-by-element reference, torch.optim
(when installed), in-place updates, dtype, the lr attribute, and clear errors."""

import math

import numpy as np
import pytest

import mlp_lab as ml


def run(opt_class, p0, grads, **hyper):
    """Apply len(grads) steps to a copy of p0 with the given gradient sequence; return the iterates."""
    p = np.array(p0, dtype=np.float64)
    g = np.zeros_like(p)
    opt = opt_class([("w", p, g)], **hyper)
    iterates = []
    for grad in grads:
        g[...] = grad  # as backward does: overwrite the gradient array in place
        opt.step()
        iterates.append(p.copy())
    return iterates


GRADS = [0.5, -1.0, 2.0]


# --- steps computed by hand (p0 = 1) ------------------------------------------------------------

def test_sgd_by_hand():
    np.testing.assert_allclose(run(ml.SGD, [1.0], GRADS, lr=0.1), [[0.95], [1.05], [0.85]], rtol=0, atol=1e-15)


def test_sgd_momentum_by_hand():
    # buf: 0.5, 0.9*0.5 - 1 = -0.55, 0.9*(-0.55) + 2 = 1.505;  p -= 0.1 buf
    np.testing.assert_allclose(run(ml.SGD, [1.0], GRADS, lr=0.1, momentum=0.9), [[0.95], [1.005], [0.8545]], rtol=0, atol=1e-15)


def test_sgd_nesterov_by_hand():
    # step = g + 0.9 buf: 0.95, -1.495, 3.3545;  p -= 0.1 step
    expected = [[0.905], [1.0545], [0.71905]]
    np.testing.assert_allclose(run(ml.SGD, [1.0], GRADS, lr=0.1, momentum=0.9, nesterov=True), expected, rtol=0, atol=1e-15)


def test_rmsprop_by_hand():
    # v1 = 0.01 * 0.25 = 0.0025, p1 = 1 - 0.01 * 0.5 / (0.05 + 1e-8)
    # v2 = 0.99 * 0.0025 + 0.01 * 1 = 0.012475, p2 = p1 + 0.01 * 1 / (sqrt(0.012475) + 1e-8)
    p1 = 1 - 0.01 * 0.5 / (0.05 + 1e-8)
    p2 = p1 + 0.01 / (math.sqrt(0.012475) + 1e-8)
    np.testing.assert_allclose(run(ml.RMSProp, [1.0], GRADS[:2], lr=0.01), [[p1], [p2]], rtol=0, atol=1e-14)


def test_adam_by_hand():
    # t=1: m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25: the first step is lr * g / |g|, about lr.
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    # t=2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975
    m_hat, v_hat = -0.055 / (1 - 0.9 ** 2), 0.00124975 / (1 - 0.999 ** 2)
    p2 = p1 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    iterates = run(ml.Adam, [1.0], GRADS[:2], lr=0.1)
    np.testing.assert_allclose(iterates, [[p1], [p2]], rtol=0, atol=1e-14)
    assert iterates[0][0] == pytest.approx(0.9, abs=1e-7)


# --- an independent reference, element by element, in plain Python floats ------------------

def reference(kind, p0, grads, lr, momentum=0.0, nesterov=False, alpha=0.99, eps=1e-8, centered=False,
              betas=(0.9, 0.999)):
    """The textbook (torch.optim documentation) update rules, one scalar at a time."""
    out, p = [], [float(v) for v in np.ravel(p0)]
    n = len(p)
    buf, v, gbar, m = [None] * n, [0.0] * n, [0.0] * n, [0.0] * n
    for t, grad in enumerate(grads, start=1):
        g = [float(v_) for v_ in np.ravel(grad)]
        for i in range(n):
            if kind == "sgd":
                step = g[i]
                if momentum:
                    buf[i] = g[i] if buf[i] is None else momentum * buf[i] + g[i]
                    step = g[i] + momentum * buf[i] if nesterov else buf[i]
                p[i] -= lr * step
            elif kind == "rmsprop":
                v[i] = alpha * v[i] + (1 - alpha) * g[i] ** 2
                denom_sq = v[i]
                if centered:
                    gbar[i] = alpha * gbar[i] + (1 - alpha) * g[i]
                    denom_sq -= gbar[i] ** 2
                step = g[i] / (math.sqrt(denom_sq) + eps)
                if momentum:
                    buf[i] = momentum * (buf[i] or 0.0) + step
                    step = buf[i]
                p[i] -= lr * step
            else:  # adam
                b1, b2 = betas
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
                m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
                p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(np.reshape(p, np.shape(p0)))
    return out


CONFIGS = [
    ("sgd", ml.SGD, dict(lr=0.1)),
    ("sgd", ml.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd", ml.SGD, dict(lr=0.05, momentum=0.5, nesterov=True)),
    ("rmsprop", ml.RMSProp, dict(lr=0.01)),
    ("rmsprop", ml.RMSProp, dict(lr=0.01, momentum=0.9)),
    ("rmsprop", ml.RMSProp, dict(lr=0.01, centered=True)),
    ("rmsprop", ml.RMSProp, dict(lr=0.003, alpha=0.9, eps=1e-6, momentum=0.5, centered=True)),
    ("adam", ml.Adam, dict(lr=1e-3)),
    ("adam", ml.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
]
IDS = [f"{kind}-{'-'.join(f'{k}={v}' for k, v in hyper.items())}" for kind, _, hyper in CONFIGS]


def random_problem(seed=0, steps=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2, 3)), [rng.standard_normal((2, 3)) for _ in range(steps)]


@pytest.mark.parametrize("kind, cls, hyper", CONFIGS, ids=IDS)
def test_matches_the_elementwise_reference(kind, cls, hyper):
    p0, grads = random_problem()
    for got, want in zip(run(cls, p0, grads, **hyper), reference(kind, p0, grads, **hyper)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_a_wrong_update_fails_the_reference_comparison():
    """The comparison above is sharp: Adam without bias correction is caught."""
    class NoBiasCorrection(ml.Adam):
        def step(self):
            self.t = 10 ** 6  # (1 - b^t) == 1: the bias correction vanishes
            super().step()

    p0, grads = random_problem()
    got = run(NoBiasCorrection, p0, grads, lr=1e-3)
    want = reference("adam", p0, grads, lr=1e-3)
    assert not np.allclose(got[0], want[0], rtol=1e-6)


# --- against torch.optim (torch comes from tests/requirements.txt, which make test installs) ---

@pytest.mark.parametrize("kind, cls, hyper", CONFIGS, ids=IDS)
def test_matches_torch_optim(kind, cls, hyper):
    import torch
    rng = np.random.default_rng(1)
    shapes = [(3, 4), (4,)]
    params = [rng.standard_normal(s) for s in shapes]
    grads = [np.zeros(s) for s in shapes]
    ours = cls([(f"p{i}", p, g) for i, (p, g) in enumerate(zip(params, grads))], **hyper)
    theirs_params = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in params]
    torch_hyper = dict(hyper)
    torch_cls = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}[kind]
    theirs = torch_cls(theirs_params, **torch_hyper)
    for _ in range(6):
        for g, tp in zip(grads, theirs_params):
            g[...] = rng.standard_normal(g.shape)
            tp.grad = torch.from_numpy(g.copy())
        ours.step()
        theirs.step()
        for p, tp in zip(params, theirs_params):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=0, atol=1e-12)


# --- behaviour -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, cls, hyper", CONFIGS, ids=IDS)
def test_updates_in_place_and_keeps_float32(kind, cls, hyper):
    rng = np.random.default_rng(2)
    p = rng.standard_normal((5, 3)).astype(np.float32)
    g = rng.standard_normal((5, 3)).astype(np.float32)
    p_id, before = id(p), p.copy()
    opt = cls([("w", p, g)], **hyper)
    opt.step()
    opt.step()
    assert id(p) == p_id and p.dtype == np.float32
    assert not np.array_equal(p, before)
    for arr in opt.state["w"].values():
        assert arr.dtype == np.float32
    np.testing.assert_allclose(p, run(cls, before, [g, g], **hyper)[-1], rtol=1e-5, atol=1e-6)


def test_step_leaves_the_gradients_alone():
    p, g = np.ones(3), np.array([1.0, -2.0, 3.0])
    for cls in (ml.SGD, ml.RMSProp, ml.Adam):
        opt = cls([("w", p, g)], lr=0.1)
        opt.step()
        np.testing.assert_array_equal(g, [1.0, -2.0, 3.0])


def test_state_is_kept_per_parameter_name():
    model = ml.MLP([3, 4, 2], dtype=np.float64)
    opt = ml.Adam(model.parameters())
    assert set(opt.state) == {"0.W", "0.b", "2.W", "2.b"}


def test_changing_lr_between_steps_takes_effect():
    for cls in (ml.SGD, ml.RMSProp, ml.Adam):
        p = np.zeros(1)
        g = np.ones(1)
        opt = cls([("w", p, g)], lr=0.1)
        opt.step()
        first = -p[0]
        opt.lr = 0.0  # e.g. set by a schedule: the next step must not move p
        opt.step()
        assert -p[0] == pytest.approx(first, rel=1e-12), cls.__name__


@pytest.mark.parametrize("make, pattern", [
    (lambda: ml.SGD([]), "no parameters"),
    (lambda: ml.Adam([np.zeros(3)]), r"\(name, param, grad\) triples"),
    (lambda: ml.SGD([("w", np.zeros(2), np.zeros(2))], lr=0.0), "learning rate must be > 0"),
    (lambda: ml.SGD([("w", np.zeros(2), np.zeros(2))], lr=0.1, nesterov=True), "Nesterov.*momentum > 0"),
    (lambda: ml.Adam([("w", np.zeros(2), np.zeros(2))], betas=(0.9, 1.0)), r"betas must lie in \[0, 1\)"),
])
def test_bad_settings_are_refused_with_a_reason(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
