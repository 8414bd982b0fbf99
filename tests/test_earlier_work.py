"""EarlierWork reads only a function's def from a saved notebook, checks it, and says whose code ran."""

import json

import numpy as np
import pytest

import mlp_lab as ml
from checks.earlier_work import EarlierWork, find_definition
from checks.runner import GRADER_ENV


def write_notebook(folder, name, *sources):
    cells = [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
             for s in sources]
    path = folder / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


RIGHT_RELU = "def relu(z):\n    return np.maximum(z, 0)\n"


def test_a_right_function_is_used_and_nothing_else_of_the_notebook_runs(tmp_path):
    marker = tmp_path / "ran"
    write_notebook(tmp_path, "08_x.ipynb", "%matplotlib inline\nimport numpy as np",
                   f"open({str(marker)!r}, 'w').write('the notebook ran')", RIGHT_RELU)
    own = EarlierWork(tmp_path)
    relu = own.load("relu", "08_x.ipynb", ml.relu)
    assert relu is not ml.relu and np.array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    assert not marker.exists()
    assert "relu  yours (08_x.ipynb), passes its check" in own.report()
    assert own.report().endswith("1 of 1 parts of this network are your own code.")


def test_the_last_definition_wins_as_in_run_all(tmp_path):
    write_notebook(tmp_path, "n.ipynb", "def relu(z):\n    return z\n", RIGHT_RELU)
    assert EarlierWork(tmp_path).load("relu", "n.ipynb", ml.relu) is not ml.relu


@pytest.mark.parametrize("sources, why", [
    ((), "there is no"),
    (("x = 1",), "has no `def relu(...)`"),
    (("def relu(z):\n    raise NotImplementedError('relu: ...')\n",), "reference: not implemented yet (n.ipynb)"),
    (("def relu(z):\n    return np.abs(z)\n",), "reference: yours fails its check (wrong_formula)"),
    (("def relu(z):\n    return helper(z)\n",), "yours uses a name defined elsewhere in its notebook"),
    (("@print\ndef relu(z):\n    return z\n",), "decorator or a default value"),
    (("def relu(z, k=print('ran')):\n    return z\n",), "decorator or a default value"),
])
def test_otherwise_the_reference_is_used_and_the_report_says_why(tmp_path, sources, why, capsys):
    if sources:
        write_notebook(tmp_path, "n.ipynb", *sources)
    own = EarlierWork(tmp_path)
    assert own.load("relu", "n.ipynb", ml.relu) is ml.relu
    assert why in own.report() and own.report().endswith("0 of 1 parts of this network are your own code.")
    assert "ran" not in capsys.readouterr().out


def test_a_broken_notebook_file_is_reported_not_raised(tmp_path):
    (tmp_path / "n.ipynb").write_text("{not json")
    own = EarlierWork(tmp_path)
    assert own.load("relu", "n.ipynb", ml.relu) is ml.relu
    assert "could not be read as a notebook" in own.report()


def test_annotations_are_dropped_and_constant_defaults_kept(tmp_path):
    write_notebook(tmp_path, "n.ipynb", "def relu(z: Undefined, k=-1.5) -> Undefined:\n    return np.maximum(z, 0)\n")
    node = find_definition(tmp_path / "n.ipynb", "relu")
    assert node.returns is None and node.args.args[0].annotation is None
    assert EarlierWork(tmp_path).load("relu", "n.ipynb", ml.relu) is not ml.relu


def test_loaded_functions_call_each_other_through_ml(tmp_path):
    """A learner's function that calls ml.<name> gets the learner's own <name> when it was loaded."""
    write_notebook(tmp_path, "n.ipynb", RIGHT_RELU.replace("return", "calls.append(1)\n    return"),
                   "def relu_backward(dA, Z):\n    ml.relu(Z)\n    return dA * (Z > 0)\n")
    own = EarlierWork(tmp_path)
    own.namespace["calls"] = calls = []
    own.load("relu", "n.ipynb", ml.relu)
    relu_backward = own.load("relu_backward", "n.ipynb", ml.relu_backward)
    calls.clear()
    relu_backward(np.ones(3), np.array([-1.0, 0.0, 1.0]))
    assert calls == [1]


def test_the_grader_reads_no_other_notebook(tmp_path, monkeypatch):
    write_notebook(tmp_path, "n.ipynb", RIGHT_RELU)
    monkeypatch.setenv(GRADER_ENV, "1")
    own = EarlierWork(tmp_path)
    assert own.load("relu", "n.ipynb", ml.relu) is ml.relu
    assert "the grader does not read your other notebooks" in own.report()


def test_unchecked_records_whether_the_reference_was_needed():
    own = EarlierWork(".")

    def mine(x):
        raise NotImplementedError

    assert own.unchecked("f", mine, lambda x: x + 1)(1) == 2
    assert "f  reference: not implemented yet (this notebook)" in own.report()
    assert own.unchecked("f", lambda x: x, None)(1) == 1
    assert own.report().splitlines()[0] == "f  yours (this notebook)"


def test_a_function_behind_or_reference_is_judged_as_itself():
    from checks import or_reference

    def relu(z):
        raise NotImplementedError("relu: ...")

    own = EarlierWork(".")
    assert own.load("relu", or_reference(relu, ml.relu), ml.relu) is ml.relu
    assert "reference: not implemented yet (this notebook)" in own.report()


def test_loading_again_replaces_what_the_report_said(tmp_path):
    write_notebook(tmp_path, "n.ipynb", RIGHT_RELU)
    own = EarlierWork(tmp_path)
    own.load("relu", "missing.ipynb", ml.relu)
    own.load("relu", "n.ipynb", ml.relu)
    assert own.report().splitlines() == ["relu  yours (n.ipynb), passes its check",
                                         "1 of 1 parts of this network are your own code."]
