"""The training loop: batches, fit (XOR to 100%), evaluate, accuracy, history, determinism."""

import numpy as np
import pytest

import mlp_lab as ml

try:
    from mlp_lab.data import xor
except ImportError:  # pragma: no cover - data.py is written in parallel
    def xor(dtype=np.float32):
        return (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype),
                np.array([[0], [1], [1], [0]], dtype=dtype))


# --- batches ---------------------------------------------------------------------------------

def test_batches_cover_every_row_once_with_a_smaller_last_batch():
    X = np.arange(23 * 2, dtype=np.float32).reshape(23, 2)
    y = np.arange(23)
    parts = list(ml.batches(X, y, 5, rng=0))
    assert [len(xb) for xb, _ in parts] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in parts])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))
    for xb, yb in parts:
        np.testing.assert_array_equal(xb, X[yb])  # rows stay paired with their labels
        assert xb.dtype == np.float32


def test_batches_are_reproducible_and_unshuffled_on_request():
    X, y = np.zeros((10, 1)), np.arange(10)
    order = lambda **kw: np.concatenate([yb for _, yb in ml.batches(X, y, 3, **kw)])  # noqa: E731
    np.testing.assert_array_equal(order(rng=4), order(rng=4))
    assert not np.array_equal(order(rng=4), order(rng=5))
    np.testing.assert_array_equal(order(shuffle=False), np.arange(10))


def test_batches_copy_rows_and_leave_the_data_alone():
    X, y = np.random.default_rng(0).standard_normal((8, 3)), np.arange(8)
    before = X.copy()
    for xb, _ in ml.batches(X, y, 4, rng=0):
        xb[...] = 0  # a batch is a gathered copy, not a view
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5])
def test_batches_reject_a_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        list(ml.batches(np.zeros((4, 1)), np.zeros(4), batch_size))


def test_batches_and_fit_reject_mismatched_rows():
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        list(ml.batches(np.zeros((4, 1)), np.zeros(3), 2))
    model = ml.MLP([1, 2])
    with pytest.raises(ValueError, match="fit: X has 4 rows but y has 3"):
        ml.fit(model, np.zeros((4, 1), np.float32), np.zeros(3, np.int64), ml.SGD(model.parameters()))
    with pytest.raises(ValueError, match="both X_val and y_val"):
        ml.fit(model, np.zeros((4, 1), np.float32), np.zeros(4, np.int64), ml.SGD(model.parameters()),
               X_val=np.zeros((2, 1), np.float32))


# --- fit -------------------------------------------------------------------------------------

def test_fit_learns_xor_with_a_logit_and_binary_cross_entropy():
    X, y = xor()
    model = ml.MLP([2, 8, 1], activation="tanh", rng=0)
    history = ml.fit(model, X, y, ml.Adam(model.parameters(), lr=0.05), loss=ml.binary_cross_entropy_with_logits,
                     epochs=300, batch_size=4, verbose=False)
    assert history["acc"][-1] == 1.0
    assert model.accuracy(X, y) == 1.0
    np.testing.assert_array_equal(model.predict(X), [0, 1, 1, 0])
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_fit_learns_xor_with_two_classes_and_softmax():
    X, y = xor(np.float64)
    labels = y[:, 0].astype(np.int64)
    model = ml.MLP([2, 8, 2], activation="sigmoid", rng=1, dtype=np.float64)
    history = ml.fit(model, X, labels, ml.SGD(model.parameters(), lr=0.5, momentum=0.9), epochs=300,
                     batch_size=2, verbose=False)
    assert history["acc"][-1] == 1.0
    np.testing.assert_array_equal(model.predict(X), labels)


def test_fit_learns_xor_with_a_final_sigmoid_layer():
    X, y = xor()
    model = ml.Sequential([ml.Linear(2, 8, rng=2), ml.Tanh(), ml.Linear(8, 1, rng=3), ml.Sigmoid()])
    ml.fit(model, X, y, ml.Adam(model.parameters(), lr=0.05), loss=ml.binary_cross_entropy, epochs=300,
           batch_size=4, verbose=False)
    assert model.accuracy(X, y) == 1.0  # predict thresholds probabilities at 0.5


def blobs(n=300, seed=0, dtype=np.float32):
    """Three Gaussian blobs in 2-D: an easy, quick 3-class problem."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = rng.integers(0, 3, n)
    X = (centres[y] + rng.standard_normal((n, 2))).astype(dtype)
    return X, y


def test_fit_history_has_one_entry_per_epoch_and_validation_when_asked():
    X, y = blobs()
    Xv, yv = blobs(100, seed=1)
    model = ml.MLP([2, 16, 3], rng=0)
    history = ml.fit(model, X, y, ml.Adam(model.parameters(), lr=0.01), epochs=4, batch_size=32,
                     X_val=Xv, y_val=yv, verbose=False)
    assert set(history) == {"loss", "acc", "val_loss", "val_acc", "seconds"}
    assert all(len(v) == 4 for v in history.values())
    assert all(s > 0 for s in history["seconds"])
    assert history["val_acc"][-1] > 0.9
    assert (history["val_loss"][-1], history["val_acc"][-1]) == pytest.approx(ml.evaluate(model, Xv, yv))
    assert not model.training  # fit leaves the model ready for evaluation
    no_val = ml.fit(ml.MLP([2, 3]), X, y, ml.SGD(ml.MLP([2, 3]).parameters()), epochs=2, verbose=False)
    assert no_val["val_loss"] == [] and no_val["val_acc"] == []


def test_fit_prints_one_line_per_epoch_when_verbose(capsys):
    X, y = blobs()
    model = ml.MLP([2, 8, 3])
    ml.fit(model, X, y, ml.Adam(model.parameters()), epochs=3, X_val=X, y_val=y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch   1/3") and "val_acc" in lines[-1]
    ml.fit(model, X, y, ml.Adam(model.parameters()), epochs=2, verbose=False)
    assert capsys.readouterr().out == ""


def test_fit_is_reproducible_from_its_seeds():
    X, y = blobs()
    weights = []
    for _ in range(2):
        model = ml.MLP([2, 16, 3], dropout=0.2, rng=7)
        ml.fit(model, X, y, ml.Adam(model.parameters(), lr=0.01), epochs=2, batch_size=16, rng=3, verbose=False)
        weights.append([p.copy() for _, p, _ in model.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_fit_does_not_modify_the_data_and_keeps_float32():
    X, y = blobs()
    X_before, y_before = X.copy(), y.copy()
    model = ml.MLP([2, 16, 3], l2=1e-3, rng=0)
    history = ml.fit(model, X, y, ml.Adam(model.parameters()), epochs=1, verbose=False)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert all(p.dtype == np.float32 for _, p, _ in model.parameters())
    assert isinstance(history["loss"][0], float)


def test_fit_refuses_float64_data_for_a_float32_model_with_advice():
    X, y = blobs(dtype=np.float64)
    model = ml.MLP([2, 4, 3])
    with pytest.raises(ValueError, match=r"Linear\(2 -> 4\).*float64.*float32.*astype"):
        ml.fit(model, X, y, ml.SGD(model.parameters()), epochs=1, verbose=False)


def test_the_training_loss_includes_the_penalty():
    X, y = blobs()
    model = ml.MLP([2, 8, 3], l2=10.0, rng=0)  # a huge penalty dominates the loss
    history = ml.fit(model, X, y, ml.SGD(model.parameters(), lr=1e-9), epochs=1, verbose=False)
    data_loss, _ = ml.evaluate(ml.MLP([2, 8, 3], rng=0), X, y)
    assert history["loss"][0] == pytest.approx(data_loss + model.penalty(), rel=1e-3)
    assert model.penalty() > 1.0


# --- evaluate and accuracy -------------------------------------------------------------------

def test_evaluate_and_accuracy_agree_with_a_direct_computation():
    X, y = blobs(250)
    model = ml.MLP([2, 8, 3], dropout=0.3, l1=0.01, rng=0)
    loss, acc = ml.evaluate(model, X, y, batch_size=64)  # batches of unequal size: weighted mean
    model.eval()
    scores = model.forward(X)
    assert loss == pytest.approx(ml.softmax_cross_entropy(scores, y)[0] + model.penalty(), rel=1e-5)
    assert acc == pytest.approx(np.mean(scores.argmax(axis=1) == y))
    assert model.accuracy(X, y) == pytest.approx(acc)
    model.train()
    ml.evaluate(model, X, y)
    assert model.training  # evaluate restores the mode it found


def test_accuracy_accepts_one_hot_labels():
    X, y = blobs()
    model = ml.MLP([2, 8, 3], rng=0)
    assert model.accuracy(X, np.eye(3)[y]) == model.accuracy(X, y)


def test_train_step_lowers_the_loss_and_returns_a_float():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = ml.MLP([5, 16, 2], rng=1)
    before = model.layers[0].params["W"].copy()
    optimizer = ml.SGD(model.parameters(), lr=0.5)
    losses = [ml.train_step(model, optimizer, X, y) for _ in range(40)]
    assert all(isinstance(loss, float) for loss in losses)
    assert losses[-1] < 0.5 * losses[0]
    assert not np.array_equal(before, model.layers[0].params["W"])


def test_accuracy_of_scores():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert ml.accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)
