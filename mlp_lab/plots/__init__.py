"""Figures for the chapters; each function returns a matplotlib Figure and never calls plt.show().

Use as ``from mlp_lab import plots; fig = plots.plot_history(history)``. Functions that draw a
single panel accept ``ax=`` so a chapter can compose several in one figure.
"""

from .classification import plot_confusion_matrix, plot_decision_boundary, plot_probabilities
from .digits import plot_digits
from .functions import plot_function_and_derivative
from .gears import plot_gears
from .network import plot_network
from .paths import plot_optimizer_paths
from .training import plot_histories, plot_history
from .weights import plot_weight_histograms, plot_weight_images

__all__ = [
    "plot_confusion_matrix", "plot_decision_boundary", "plot_digits", "plot_function_and_derivative",
    "plot_gears", "plot_histories", "plot_history", "plot_network", "plot_optimizer_paths", "plot_probabilities",
    "plot_weight_histograms", "plot_weight_images",
]
