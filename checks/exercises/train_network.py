"""Exercise ``train_network`` (chapter 08, the capstone): train a 784-256-128-10 ReLU network on MNIST.

The judge hands the learner's function the 60,000 training images as uint8, with their 784 pixels in
a secret order drawn from the seed (an MLP learns just as well from shuffled pixels) and the rows in
a secret order too, and a Generator. It times the call itself, takes back only the parameters, and
runs the forward pass itself on the 10,000 test images with the same pixel order: nothing the
learner's code returns is trusted as a score, and a network trained on the files on disk (in their
own pixel order, the test images included) is useless on the shuffled pixels.

The time limit (seconds) and the target accuracy are the instructor's: the check cell's metadata in
chapters/solutions/08_capstone.ipynb, ``"time_limit"`` and ``"target"``, copied to the learner copy
by ``mlp-lab release``.
"""

from __future__ import annotations

import json
import time
from typing import Callable

import numpy as np

from .. import verdict as v
from ..calling import RngSpec
from ..locations import chapters_dir
from ..oracles import relu
from ..registry import register
from ..runner import JudgeUnavailable, run_check

NOTEBOOK = "08_capstone.ipynb"
SHAPES = {"W1": (784, 256), "b1": (256,), "W2": (256, 128), "b2": (128,), "W3": (128, 10), "b3": (10,)}
DEFAULT_LIMITS = {"time_limit": 120.0, "target": 0.975}


def limits() -> dict:
    """{"time_limit": seconds, "target": accuracy} from the check cell's metadata (solution first, then
    the released copy); DEFAULT_LIMITS for what neither names."""
    found = dict(DEFAULT_LIMITS)
    for path in (chapters_dir() / "solutions" / NOTEBOOK, chapters_dir() / NOTEBOOK):
        if path.is_file():
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                meta = cell.get("metadata", {}).get("mlp_lab", {})
                if meta.get("exercise") == "train_network" and meta.get("kind") == "check":
                    found.update({k: float(meta[k]) for k in DEFAULT_LIMITS if k in meta})
            return found
    return found


def as_pixels(X: np.ndarray) -> np.ndarray:
    """MNIST's float32 x = pixel / 255 back to the uint8 pixels, overwriting X on the way (no temporary
    copies of the data set).  X: (N, 784) float32 -> (N, 784) uint8."""
    X *= 255
    np.rint(X, out=X)
    return X.astype(np.uint8)


def predict(params: dict, pixels: np.ndarray) -> np.ndarray:
    """The judge's own forward pass: argmax of relu(relu(x W1 + b1) W2 + b2) W3 + b3, in float64.

    pixels: (N, 784) uint8. Returns (N,) predicted digits."""
    A = pixels / 255.0
    for i in (1, 2):
        A = relu(A @ params[f"W{i}"] + params[f"b{i}"])
    return np.argmax(A @ params["W3"] + params["b3"], axis=1)


def _parameters(ex: str, value, tested: str) -> dict:
    """The returned (params, history)'s params as float64 arrays of the right shapes, or CheckFailure."""
    params, _history = v.as_tuple(ex, value, ("params", "history"), tested)
    if not isinstance(params, dict) or set(params) != set(SHAPES):
        got = f"a dict with keys {sorted(params)}" if isinstance(params, dict) else v.fmt(params)
        raise v.fail(ex, "wrong_type", "params must be a dict with the keys W1, b1, W2, b2, W3, b3", tested=tested,
                     problem=f"params is {got}", hint="return {'W1': W1, 'b1': b1, ...}, the arrays your network "
                                                       "was trained with")
    for name, shape in SHAPES.items():
        got = v.as_array(ex, name, params[name], tested)
        dtype = got.dtype if got.dtype in (np.float32, np.float64) else np.float32
        v.check_form(ex, name, got, shape, tested, dtype=dtype)
    return {name: params[name].astype(np.float64) for name in SHAPES}


@register("train_network", "train_network(images, labels, rng) -> (params, history), params W1 (784, 256), "
                           "b1 (256,), W2 (256, 128), b2 (128,), W3 (128, 10), b3 (10,)")
def judge(call, rng: np.random.Generator) -> None:
    """Train once on secretly shuffled pixels and rows, within the time limit; score on the test set."""
    import mlp_lab

    ex = "train_network"
    rules = limits()
    try:
        X_train, y_train = mlp_lab.load_mnist("train")
        X_test, y_test = mlp_lab.load_mnist("test")
    except (OSError, ValueError) as missing:
        raise JudgeUnavailable(f"the train_network check needs MNIST and could not load it:\n{missing}") from None
    train_pixels, test_pixels = as_pixels(X_train), as_pixels(X_test)
    del X_train, X_test
    pixels, rows = rng.permutation(784), rng.permutation(len(train_pixels))
    images, labels = train_pixels[rows[:, None], pixels], y_train[rows]
    del train_pixels
    tested = (f"train_network(images, labels, rng) with the 60,000 MNIST training images as uint8 (60000, 784), "
              f"their pixels in a secret order, labels int64 (60000,); time limit {rules['time_limit']:g} s")
    start = time.perf_counter()
    out = call("impl", images, labels, RngSpec(int(rng.integers(2 ** 31))))
    seconds = time.perf_counter() - start
    params = _parameters(ex, v.outcome_value(ex, out, tested), tested)
    v.check_mutation(ex, out, {"images": images, "labels": labels}, tested)
    if seconds > rules["time_limit"]:
        raise v.fail(ex, "too_slow", f"training took {seconds:.0f} s, more than the time limit of "
                                     f"{rules['time_limit']:g} s", tested=tested,
                     hint="time one epoch; keep everything float32, update the parameters in place, gather each "
                          "batch with X[idx], and skip dX of the first layer")
    accuracy = float(np.mean(predict(params, test_pixels[:, pixels]) == y_test))
    if accuracy < rules["target"]:
        on_disk = float(np.mean(predict(params, test_pixels) == y_test))
        why = (f" Your network scores {on_disk:.1%} on the test images in their usual pixel order: it was "
               f"trained on the files on disk, not on the images it was given." if on_disk > max(0.5, accuracy + 0.25)
               else "")
        raise v.fail(ex, "below_target", f"your trained network scores {accuracy:.2%} on the test images, below "
                                         f"the target of {rules['target']:.1%}", tested=tested,
                     problem=f"test accuracy {accuracy:.2%} (the checker ran your parameters on the 10,000 test "
                             f"images, in the same pixel order as the training images).{why}",
                     hint="the checker scores relu(relu(x W1 + b1) W2 + b2) W3 + b3 with x = pixels / 255: train "
                          "that network on the images you are given; check each part with its own check, then the "
                          "learning rate and the number of epochs")


def check_train_network(train_network: Callable, *, seed: int | None = None) -> None:
    """Train ``train_network`` on shuffled-pixel MNIST within the time limit; pass at the target test accuracy."""
    run_check("train_network", {"impl": train_network}, seed)
