"""`glasstorch.nn.functional`: the stateless layer ops (PyTorch's F)."""
from ..ops.activation import log_softmax, softmax
from ..ops.conv import conv2d
from ..ops.elementwise import dropout, elu, gelu, leaky_relu, relu, sigmoid, softplus, tanh
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                        nll_loss)
from ..ops.matmul import linear
from ..ops.normalization import batch_norm
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..ops.shape import flatten, pad

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout", "elu", "flatten", "gelu",
           "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "pad", "relu",
           "sigmoid", "softmax", "softplus", "tanh"]
