"""mlp_lab: a small, readable multilayer perceptron in NumPy (the course's reference package).

Batch first everywhere: ``Y = X @ W + b`` with ``W`` of shape ``(n_in, n_out)``.
"""

from .activations import (log_softmax, relu, relu_backward, relu_prime, sigmoid, sigmoid_backward,
                          sigmoid_prime, softmax, tanh, tanh_prime)
from .capstone import train_network
from .data import load_mnist, mnist_cache_dir, one_hot, train_val_split, xor
from .layers import (Dropout, Layer, Linear, ReLU, Sigmoid, Tanh, dropout_backward, dropout_forward,
                     linear_backward, linear_forward)
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse,
                     softmax_cross_entropy)
from .metrics import accuracy
from .model import MLP, Sequential
from .optim import SGD, Adam, RMSProp
from .regularization import l1_penalty, l2_penalty
from .train import batches, evaluate, fit, train_step
from .two_layer import forward_pass, network_gradients

__version__ = "0.1.0"
