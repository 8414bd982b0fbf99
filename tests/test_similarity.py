"""Fingerprints of learners' functions: equal up to names and layout, different otherwise.

(The report through the real grader, with shards and merge: tests/test_class_exports.py.)"""

from __future__ import annotations

import ast
import inspect

import pytest
from nbformat.v4 import new_code_cell, new_notebook

import mlp_lab
from checks.grading.similarity import (MIN_NODES, fingerprint, notebook_fingerprints, reference_fingerprints,
                                       similarity_report)

SOFTMAX = '''def softmax(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)'''
SOFTMAX_DISGUISED = '''def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    # subtract the max for stability
    s = logits - logits.max(axis = 1,
                            keepdims = True)
    "another bare string"
    exps = np.exp( s )
    return exps / exps.sum(axis=1, keepdims=True)'''


def fp(source: str):
    return fingerprint(ast.parse(source).body[0])


def test_renamed_reformatted_and_commented_copies_are_equal():
    assert fp(SOFTMAX) is not None and fp(SOFTMAX) == fp(SOFTMAX_DISGUISED)


@pytest.mark.parametrize("changed", [
    SOFTMAX.replace("axis=1", "axis=-1"),                        # another constant
    SOFTMAX.replace("np.exp(shifted)", "np.exp2(shifted)"),      # another function from outside
    SOFTMAX.replace("Z.max(", "Z.min("),                         # another attribute
    SOFTMAX.replace("e / e.sum(axis=1, keepdims=True)", "e.sum(axis=1, keepdims=True) / e"),   # operands swapped
])
def test_a_different_computation_is_different(changed):
    assert fp(changed) is not None and fp(changed) != fp(SOFTMAX)


def test_two_names_merged_into_one_are_different():
    two = "def f(a, b):\n    c = a * b + a\n    d = np.sum(c) + np.sum(b * b)\n    return d + c.max() + b.min()"
    one = two.replace("b", "a")
    assert fp(two) != fp(one)


def test_stubs_and_tiny_bodies_are_not_compared():
    assert fp('def f(x):\n    """doc"""\n    raise NotImplementedError("f: write me")') is None
    assert fp("def f(x):\n    y = np.asarray(x)\n    z = np.exp(-y) + np.log1p(y) * 2\n"
              "    raise NotImplementedError") is None                  # scaffold still in place
    assert fp("def f(x):\n    pass") is None and fp('def f(x):\n    "doc"\n    ...') is None
    assert fp("def linear_forward(X, W, b):\n    return X @ W + b") is None     # too small to tell anything


def test_the_reference_is_mlp_lab_s_source_and_a_copy_of_it_matches():
    source = inspect.getsource(mlp_lab.softmax)
    copied = ("def softmax(scores):\n    # from mlp_lab\n    scores = np.asarray(scores)\n"
              "    e = np.exp(scores - scores.max(axis=-1, keepdims=True))\n"
              "    e /= e.sum(axis=-1, keepdims=True)\n    return e")
    references = reference_fingerprints(frozenset({"softmax", "adam_step", "train_epoch", "no_such_function"}))
    assert set(references) == {"softmax", "adam_step", "train_epoch"}
    assert references["softmax"] == fp(source) and fp(copied) == references["softmax"]
    assert references["adam_step"]["nodes"] >= MIN_NODES and references["train_epoch"] is not None


def test_notebook_fingerprints_take_the_last_def_of_each_exercise():
    nb = new_notebook(cells=[new_code_cell(SOFTMAX.replace("axis=1", "axis=-1")), new_code_cell("%timeit 1"),
                             new_code_cell("x = 1\n" + SOFTMAX_DISGUISED), new_code_cell("def relu(z): return z")])
    assert notebook_fingerprints(nb, ["softmax", "relu", "sigmoid"]) == {"softmax": fp(SOFTMAX)}


def test_report_groups_equal_code_and_copies_of_the_reference():
    mine = fp(SOFTMAX)
    reference = reference_fingerprints(frozenset({"softmax"}))["softmax"]
    data, text = similarity_report({"a": {"softmax": mine}, "b": {"softmax": mine}, "c": {"softmax": reference},
                                    "d": {}}, ["softmax", "sigmoid"])
    assert data["exercises"] == {"softmax": {"same_code": [{"learners": ["a", "b"], "nodes": mine["nodes"]}],
                                             "same_as_reference": ["c"]}}
    assert "never a penalty" in text and "| `softmax` | a, b (" in text
    empty, text = similarity_report({"a": {"softmax": mine}}, ["softmax"])
    assert empty["exercises"] == {} and "None found." in text


@pytest.mark.parametrize("body", ["1+" * 20000 + "1", "-" * 50000 + "z", "(" * 900 + "z" + ")" * 900])
def test_code_nested_too_deep_is_not_compared_and_does_not_stop_grading(body):
    hostile = new_code_cell(f"import numpy as np\ndef sigmoid(z):\n    e = np.exp(-z)\n    return {body}\n")
    right = new_code_cell("import numpy as np\ndef sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n"
                          "    t = s * (1 - s)\n    u = t + 0 * s\n    return u * np.ones_like(z) + 0 * z\n")
    found = notebook_fingerprints(new_notebook(cells=[hostile, right]), ["sigmoid", "sigmoid_prime"])
    assert "sigmoid" not in found and "sigmoid_prime" in found
