"""The gradient-check core: right gradients pass, wrong ones fail, kinks don't cause false alarms."""

import numpy as np
import pytest

from checks import LocalCaller
from checks.gradcheck import (differences_via, gradient_check, judge_differences, numerical_gradient,
                              random_upstream, relative_error, sample_indices)


def test_relative_error_elementwise():
    err = relative_error(np.array([1.0, 0.0, -2.0]), np.array([1.0, 0.0, 2.0]))
    assert err[0] == 0.0 and err[1] == 0.0 and err[2] == pytest.approx(1.0)


def test_numerical_gradient_of_a_square():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    dout = random_upstream(x.shape, rng)
    num = numerical_gradient(lambda v: v ** 2, x, dout)
    np.testing.assert_allclose(num, 2 * x * dout, rtol=1e-7, atol=1e-9)
    some = numerical_gradient(lambda v: v ** 2, x, dout, idx=[0, 5])
    np.testing.assert_allclose(some, (2 * x * dout).ravel()[[0, 5]], rtol=1e-7)


def test_right_gradient_passes_with_tiny_error():
    x = np.random.default_rng(2).standard_normal((5, 3))
    report = gradient_check(np.tanh, x, lambda dout: dout * (1 - np.tanh(x) ** 2))
    assert report.passed and report.max_error < 1e-8 and report.kinks == 0 and report.checked == 15
    assert "passed" in str(report)


def test_deliberately_wrong_gradient_fails():
    x = np.random.default_rng(3).standard_normal((5, 3))
    report = gradient_check(np.tanh, x, lambda dout: dout * (1 - np.tanh(x)))   # forgot the square
    assert not report.passed and report.max_error > 1e-3
    assert "FAILED" in str(report) and len(report.where) == 2


def test_matrix_function_with_random_upstream():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((4, 6))
    x = rng.standard_normal((3, 4))
    assert gradient_check(lambda v: v @ W, x, lambda dout: dout @ W.T, rng=rng).passed
    assert not gradient_check(lambda v: v @ W, x, lambda dout: 2 * dout @ W.T, rng=rng).passed


def test_relu_at_zero_kinks_skipped_no_false_alarm():
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 0.5, -0.3]])
    report = gradient_check(lambda v: np.maximum(v, 0), x, lambda dout: dout * (x > 0))
    assert report.passed and report.kinks == 2 and report.checked == 4
    assert "kink" in str(report)
    # a wrong gradient away from the kinks is still caught
    assert not gradient_check(lambda v: np.maximum(v, 0), x, lambda dout: dout * (x >= -0.5)).passed


def test_abs_at_zero_and_scalar_loss():
    x = np.array([0.0, -1.5, 2.0, 0.0, 0.7])
    report = gradient_check(lambda v: 0.3 * np.sum(np.abs(v)), x, 0.3 * np.sign(x))
    assert report.passed and report.kinks == 2


def test_float32_refused_with_a_message():
    with pytest.raises(TypeError, match="use float64: float32 rounding swamps the finite difference"):
        gradient_check(np.tanh, np.ones(3, dtype=np.float32), lambda d: d)
    with pytest.raises(TypeError, match="use float64"):
        numerical_gradient(np.tanh, np.ones(3, dtype=np.float32), np.ones(3))


def test_array_gradient_needs_its_dout():
    x = np.linspace(-1, 1, 4)
    with pytest.raises(ValueError, match="pass the dout"):
        gradient_check(np.tanh, x, 1 - np.tanh(x) ** 2)
    dout = np.array([0.5, -1.0, 1.5, 0.7])
    assert gradient_check(np.tanh, x, dout * (1 - np.tanh(x) ** 2), dout=dout).passed
    with pytest.raises(ValueError, match="shape of x"):
        gradient_check(np.tanh, x, lambda d: d[:2])


def test_random_upstream_is_never_ones_and_sampling_limits():
    rng = np.random.default_rng(5)
    d = random_upstream((50,), rng)
    assert not np.allclose(d, 1.0) and (d < 0).any() and np.all(np.abs(d) >= 0.5)
    idx = sample_indices(1000, 10, rng)
    assert len(idx) == 10 and len(set(idx.tolist())) == 10
    x = rng.standard_normal(1000)
    assert gradient_check(np.sin, x, lambda dout: dout * np.cos(x), max_elements=10).checked == 10


def test_caller_based_differences_match():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3))
    dout = random_upstream(x.shape, rng)
    idx = np.arange(x.size)
    diffs, bad = differences_via(LocalCaller({"f": np.sin}), "f", (x,), 0, dout, idx)
    assert bad is None
    np.testing.assert_allclose(diffs.centred, (np.cos(x) * dout).ravel(), rtol=1e-7)
    assert judge_differences((np.cos(x) * dout).ravel(), diffs, x.shape).passed
    _, bad = differences_via(LocalCaller({"f": lambda v: None}), "f", (x,), 0, dout, idx)
    assert bad is not None
