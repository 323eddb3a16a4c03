"""glasstorch: a from-scratch NumPy deep-learning framework with PyTorch's API.

    import glasstorch as torch
"""
from . import autograd, diagnostics, distributed, dtypes, linalg, nn, optim, utils, viz
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, layout,
                       linspace, multinomial, normal, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, sparse_coo, strided, tensor, zeros, zeros_like)
from .explain import explain
from .summary import summary
from .dtypes import (bool, channels_last, channels_last_3d, contiguous_format, double, dtype, float, float16, float32,
                     float64, get_default_dtype, half, int, int8, int16, int32, int64, long, memory_format,
                     preserve_format, set_default_dtype, short, uint8)
from .ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from .ops.division import div, floor_divide, fmod, remainder
from .ops.elementwise import (abs, add, clamp, cos, erf, exp, log, maximum, minimum, mul, neg, pow, sin, sqrt, sub,
                              where)
from .ops.norms import tensor_norm as norm
from .ops.special import atan2, xlogy
from .ops.indexing import (argsort, argwhere, gather, index_select, masked_select, nonzero, scatter, scatter_add, sort,
                           topk, unique)
from .ops.matmul import bmm, einsum, matmul
from .ops.scan import cumprod, cumsum
from .ops.reduce import amax, amin, argmax, argmin, logsumexp, max, mean, median, min, prod, std, sum, var
from .ops.shape import cat, chunk, flatten, flip, permute, reshape, split, squeeze, stack, transpose, unsqueeze
from .serialization import load, save
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Size, Tensor, device
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor,
                     ShortTensor)
from .devices import accelerator, backends, cuda

__version__ = "0.1.0"

from .kernels import get_kernels, set_kernels  # noqa: E402
from .kernels.threads import get_num_threads, set_num_threads, tune_allocator  # noqa: E402

tune_allocator()


def _take_out(names, exact_dtype=False, computes_in_out_dtype=False):
    """PyTorch's out= keyword on the torch.* functions that have it (Tensor methods and glasstorch's own calls go
    without the extra layer)."""
    from .ops.out import accepts_out

    for name in names:
        globals()[name] = accepts_out(globals()[name], exact_dtype, computes_in_out_dtype)


_take_out(["add", "atan2", "cat", "cos", "div", "erf", "exp", "floor_divide", "fmod", "log", "logsumexp", "maximum",
           "mean", "minimum", "mul", "nonzero", "pow", "prod", "remainder", "sigmoid", "sin", "sqrt", "stack", "sub",
           "sum", "tanh", "xlogy"])
_take_out(["abs", "amax", "amin", "bmm", "clamp", "gather", "index_select", "masked_select", "matmul", "neg", "where"],
          exact_dtype=True)     # out must have the result's dtype, as in torch
_take_out(["cumprod", "cumsum", "std", "var"], computes_in_out_dtype=True)     # computed in a wider out's dtype


def set_default_device(device_):
    """PyTorch's default device for new tensors: glasstorch has only the CPU, so 'cpu' (or None) is accepted and
    an accelerator is refused with one line."""
    from .tensor import check_device

    check_device(device_)


def get_default_device():
    return device("cpu")


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


def _register_device_modules():
    """`import torch.cuda` / `torch.backends.mps` find these modules (glasstorch run maps torch.* to glasstorch.*)."""
    import sys

    from . import devices

    for name, module in devices.MODULES.items():
        sys.modules[f"{__name__}.{name}"] = module


_register_device_modules()
