"""glasstorch: a from-scratch NumPy deep-learning framework with PyTorch's API.

    import glasstorch as torch
"""
from . import autograd, diagnostics, dtypes, nn, optim, utils, viz
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, normal,
                       ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros,
                       zeros_like)
from .dtypes import (bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int, int8, int16,
                     int32, int64, long, set_default_dtype, short, uint8)
from .ops.activation import log_softmax, softmax
from .ops.elementwise import (abs, add, clamp, cos, div, exp, log, maximum, minimum, mul, neg, pow, relu, sigmoid,
                              sin, sqrt, sub, tanh, where)
from .ops.matmul import matmul
from .ops.reduce import argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from .ops.shape import cat, chunk, flatten, permute, reshape, split, squeeze, stack, transpose, unsqueeze
from .serialization import load, save
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Size, Tensor, device

__version__ = "0.1.0"

from .parallel import get_num_threads, set_num_threads, tune_allocator  # noqa: E402

tune_allocator()

clip = clamp
mm = matmul
concat = concatenate = cat


def numel(x):
    return x.numel()


def is_tensor(x):
    return isinstance(x, Tensor)


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    return a.allclose(b, rtol, atol, equal_nan)


def equal(a, b):
    return a.equal(b)


def t(x):
    return x.t()


class cuda:
    """glasstorch computes on the CPU; this answers the usual `torch.cuda.is_available()` check."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        return None

    manual_seed_all = manual_seed
