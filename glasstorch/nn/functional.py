"""`glasstorch.nn.functional`: the stateless layer ops (PyTorch's F)."""
from ..ops.activation import (elu, gelu, hardtanh, leaky_relu, log_softmax, relu, relu6, sigmoid, softmax, softplus,
                              tanh)
from ..ops.conv import conv2d, conv_transpose2d
from ..ops.dropout import dropout, dropout2d
from ..ops.embedding import embedding, one_hot
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, l1_loss,
                        mse_loss, nll_loss, smooth_l1_loss)
from ..ops.matmul import linear
from ..ops.normalization import batch_norm, layer_norm
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..ops.shape import flatten, pad

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv2d", "conv_transpose2d", "cross_entropy", "dropout", "elu",
           "flatten", "gelu",
           "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "pad", "relu",
           "sigmoid", "softmax", "softplus", "tanh", "dropout2d", "hardtanh", "relu6", "embedding", "one_hot",
           "layer_norm", "huber_loss", "smooth_l1_loss"]
