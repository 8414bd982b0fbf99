"""The mistake categories a failed check can name, each with a one-line description.

A ``CheckFailure`` carries exactly one of these keys in ``.mistake``. The checks test a case in
this order and report the first problem found: callable -> raises -> type/arity -> shape ->
dtype -> finite -> overflow -> input mutated -> values (a named slip, transpose, sign, scale, axis, ...) -> anything else.
"""

from __future__ import annotations

MISTAKES: dict[str, str] = {
    "not_implemented": "the function still raises NotImplementedError: write its body first",
    "exception": "the function raised an error on a valid input (its message is shown)",
    "wrong_type": "it returned the wrong kind of thing: None, a list, a tuple of the wrong length, "
                  "or it is not a function at all",
    "wrong_shape": "an output has the wrong shape",
    "transposed": "an output has the transposed shape (or the values of a transpose)",
    "wrong_dtype": "an output is not float64 (float32, an integer or boolean array) for float64 input",
    "nan_or_inf": "an output contains nan or inf on ordinary input",
    "overflow": "the formula is numerically unstable: extreme input (|z| or logits around 1e3) gave an "
                "overflow warning, inf, nan or wrong values while ordinary input was fine, or an eps or a "
                "clip inside a log shifted the loss",
    "mutates_input": "the function changed one of its input arrays in place",
    "sign": "a sign is flipped: the values are about -1 times the expected ones, or match the formula "
            "with one sign changed",
    "scale": "the values are off by a constant factor (for example a missing or doubled 1/N)",
    "not_summed_over_batch": "an output that should be summed (over the batch or over all entries) "
                             "came back per example or per entry",
    "wrong_axis": "a sum, maximum or normalisation ran over the wrong axis (for example columns instead of "
                  "rows, or over every axis where one was meant)",
    "missing_term": "a term, factor or step of the formula is left out (a bias, the mask, the upstream "
                    "gradient, an activation, the 1 subtracted at the true class)",
    "wrong_formula": "another formula was used in its place (the function instead of its derivative, L1 "
                     "instead of L2, ReLU instead of sigmoid, a shortcut that belongs to another loss)",
    "wrong_point": "a step is applied to the wrong value: a derivative evaluated at the activation A instead "
                   "of the pre-activation Z, z (1 - z) instead of s (1 - s), one layer's bias used in another",
    "swapped": "two things with different roles were swapped (y and 1 - y, keeping and dropping a unit)",
    "missing_branch": "right for some inputs and wrong for others (for example right for z >= 0, wrong for "
                      "z < 0): a case of the formula is missing",
    "leaky_slope": "ReLU let a fraction of the input (or of the upstream gradient) through for z < 0, as a "
                   "leaky ReLU does: plain ReLU gives exactly 0 there",
    "kink_at_zero": "right everywhere except at z = 0 exactly: ReLU's slope there is taken as 0 (z > 0, not "
                    "z >= 0)",
    "inconsistent_with_forward": "your forward function is right but this derivative disagrees with "
                                 "the numerical derivative of it",
    "nondeterministic": "the random draw ignores the rng it was given (same rng seed, different "
                        "result; or different seeds, same result)",
    "not_in_place": "the caller's array (or state dict) did not change: a new object was bound to the name "
                    "instead of updating the one you were given",
    "momentum_buffer": "the momentum buffer differs from torch's: it starts as the first gradient, then "
                       "buf = momentum buf + grad, and the step uses the updated buffer",
    "lr_in_moments": "the learning rate was folded into the moment estimates (or applied twice): lr belongs "
                     "to the step only, so that a schedule changes every later step",
    "alpha_swapped": "RMSProp's alpha and 1 - alpha are swapped in the running average of grad**2",
    "eps_inside_sqrt": "eps was added inside the square root instead of after it",
    "no_bias_correction": "Adam's bias correction is missing (m / (1 - beta1**t), v / (1 - beta2**t))",
    "ignored_argument": "a hyperparameter passed in (lr, momentum, alpha, beta1, beta2, eps) was ignored: a "
                        "fixed number is written where the argument belongs",
    "adam_step_count": "Adam's step count t is off: it must be 1 at the first step (increase it before use)",
    "same_order_every_epoch": "every epoch sees the examples in the same order: draw a new permutation from the "
                              "rng at every epoch",
    "dropped_last_batch": "the last, smaller batch is missing, so some examples are never used",
    "repeated_examples": "some examples come more than once in an epoch (and others never): the rows were drawn "
                         "with replacement, or batches never stops",
    "unpaired_shuffle": "X and y were shuffled with different permutations: a batch's labels belong to other "
                        "examples",
    "gradient_accumulation": "gradients were not reset between batches, so each step used the sum of all "
                             "gradients so far",
    "step_before_backward": "the optimizer stepped before backward, with the previous batch's gradients",
    "step_count": "the optimizer did not step exactly once per batch (never, or twice)",
    "loss_after_step": "the loss returned was measured after the optimizer's step, not on the forward pass the "
                       "gradients came from",
    "wrong_mode": "dropout was on during evaluation (or off during training): model.train() before the "
                  "batches, model.eval() before evaluating",
    "below_target": "the trained network scores below the target accuracy on the test images (scored by the "
                    "checker with the parameters you returned)",
    "too_slow": "training took longer than the time limit the instructor set",
    "wrong_value": "the values are wrong in a way that matches none of the categories above",
}


def describe(mistake: str) -> str:
    """The one-line description of ``mistake`` (KeyError-free: unknown keys are echoed)."""
    return MISTAKES.get(mistake, mistake)
