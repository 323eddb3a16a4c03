"""The edge table: sample inputs for every public op, each labelled with the edge it probes (PyTorch keeps the
same idea as OpInfo in torch/testing/_internal/common_methods_invocations.py; this is ours, smaller).

An `OpInfo` names an op, how to call it in a framework (`call(ns, *args, **kwargs)`, where `ns.torch`, `ns.F` and
`ns.linalg` are glasstorch's or PyTorch's namespaces) and its samples. A `Sample` holds NumPy arrays (they become
tensors in both frameworks; float ones require grad), Python values (passed as they are) and lists of arrays (a
list of tensors, for cat and stack). tests/ops/test_edges.py runs every sample in both frameworks and compares.

Edge kinds (the columns of the coverage table):
"""
import dataclasses
import math
from typing import Callable

import numpy as np

KINDS = {
    "random": "ordinary values (the baseline)",
    "zero": "+0 and -0, and 0 where a derivative has a pole or a kink",
    "tie": "equal values inside a reduction, window, sort, top-k or between two operands",
    "bound": "values exactly at a clamp, threshold, hardtanh or loss bound",
    "inf": "+inf and -inf",
    "nan": "NaN: how it propagates",
    "saturate": "large inputs: sigmoid/tanh at +-50, softmax at +-1000, losses at 0 and 1",
    "empty": "a zero-size dimension",
    "one": "one element in a reduction, a batch of one",
    "0-d": "a 0-d tensor or a Python scalar (type promotion)",
    "int": "integer dtypes: negatives, division by zero, uint8 overflow",
    "bool": "bool tensors",
    "mixed": "operands of different dtypes (type promotion)",
    "error": "input PyTorch refuses: the same exception type",
}

INF, NAN = math.inf, math.nan


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    kind: str = "random"
    grad: bool = True               # check gradients (of the float inputs)
    indices_undefined: bool = False  # PyTorch leaves which of tied elements comes first undefined: compare values only

    def __post_init__(self):
        assert self.kind in KINDS, self.kind


@dataclasses.dataclass
class OpInfo:
    name: str                       # the public name, as in the coverage table
    call: Callable
    samples: Callable[[], list]
    grad: bool = True               # the op has a gradient in PyTorch
    gradgrad: bool = False          # check the gradient of the gradient too
    rtol: float = 1e-5              # float32 values; float64 uses 1e-10
    grad_rtol: float = 1e-4


def torch_fn(name):
    return lambda ns, *args, **kwargs: getattr(ns.torch, name)(*args, **kwargs)


def functional(name):
    return lambda ns, *args, **kwargs: getattr(ns.F, name)(*args, **kwargs)


def linalg(name):
    return lambda ns, *args, **kwargs: getattr(ns.linalg, name)(*args, **kwargs)


def method(name):
    return lambda ns, x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


# ---------------------------------------------------------------- arrays
def f32(*values):
    return np.array(values, dtype=np.float32)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, shape).astype(dtype)


def positive(*shape, dtype=np.float32, seed=0):
    return rand(*shape, dtype=dtype, low=0.1, high=3.0, seed=seed)


def ints(*values, dtype=np.int64):
    return np.array(values, dtype=dtype)


def scalar(value, dtype=np.float32):
    return np.array(value, dtype=dtype)


# ---------------------------------------------------------------- sample families
def unary(domain=rand, saturate=(-50.0, 50.0), integers=True):
    """Elementwise f(x): every edge a unary op meets."""
    def samples():
        cases = [Sample((domain(3, 4),)),
                 Sample((f32(0.0, -0.0, 1.0, -1.0),), kind="zero"),
                 Sample((f32(INF, -INF, 1.0),), kind="inf"),
                 Sample((f32(NAN, 1.0),), kind="nan"),
                 Sample((f32(*saturate, -1000.0, 1000.0),), kind="saturate"),
                 Sample((np.zeros((0, 3), np.float32),), kind="empty"),
                 Sample((scalar(0.5),), kind="0-d"),
                 Sample((domain(2, 3, dtype=np.float64),), kind="mixed")]
        if integers:
            cases += [Sample((ints(-2, 0, 3),), kind="int"), Sample((np.array([True, False]),), kind="bool")]
        return cases
    return samples


def binary(integer_zero_division=True, bools=True, tie=True):
    """f(a, b) elementwise with broadcasting and PyTorch's type promotion."""
    def samples():
        cases = [Sample((rand(3, 4), rand(4, seed=1))),
                 Sample((f32(0.0, -0.0, 1.0, -1.0, 0.0), f32(0.0, 0.0, -0.0, -0.0, -0.0)), kind="zero"),
                 Sample((f32(INF, -INF, 1.0, INF, 2.0), f32(1.0, INF, INF, -INF, -INF)), kind="inf"),
                 Sample((f32(NAN, 1.0, NAN), f32(1.0, NAN, NAN)), kind="nan"),
                 Sample((np.zeros((0, 3), np.float32), rand(3)), kind="empty"),
                 Sample((rand(3), scalar(2.0)), kind="0-d"),
                 Sample((rand(2, 2), 2.5), kind="0-d"),
                 Sample((rand(2, 2), 3), kind="0-d"),
                 Sample((ints(7, -7, 7, -7, 0), ints(2, 2, -2, -2, 3)), kind="int"),
                 Sample((ints(200, 100, 255, dtype=np.uint8), ints(100, 200, 1, dtype=np.uint8)), kind="int"),
                 Sample((ints(3, -4, 5), rand(3)), kind="mixed"),
                 Sample((rand(3), rand(3, dtype=np.float64, seed=2)), kind="mixed"),
                 Sample((ints(1, 2, dtype=np.int32), ints(3, 4)), kind="mixed"),
                 Sample((ints(3, 4), 2.5), kind="mixed")]
        if tie:
            cases.append(Sample((f32(1.0, 2.0, -3.0), f32(1.0, 0.5, -3.0)), kind="tie"))
        if integer_zero_division:
            cases += [Sample((ints(5, -5, 0), ints(0, 0, 0)), kind="int"),
                      Sample((f32(5.0, -5.0, 0.0, 3.5), f32(0.0, 0.0, 0.0, 2.0)), kind="zero")]
        if bools:
            cases.append(Sample((np.array([True, False, True]), np.array([True, True, False])), kind="bool"))
        return cases
    return samples


def reduction(dims=True, integers=True, empty_all=True):
    """A reduction over all elements and over a dim (keepdim both ways)."""
    def samples():
        cases = [Sample((rand(3, 4),)),
                 Sample((f32(1.0, 3.0, 3.0, -2.0, -2.0),), kind="tie"),
                 Sample((f32(0.0, -0.0),), kind="zero"),
                 Sample((f32(1.0, NAN, 3.0),), kind="nan"),
                 Sample((f32(INF, 1.0, -INF),), kind="inf"),
                 Sample((f32(INF, 1.0, INF),), kind="inf"),
                 Sample((f32(5.0),), kind="one"),
                 Sample((scalar(2.5),), kind="0-d")]
        if empty_all:
            cases.append(Sample((np.zeros((0, 3), np.float32),), kind="empty"))
        if dims:
            cases += [Sample((rand(3, 4),), {"dim": 1}),
                      Sample((rand(3, 4),), {"dim": 0, "keepdim": True}),
                      Sample((rand(2, 3, 4),), {"dim": -1}),
                      Sample((np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32),), {"dim": 1}, kind="tie"),
                      Sample((np.array([[1.0, NAN, 3.0], [2.0, 2.0, 0.0]], np.float32),), {"dim": 1}, kind="nan"),
                      Sample((np.zeros((0, 3), np.float32),), {"dim": 1}, kind="empty"),
                      Sample((np.zeros((0, 3), np.float32),), {"dim": 0}, kind="empty"),
                      Sample((f32(4.0).reshape(1, 1),), {"dim": 0}, kind="one"),
                      Sample((rand(3, 4),), {"dim": 2}, kind="error")]
        if integers:
            cases += [Sample((ints(3, -1, 3, 0),), kind="int"),
                      Sample((np.array([True, False, True]),), kind="bool")]
        return cases
    return samples


def reduction_with_dim(**options):
    """Reductions that PyTorch calls with a dim only (logsumexp, cumsum, softmax ...)."""
    def samples():
        return [s for s in reduction(**options)() if "dim" in s.kwargs]
    return samples


def _softmax_samples():
    return [Sample((rand(3, 4),), {"dim": 1}),
            Sample((rand(2, 3, 4),), {"dim": 0}),
            Sample((f32(-1000.0, 0.0, 1000.0),), {"dim": 0}, kind="saturate"),
            Sample((f32(1000.0, 1000.0),), {"dim": 0}, kind="tie"),
            Sample((f32(-INF, 0.0, 1.0),), {"dim": 0}, kind="inf"),
            Sample((f32(-INF, -INF),), {"dim": 0}, kind="inf"),
            Sample((f32(INF, 1.0),), {"dim": 0}, kind="inf"),
            Sample((f32(NAN, 1.0),), {"dim": 0}, kind="nan"),
            Sample((np.zeros((0, 3), np.float32),), {"dim": 1}, kind="empty"),
            Sample((f32(3.0),), {"dim": 0}, kind="one"),
            Sample((scalar(1.5),), {"dim": 0}, kind="0-d"),
            Sample((rand(3, 4, dtype=np.float64),), {"dim": -1}, kind="mixed"),
            Sample((ints(1, 2, 3),), {"dim": 0}, kind="int"),
            Sample((rand(3, 4),), {"dim": 2}, kind="error")]


def _clamp_samples():
    x = f32(0.0, 1.0, 1.5, 2.0, 3.0)
    return [Sample((rand(3, 4),), {"min": -0.5, "max": 0.5}),
            Sample((x,), {"min": 1.0, "max": 2.0}, kind="bound"),
            Sample((x,), {"min": 1.0}, kind="bound"),
            Sample((x,), {"max": 2.0}, kind="bound"),
            Sample((x, f32(1.0, 1.0, 1.0, 1.0, 1.0), f32(2.0, 2.0, 2.0, 2.0, 2.0)), kind="bound"),
            Sample((x,), {"min": 2.0, "max": 1.0}, kind="bound"),
            Sample((f32(NAN, INF, -INF),), {"min": 0.0, "max": 1.0}, kind="nan"),
            Sample((f32(0.5, 2.0),), {"min": NAN}, kind="nan"),
            Sample((f32(-0.0, 0.0),), {"min": 0.0}, kind="zero"),
            Sample((np.zeros((0,), np.float32),), {"min": 0.0}, kind="empty"),
            Sample((scalar(3.0),), {"max": 1.0}, kind="0-d"),
            Sample((ints(-3, 0, 5),), {"min": -1, "max": 2}, kind="int"),
            Sample((ints(-3, 0, 5),), {"min": 0.5}, kind="mixed"),
            Sample((ints(-3, 0, 5), f32(0.5, 0.5, 0.5)), kind="mixed"),
            Sample((x, f32(1.0, 1.0, 1.0, 1.0, 1.0)), {"max": 2.0}, kind="error"),
            Sample((x,), {}, kind="error")]


def _norm_samples():
    cases = []
    for p in (2, 1, 3, 0.5, INF, -INF, 0):
        cases += [Sample((rand(3, 4),), {"p": p}),
                  Sample((f32(0.0, 0.0, 0.0),), {"p": p}, kind="zero"),
                  Sample((f32(0.0, 3.0, -4.0),), {"p": p}, kind="zero")]
    return cases + [Sample((f32(3.0, -3.0, 1.0),), {"p": INF}, kind="tie"),
                    Sample((rand(3, 4),), {"p": 2, "dim": 1}),
                    Sample((np.array([[0.0, 0.0], [3.0, 4.0]], np.float32),), {"p": 2, "dim": 1}, kind="zero"),
                    Sample((f32(INF, 1.0),), {}, kind="inf"),
                    Sample((f32(NAN, 1.0),), {}, kind="nan"),
                    Sample((f32(1e30, 1e30),), {}, kind="saturate"),
                    Sample((np.zeros((0,), np.float32),), {}, kind="empty"),
                    Sample((scalar(-2.0),), {}, kind="0-d"),
                    Sample((rand(3, dtype=np.float64),), {}, kind="mixed")]


def _vector_norm_samples():
    cases = [Sample(s.args, {("ord" if k == "p" else k): v for k, v in s.kwargs.items()}, s.kind) for s in
             _norm_samples()]
    return cases + [Sample((ints(3, 4),), {}, kind="error"),
                    Sample((rand(2, 3, 4),), {"dim": (0, 2), "keepdim": True}),
                    Sample((np.zeros((0, 3), np.float32),), {"ord": INF}, kind="empty")]


def _matrix_norm_samples():
    return [Sample((rand(3, 4),)),
            Sample((rand(3, 4),), {"ord": 1}),
            Sample((rand(3, 4),), {"ord": -1}),
            Sample((rand(3, 4),), {"ord": INF}),
            Sample((rand(3, 4),), {"ord": -INF}),
            Sample((rand(2, 3, 4),), {"ord": "fro", "keepdim": True}),
            Sample((np.zeros((2, 2), np.float32),), kind="zero"),
            Sample((np.array([[1.0, -1.0], [-1.0, 1.0]], np.float32),), {"ord": 1}, kind="tie"),
            Sample((np.array([[INF, 1.0], [1.0, 1.0]], np.float32),), kind="inf"),
            Sample((np.array([[NAN, 1.0], [1.0, 1.0]], np.float32),), kind="nan"),
            Sample((np.zeros((0, 3), np.float32),), kind="empty"),
            Sample((rand(3),), kind="error"),
            Sample((rand(3, 3),), {"ord": 3}, kind="error")]


def _linalg_norm_samples():
    return [Sample((rand(3, 4),)), Sample((rand(4),), {"ord": 3}), Sample((rand(3, 4),), {"ord": "fro"}),
            Sample((rand(3, 4),), {"ord": 1}), Sample((rand(3, 4),), {"dim": 1}),
            Sample((f32(0.0, 0.0),), kind="zero"), Sample((np.zeros((2, 2), np.float32),), kind="zero"),
            Sample((f32(NAN, 1.0),), kind="nan"), Sample((np.zeros((0,), np.float32),), kind="empty"),
            Sample((rand(2, 3, 4),), {"ord": "fro"}, kind="error")]


def _median_samples():
    return [Sample((rand(3, 4),)),
            Sample((rand(3, 5),), {"dim": 1}),
            Sample((rand(4, 3),), {"dim": 0, "keepdim": True}),
            Sample((f32(1.0, 2.0, 3.0, 4.0),), kind="tie"),
            Sample((f32(2.0, 2.0, 1.0, 2.0),), kind="tie"),
            Sample((np.array([[2.0, 2.0, 1.0], [5.0, 5.0, 5.0]], np.float32),), {"dim": 1}, kind="tie"),
            Sample((f32(1.0, NAN, 3.0),), kind="nan"),
            Sample((np.array([[1.0, NAN, 3.0], [1.0, 2.0, 3.0]], np.float32),), {"dim": 1}, kind="nan"),
            Sample((f32(INF, -INF, 1.0),), kind="inf"),
            Sample((f32(5.0),), kind="one"),
            Sample((scalar(2.0),), kind="0-d"),
            Sample((np.zeros((0,), np.float32),), kind="empty"),
            Sample((np.zeros((0, 3), np.float32),), {"dim": 1}, kind="empty"),
            Sample((ints(3, 1, 2, 2),), kind="int"),
            Sample((rand(3, 4),), {"dim": 3}, kind="error")]


def _sort_samples(extra=None):
    def samples():
        return [Sample((rand(3, 4),), dict(extra or {})),
                Sample((rand(3, 4),), {**(extra or {}), "dim": 0}),
                Sample((f32(2.0, 1.0, 2.0, 0.0, 1.0),), dict(extra or {}), kind="tie", indices_undefined=True),
                Sample((f32(NAN, 1.0, -INF, INF, 0.0),), dict(extra or {}), kind="nan"),
                Sample((f32(0.0, -0.0, 1.0),), dict(extra or {}), kind="zero", indices_undefined=True),
                Sample((np.zeros((0,), np.float32),), dict(extra or {}) if "k" not in (extra or {}) else {"k": 0},
                       kind="empty"),
                Sample((ints(3, -1, 2),), dict(extra or {}), kind="int")]
    return samples


def _topk_samples():
    return [Sample((rand(3, 5),), {"k": 2}),
            Sample((rand(3, 5),), {"k": 2, "largest": False}),
            Sample((f32(2.0, 1.0, 2.0, 2.0, 0.0),), {"k": 2}, kind="tie", indices_undefined=True),
            Sample((f32(NAN, 1.0, 3.0),), {"k": 2}, kind="nan"),
            Sample((f32(INF, -INF, 0.0),), {"k": 1}, kind="inf"),
            Sample((np.zeros((0,), np.float32),), {"k": 0}, kind="empty"),
            Sample((ints(3, 1, 2),), {"k": 2}, kind="int"),
            Sample((rand(3),), {"k": 4}, kind="error")]


def _cum_samples():
    return [Sample((rand(3, 4),), {"dim": 1}),
            Sample((f32(2.0, 0.0, 3.0, 0.0, 4.0),), {"dim": 0}, kind="zero"),
            Sample((f32(1.0, INF, -INF),), {"dim": 0}, kind="inf"),
            Sample((f32(1.0, NAN, 2.0),), {"dim": 0}, kind="nan"),
            Sample((np.zeros((0, 3), np.float32),), {"dim": 0}, kind="empty"),
            Sample((scalar(3.0),), {"dim": 0}, kind="0-d"),
            Sample((ints(1, -2, 3),), {"dim": 0}, kind="int"),
            Sample((np.array([True, True, False]),), {"dim": 0}, kind="bool"),
            Sample((rand(3, 4),), {"dim": 2}, kind="error")]


def _matmul_samples():
    return [Sample((rand(3, 4), rand(4, 5, seed=1))),
            Sample((rand(4), rand(4, seed=1))),
            Sample((rand(2, 3, 4), rand(4, seed=1))),
            Sample((rand(4), rand(2, 4, 3, seed=1))),
            Sample((rand(2, 1, 3, 4), rand(3, 4, 2, seed=1))),
            Sample((np.zeros((3, 0), np.float32), np.zeros((0, 2), np.float32)), kind="empty"),
            Sample((np.zeros((0, 4), np.float32), rand(4, 2)), kind="empty"),
            Sample((np.array([[INF, 0.0]], np.float32), np.array([[0.0], [1.0]], np.float32)), kind="inf"),
            Sample((np.array([[NAN, 1.0]], np.float32), np.array([[1.0], [1.0]], np.float32)), kind="nan"),
            Sample((np.array([[1, 2], [3, 4]]), np.array([[5], [6]])), kind="int"),
            Sample((rand(2, 2), rand(2, 2, dtype=np.float64)), kind="mixed"),
            Sample((rand(3, 4), rand(3, 4)), kind="error"),
            Sample((scalar(2.0), rand(3)), kind="error")]


def _cat_samples(stack=False):
    def samples():
        cases = [Sample(([rand(2, 3), rand(2, 3, seed=1)],)),
                 Sample(([rand(2, 3), rand(2, 3, seed=1)],), {"dim": 1}),
                 Sample(([rand(2, 3), rand(2, 3, dtype=np.float64)],), kind="mixed"),
                 Sample(([ints(1, 2), rand(2)],), kind="mixed"),
                 Sample(([np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32)],), kind="empty"),
                 Sample(([ints(1, 2), ints(3, 4)],), kind="int"),
                 Sample(([np.array([True]), np.array([False])],), kind="bool"),
                 Sample(([],), kind="error"),
                 Sample(([rand(2, 3), rand(3, 2)],), {"dim": 1}, kind="error")]
        if not stack:
            cases += [Sample(([rand(2, 3), np.zeros((0, 3), np.float32)],), kind="empty"),
                      Sample(([rand(2, 3), np.zeros((0,), np.float32)],), kind="empty"),
                      Sample(([scalar(1.0), scalar(2.0)],), kind="error")]
        else:
            cases.append(Sample(([scalar(1.0), scalar(2.0)],), kind="0-d"))
        return cases
    return samples


def _shape_samples(*kwargs_list, empty=True, zero_d=None):
    """Ops that rearrange elements: their edges are shapes and dtypes."""
    def samples():
        cases = [Sample((rand(2, 3, 4),), dict(kw)) for kw in kwargs_list]
        if empty:
            cases.append(Sample((np.zeros((2, 0, 4), np.float32),), dict(kwargs_list[0]), kind="empty"))
        if zero_d is not None:
            cases.append(Sample((scalar(2.0),), dict(zero_d), kind="0-d"))
        cases += [Sample((ints(*range(24)).reshape(2, 3, 4),), dict(kwargs_list[0]), kind="int"),
                  Sample((np.arange(24).reshape(2, 3, 4) % 2 == 0,), dict(kwargs_list[0]), kind="bool")]
        return cases
    return samples


def _pool_samples(op):
    def samples():
        ties = np.zeros((1, 1, 4, 4), np.float32)
        ties[0, 0, 1, 1] = ties[0, 0, 1, 0] = 1.0
        special = rand(1, 1, 4, 4)
        special[0, 0, 0, 0], special[0, 0, 2, 3] = NAN, INF
        cases = [Sample((rand(2, 3, 6, 6),), {"kernel_size": 2}),
                 Sample((rand(2, 3, 7, 7),), {"kernel_size": 3, "stride": 2, "padding": 1}),
                 Sample((rand(1, 2, 5, 5),), {"kernel_size": 2, "ceil_mode": True}),
                 Sample((ties,), {"kernel_size": 2}, kind="tie"),
                 Sample((np.zeros((1, 1, 4, 4), np.float32),), {"kernel_size": 2}, kind="tie"),
                 Sample((special,), {"kernel_size": 2}, kind="nan"),
                 Sample((np.full((1, 1, 2, 2), -INF, np.float32),), {"kernel_size": 2}, kind="inf"),
                 Sample((np.zeros((0, 3, 4, 4), np.float32),), {"kernel_size": 2}, kind="empty"),
                 Sample((rand(3, 4, 4),), {"kernel_size": 2}, kind="one"),
                 Sample((rand(1, 1, 2, 2),), {"kernel_size": 3}, kind="error")]
        if op == "avg":
            cases.append(Sample((rand(1, 2, 5, 5),), {"kernel_size": 3, "padding": 1, "count_include_pad": False}))
        return cases
    return samples


def _with(array, index, value):
    """array with array[index] = value (an inf or NaN placed in a random sample)."""
    array[index] = value
    return array


def _conv_samples():
    return [Sample((rand(2, 3, 6, 6), rand(4, 3, 3, 3, seed=1), rand(4, seed=2))),
            Sample((rand(1, 4, 7, 7), rand(4, 2, 3, 3, seed=1)), {"stride": 2, "padding": 1, "groups": 2}),
            Sample((rand(1, 2, 6, 6), rand(3, 2, 2, 2, seed=1)), {"dilation": 2, "padding": "same"}),
            Sample((np.zeros((0, 3, 5, 5), np.float32), rand(2, 3, 3, 3)), kind="empty"),
            Sample((rand(3, 5, 5), rand(2, 3, 3, 3, seed=1)), kind="one"),
            Sample((np.full((1, 1, 3, 3), NAN, np.float32), rand(1, 1, 2, 2)), kind="nan"),
            Sample((np.zeros((1, 1, 3, 3), np.float32), rand(1, 1, 3, 3)), kind="zero"),
            Sample((_with(rand(1, 2, 5, 5), (0, 1, 2, 2), INF), rand(3, 2, 3, 3, seed=1)), {"padding": 1}, kind="inf"),
            Sample((rand(1, 2, 5, 5), _with(rand(3, 2, 3, 3, seed=1), (1, 0, 0, 0), INF)), kind="inf"),
            Sample((rand(1, 2, 5, 5), _with(rand(3, 2, 3, 3, seed=1), (1, 0, 0, 0), INF)), {"padding": 1},
                   kind="inf"),
            Sample((rand(1, 2, 5, 5), rand(3, 2, 2, 2, dtype=np.float64)), kind="error"),
            Sample((rand(1, 2, 5, 5), rand(3, 4, 2, 2)), kind="error"),
            Sample((rand(1, 2, 2, 2), rand(3, 2, 3, 3)), kind="error")]


def _conv_transpose_samples():
    return [Sample((rand(2, 3, 4, 4), rand(3, 2, 3, 3, seed=1), rand(2, seed=2))),
            Sample((rand(1, 4, 3, 5), rand(4, 2, 3, 3, seed=1)), {"stride": 2, "padding": 1, "output_padding": 1}),
            Sample((rand(1, 4, 3, 3), rand(4, 1, 2, 2, seed=1)), {"stride": 2, "groups": 2, "dilation": 2}),
            Sample((np.zeros((0, 3, 4, 4), np.float32), rand(3, 2, 3, 3)), kind="empty"),
            Sample((rand(3, 4, 4), rand(3, 2, 3, 3, seed=1)), kind="one"),
            Sample((np.full((1, 1, 3, 3), NAN, np.float32), rand(1, 1, 2, 2)), kind="nan"),
            Sample((rand(1, 2, 4, 4), rand(3, 2, 3, 3)), kind="error"),
            Sample((rand(1, 3, 4, 4), rand(3, 2, 3, 3)), {"stride": 2, "output_padding": 2}, kind="error")]


def _loss_pair_samples(kind_bounds=(), scalar_ok=True):
    """Regression losses of (input, target)."""
    def samples():
        cases = [Sample((rand(3, 4), rand(3, 4, seed=1))),
                 Sample((rand(3, 4), rand(3, 4, seed=1)), {"reduction": "sum"}),
                 Sample((rand(3, 4), rand(3, 4, seed=1)), {"reduction": "none"}),
                 Sample((f32(1.0, 2.0), f32(1.0, 2.0)), kind="zero"),
                 Sample((f32(INF, 1.0), f32(1.0, 1.0)), kind="inf"),
                 Sample((f32(NAN, 1.0), f32(1.0, 1.0)), kind="nan"),
                 Sample((np.zeros((0,), np.float32), np.zeros((0,), np.float32)), kind="empty"),
                 Sample((np.zeros((0,), np.float32), np.zeros((0,), np.float32)), {"reduction": "sum"},
                        kind="empty"),
                 Sample((rand(3, 4), rand(3, 4, seed=1)), {"reduction": "avg"}, kind="error")]
        for args, kwargs in kind_bounds:
            cases.append(Sample(args, kwargs, kind="bound"))
        return cases
    return samples


def _cross_entropy_samples():
    logits = rand(4, 5)
    return [Sample((logits, ints(0, 4, 2, 2))),
            Sample((logits, ints(0, 4, 2, 2)), {"reduction": "sum"}),
            Sample((logits, ints(0, 4, 2, 2)), {"reduction": "none"}),
            Sample((logits, ints(0, 4, 2, 2)), {"label_smoothing": 0.1}),
            Sample((logits, ints(0, -100, 2, -100)), {"ignore_index": -100}, kind="bound"),
            Sample((logits, ints(-100, -100, -100, -100)), kind="bound"),
            Sample((logits, ints(-100, -100, -100, -100)), {"label_smoothing": 0.2}, kind="bound"),
            Sample((logits, ints(0, 4, 2, 2)), {"weight": f32(0.0, 0.0, 0.0, 0.0, 0.0)}, kind="zero"),
            Sample((np.array([[1000.0, -1000.0, 0.0]], np.float32), ints(1)), kind="saturate"),
            Sample((np.array([[2.0, 2.0, 2.0]], np.float32), ints(1)), kind="tie"),
            Sample((np.array([[-INF, 0.0, 1.0]], np.float32), ints(2)), kind="inf"),
            Sample((np.array([[NAN, 0.0]], np.float32), ints(1)), kind="nan"),
            Sample((np.zeros((0, 5), np.float32), np.zeros((0,), np.int64)), kind="empty"),
            Sample((np.zeros((0, 5), np.float32), np.zeros((0,), np.int64)), {"reduction": "sum"}, kind="empty"),
            Sample((rand(5), ints(3).reshape(())), kind="0-d"),
            Sample((rand(2, 3, 2, 2), ints(0, 1, 2, 0, 1, 2, 0, 1).reshape(2, 2, 2))),
            Sample((rand(4, 5, dtype=np.float64), ints(0, 1, 2, 3)), kind="mixed"),
            Sample((logits, ints(0, 5, 2, 2)), kind="error"),
            Sample((logits, ints(0, 1, 2)), kind="error"),
            Sample((logits, f32(0.0, 1.0, 2.0, 3.0)), kind="error")]


def _nll_samples():
    return [s for s in _cross_entropy_samples() if "label_smoothing" not in s.kwargs]


def _bce_samples():
    p = f32(0.0, 1.0, 0.0, 1.0, 0.5, 1e-7)
    t = f32(0.0, 1.0, 1.0, 0.0, 0.5, 1.0)
    return [Sample((positive(3, 4) / 3.5, rand(3, 4, low=0.0, high=1.0, seed=1))),
            Sample((p, t), kind="bound"),
            Sample((p, t), {"reduction": "none"}, kind="saturate"),
            Sample((p, t), {"weight": f32(1.0, 2.0, 0.0, 1.0, 1.0, 3.0)}, kind="bound"),
            Sample((np.zeros((0,), np.float32), np.zeros((0,), np.float32)), kind="empty"),
            Sample((f32(NAN, 0.5), f32(1.0, 0.0)), kind="nan"),
            Sample((f32(1.5, 0.5), f32(1.0, 0.0)), kind="error"),
            Sample((f32(0.5, 0.5), f32(1.0, 0.0, 1.0)), kind="error")]


def _bce_logits_samples():
    return [Sample((rand(3, 4), rand(3, 4, low=0.0, high=1.0, seed=1))),
            Sample((f32(-100.0, 100.0, 0.0, 50.0), f32(1.0, 0.0, 0.5, 1.0)), kind="saturate"),
            Sample((f32(0.0, 0.0), f32(0.0, 1.0)), kind="zero"),
            Sample((f32(INF, -INF), f32(1.0, 0.0)), kind="inf"),
            Sample((f32(NAN, 1.0), f32(1.0, 0.0)), kind="nan"),
            Sample((rand(3, 4), rand(3, 4, low=0.0, high=1.0, seed=1)), {"pos_weight": positive(4)}),
            Sample((np.zeros((0,), np.float32), np.zeros((0,), np.float32)), kind="empty"),
            Sample((rand(3), rand(2)), kind="error")]


def _activation_samples(bounds, **kwargs):
    """An activation's unary edges plus values exactly at its kinks or bounds."""
    def samples():
        cases = [Sample(s.args, dict(kwargs), s.kind) for s in unary(integers=False)()]
        return cases + [Sample((f32(*bounds),), dict(kwargs), kind="bound")]
    return samples


def _index_samples():
    x = rand(3, 4)
    return {
        "gather": [Sample((x, 1, ints(0, 3, 3, 1, 2, 2).reshape(3, 2))),
                   Sample((x, 0, ints(0, 0, 0, 0).reshape(1, 4)), kind="tie"),
                   Sample((x, 1, np.zeros((3, 0), np.int64)), kind="empty"),
                   Sample((x, 1, ints(4).reshape(1, 1)), kind="error"),
                   Sample((x, 1, f32(0.0).reshape(1, 1)), kind="error")],
        "index_select": [Sample((x, 0, ints(2, 0))), Sample((x, 1, ints(1, 1, 1)), kind="tie"),
                         Sample((x, 0, np.zeros((0,), np.int64)), kind="empty"),
                         Sample((x, 0, ints(3)), kind="error")],
        "scatter": [Sample((x, 1, ints(0, 1, 2, 3, 0, 1).reshape(3, 2), rand(3, 2, seed=1))),
                    Sample((x, 1, ints(3, 3, 3).reshape(3, 1), 5.0), kind="0-d"),
                    Sample((x, 1, ints(4, 0, 0).reshape(3, 1), rand(3, 1)), kind="error")],
        "scatter_add": [Sample((x, 1, ints(0, 0, 2, 2, 1, 1).reshape(3, 2), rand(3, 2, seed=1)), kind="tie"),
                        Sample((x, 1, np.zeros((3, 0), np.int64), np.zeros((3, 0), np.float32)), kind="empty"),
                        Sample((x, 1, ints(5, 0, 0).reshape(3, 1), rand(3, 1)), kind="error")],
        "masked_select": [Sample((x, x > 0)), Sample((x, np.zeros((3, 4), bool)), kind="empty"),
                          Sample((x, np.array([True, False, True, False])), kind="one"),
                          Sample((x, ints(1, 0, 1, 0)), kind="error")],
    }


def _where_samples():
    return [Sample((np.array([True, False, True]), rand(3), rand(3, seed=1))),
            Sample((np.array([[True], [False]]), rand(2, 3), scalar(0.0)), kind="0-d"),
            Sample((np.array([True, False]), f32(NAN, 1.0), f32(1.0, NAN)), kind="nan"),
            Sample((np.array([True, False]), ints(1, 2), rand(2)), kind="mixed"),
            Sample((np.zeros((0,), bool), np.zeros((0,), np.float32), np.zeros((0,), np.float32)), kind="empty"),
            Sample((ints(1, 0), rand(2), rand(2)), kind="error")]


def _embedding_samples():
    weight = rand(5, 3)
    return [Sample((ints(0, 4, 4, 1), weight)),
            Sample((ints(0, 2, 2).reshape(3, 1), weight), {"padding_idx": 2}, kind="tie"),
            Sample((np.zeros((0,), np.int64), weight), kind="empty"),
            Sample((ints(5), weight), kind="error"),
            Sample((f32(1.0), weight), kind="error")]


def _norm_layer_samples(layer):
    def samples():
        if layer == "layer":
            return [Sample((rand(2, 3, 4), [4])),
                    Sample((rand(2, 3, 4), [3, 4], rand(3, 4, seed=1), rand(3, 4, seed=2))),
                    Sample((np.ones((2, 4), np.float32), [4]), kind="tie"),
                    Sample((rand(2, 1), [1]), kind="one"),
                    Sample((np.array([[NAN, 1.0]], np.float32), [2]), kind="nan"),
                    Sample((np.zeros((0, 4), np.float32), [4]), kind="empty"),
                    Sample((rand(2, 3), [4]), kind="error")]
        stats = {"running_mean": rand(3, seed=3), "running_var": positive(3, seed=4)}    # kwargs: no grad
        return [Sample((rand(4, 3),), {**stats, "weight": positive(3), "bias": rand(3, seed=1), "training": True}),
                Sample((rand(4, 3, 2, 2),), {**stats, "training": False}),
                Sample((np.ones((4, 3), np.float32),), {**stats, "training": True}, kind="tie"),
                Sample((rand(1, 3, 2, 2),), {**stats, "training": True}, kind="one"),
                Sample((rand(1, 3),), {"running_mean": None, "running_var": None, "training": True}, kind="error"),
                Sample((rand(4, 3),), {**stats, "training": True, "momentum": 0.5}),
                Sample((np.zeros((0, 3), np.float32),), {**stats, "training": False}, kind="empty")]
    return samples


def _dropout_samples():
    x = rand(3, 4)
    return [Sample((x,), {"p": 0.0}, kind="bound"), Sample((x,), {"p": 1.0}, kind="bound"),
            Sample((x,), {"p": 0.5, "training": False}), Sample((np.zeros((0, 3), np.float32),), {"p": 0.5},
                                                                   kind="empty"),
            Sample((x,), {"p": 1.5}, kind="error"), Sample((x,), {"p": -0.1}, kind="error")]


def _pad_samples():
    return [Sample((rand(1, 2, 3, 3), (1, 1, 2, 0))),
            Sample((rand(1, 2, 3, 3), (1, 1)), {"value": 5.0}, kind="0-d"),
            Sample((rand(2, 3), (0, 0)), kind="zero"),
            Sample((rand(2, 3), (-1, 1)), kind="bound"),
            Sample((np.zeros((0, 3), np.float32), (1, 1)), kind="empty"),
            Sample((ints(1, 2), (1, 1)), kind="int"),
            Sample((rand(2, 3), (1,)), kind="error")]


def _one_hot_samples():
    return [Sample((ints(0, 2, 1),)), Sample((ints(0, 2, 1),), {"num_classes": 5}),
            Sample((ints(1, 1),), kind="tie"), Sample((np.zeros((0,), np.int64),), {"num_classes": 3}, kind="empty"),
            Sample((ints(0, 3),), {"num_classes": 3}, kind="error"), Sample((ints(-1, 0),), kind="error"),
            Sample((f32(1.0),), kind="error")]


def _unique_samples():
    return [Sample((ints(3, 1, 3, 2, 1),)), Sample((ints(3, 1, 3, 2, 1),), {"return_counts": True}, kind="tie"),
            Sample((ints(3, 1, 3),), {"return_inverse": True}, kind="tie"),
            Sample((f32(1.0, NAN, 1.0, -0.0, 0.0),), kind="nan"), Sample((np.zeros((0,), np.float32),), kind="empty"),
            Sample((np.array([True, False, True]),), kind="bool")]


def _einsum_samples():
    return [Sample(("ij,jk->ik", rand(2, 3), rand(3, 4, seed=1))),
            Sample(("ii->", rand(3, 3))), Sample(("i,i->", rand(3), rand(3, seed=1))),
            Sample(("bij,bjk->bik", rand(2, 2, 3), rand(2, 3, 2, seed=1))),
            Sample(("ij->ji", np.zeros((0, 2), np.float32)), kind="empty"),
            Sample(("ij,jk->ik", rand(2, 3), rand(4, 2)), kind="error")]


def _xlogy_samples():
    return [Sample((rand(3, 4), positive(3, 4, seed=1))),
            Sample((f32(0.0, 0.0, 0.0, 1.0), f32(0.0, 2.0, INF, 0.0)), kind="zero"),
            Sample((f32(0.0, 1.0, NAN), f32(NAN, NAN, 1.0)), kind="nan"),
            Sample((f32(2.0, 1.0), f32(INF, -1.0)), kind="inf"),
            Sample((rand(3), 2.0), kind="0-d"),
            Sample((ints(2, 0, 3), ints(3, 0, 1)), kind="int"),
            Sample((np.zeros((0,), np.float32), rand(1)), kind="empty")]


def _pow_samples():
    return binary(integer_zero_division=False)() + [
        Sample((f32(0.0, 0.0, 2.0, -2.0), f32(0.0, 2.0, 0.0, 0.5)), kind="zero"),
        Sample((f32(0.0, -0.0), f32(-1.0, -1.0)), kind="zero"),
        Sample((ints(2, 3), ints(-1, 2)), kind="error")]


def _split_samples(op):
    def samples():
        if op == "split":
            return [Sample((rand(5, 2), 2)), Sample((rand(5, 2), [1, 4])), Sample((rand(2, 5), 2), {"dim": 1}),
                    Sample((np.zeros((0, 2), np.float32), 2), kind="empty"), Sample((rand(5, 2), [1, 1]), kind="error")]
        return [Sample((rand(5, 2), 2)), Sample((rand(6, 2), 3)), Sample((rand(2, 5), 3), {"dim": 1}),
                Sample((np.zeros((0, 2), np.float32), 2), kind="empty"), Sample((rand(5, 2), 0), kind="error")]
    return samples


def _masked_fill_call(ns, x, mask, value):
    return x.masked_fill(mask, value)


def _floordiv_op(ns, a, b):
    return a // b


def _mod_op(ns, a, b):
    return a % b


def _truediv_op(ns, a, b):
    return a / b


TABLE = [
    # ------------------------------------------------------------ elementwise math
    OpInfo("abs", torch_fn("abs"), unary(), gradgrad=True),
    OpInfo("neg", torch_fn("neg"), unary(), gradgrad=True),
    OpInfo("exp", torch_fn("exp"), unary(), gradgrad=True),
    OpInfo("log", torch_fn("log"), unary(domain=positive), gradgrad=True),
    OpInfo("sqrt", torch_fn("sqrt"), unary(domain=positive), gradgrad=True),
    OpInfo("sin", torch_fn("sin"), unary(), gradgrad=True),
    OpInfo("cos", torch_fn("cos"), unary(), gradgrad=True),
    OpInfo("erf", torch_fn("erf"), unary(), gradgrad=True),
    OpInfo("tanh", torch_fn("tanh"), unary(), gradgrad=True),
    OpInfo("sigmoid", torch_fn("sigmoid"), unary(), gradgrad=True),
    OpInfo("relu", torch_fn("relu"), unary(), gradgrad=True),
    OpInfo("sign", method("sign"), unary()),
    OpInfo("isnan", method("isnan"), unary(), grad=False),
    OpInfo("isfinite", method("isfinite"), unary(), grad=False),
    OpInfo("add", torch_fn("add"), binary(), gradgrad=True),
    OpInfo("sub", torch_fn("sub"), binary(), gradgrad=True),
    OpInfo("mul", torch_fn("mul"), binary(), gradgrad=True),
    OpInfo("div", torch_fn("div"), binary(), gradgrad=True),
    OpInfo("div(rounding_mode)", lambda ns, a, b: ns.torch.div(a, b, rounding_mode="trunc"), binary(), grad=False),
    OpInfo("true_divide (/)", _truediv_op, binary()),
    OpInfo("pow", torch_fn("pow"), _pow_samples, gradgrad=True),
    OpInfo("maximum", torch_fn("maximum"), binary(), gradgrad=True),
    OpInfo("minimum", torch_fn("minimum"), binary(), gradgrad=True),
    OpInfo("remainder", torch_fn("remainder"), binary()),
    OpInfo("remainder (%)", _mod_op, binary()),
    OpInfo("fmod", torch_fn("fmod"), binary()),
    OpInfo("floor_divide", torch_fn("floor_divide"), binary(), grad=False),
    OpInfo("floor_divide (//)", _floordiv_op, binary(), grad=False),
    OpInfo("atan2", torch_fn("atan2"), binary(), gradgrad=True),
    OpInfo("xlogy", torch_fn("xlogy"), _xlogy_samples, gradgrad=True),
    OpInfo("clamp", torch_fn("clamp"), _clamp_samples, gradgrad=True),
    OpInfo("where", torch_fn("where"), _where_samples, gradgrad=True),
    OpInfo("masked_fill", _masked_fill_call,
           lambda: [Sample((rand(3), np.array([True, False, True]), 0.0)),
                    Sample((rand(3), np.array([True, False, True]), NAN), kind="nan"),
                    Sample((ints(1, 2), np.array([True, False]), 2.5), kind="mixed"),
                    Sample((rand(3), ints(1, 0, 1), 0.0), kind="error")]),
    # ------------------------------------------------------------ activations
    OpInfo("F.relu", functional("relu"), _activation_samples((0.0, -0.0))),
    OpInfo("F.relu6", functional("relu6"), _activation_samples((0.0, 6.0, -0.0))),
    OpInfo("F.leaky_relu", functional("leaky_relu"), _activation_samples((0.0, -0.0)), gradgrad=True),
    OpInfo("F.hardtanh", functional("hardtanh"), _activation_samples((-1.0, 1.0, 0.0)), gradgrad=True),
    OpInfo("F.elu", functional("elu"), _activation_samples((0.0, -0.0)), gradgrad=True),
    OpInfo("F.gelu", functional("gelu"), _activation_samples((0.0,)), gradgrad=True),
    OpInfo("F.gelu(tanh)", lambda ns, x: ns.F.gelu(x, approximate="tanh"), _activation_samples((0.0,)),
           gradgrad=True),
    OpInfo("F.softplus", functional("softplus"), _activation_samples((20.0, 20.000002, 0.0)), gradgrad=True),
    OpInfo("F.sigmoid", functional("sigmoid"), _activation_samples((0.0,))),
    OpInfo("F.tanh", functional("tanh"), _activation_samples((0.0,))),
    OpInfo("softmax", torch_fn("softmax"), _softmax_samples, gradgrad=True),
    OpInfo("log_softmax", torch_fn("log_softmax"), _softmax_samples, gradgrad=True),
    OpInfo("F.dropout", functional("dropout"), _dropout_samples),
    OpInfo("F.dropout2d", lambda ns, x, **kw: ns.F.dropout2d(x.reshape(1, *x.shape, 1) if x.dim() == 2 else x, **kw),
           _dropout_samples),
    # ------------------------------------------------------------ reductions
    OpInfo("sum", torch_fn("sum"), reduction(), gradgrad=True),
    OpInfo("mean", torch_fn("mean"), reduction(), gradgrad=True),
    OpInfo("prod", torch_fn("prod"),
           lambda: [s for s in reduction()() if "keepdim" not in s.kwargs and not isinstance(s.kwargs.get("dim"), tuple)]
           + [Sample((f32(2.0, 0.0, 3.0),), kind="zero"), Sample((f32(0.0, 0.0, 3.0),), kind="zero")],
           gradgrad=True),
    OpInfo("max", torch_fn("max"), reduction(), gradgrad=True),
    OpInfo("min", torch_fn("min"), reduction(), gradgrad=True),
    OpInfo("amax", torch_fn("amax"), reduction(), gradgrad=True),
    OpInfo("amin", torch_fn("amin"), reduction(), gradgrad=True),
    OpInfo("argmax", torch_fn("argmax"), reduction(), grad=False),
    OpInfo("argmin", torch_fn("argmin"), reduction(), grad=False),
    OpInfo("std", torch_fn("std"), reduction(integers=False), gradgrad=True),
    OpInfo("var", torch_fn("var"), reduction(integers=False), gradgrad=True),
    OpInfo("std(correction=0)", lambda ns, x, **kw: ns.torch.std(x, correction=0, **kw), reduction(integers=False)),
    OpInfo("logsumexp", torch_fn("logsumexp"), reduction_with_dim(integers=False), gradgrad=True),
    OpInfo("median", torch_fn("median"), _median_samples),
    OpInfo("norm", method("norm"), _norm_samples, gradgrad=True),
    OpInfo("linalg.vector_norm", linalg("vector_norm"), _vector_norm_samples, gradgrad=True),
    OpInfo("linalg.matrix_norm", linalg("matrix_norm"), _matrix_norm_samples, gradgrad=True),
    OpInfo("linalg.norm", linalg("norm"), _linalg_norm_samples),
    OpInfo("all", method("all"), reduction(), grad=False),
    OpInfo("any", method("any"), reduction(), grad=False),
    OpInfo("cumsum", torch_fn("cumsum"), _cum_samples, gradgrad=True),
    OpInfo("cumprod", torch_fn("cumprod"), _cum_samples, gradgrad=True),
    # ------------------------------------------------------------ sorting and selection
    OpInfo("sort", torch_fn("sort"), _sort_samples()),
    OpInfo("sort(descending)", torch_fn("sort"), _sort_samples({"descending": True})),
    OpInfo("argsort", torch_fn("argsort"), _sort_samples(), grad=False),
    OpInfo("topk", torch_fn("topk"), _topk_samples),
    OpInfo("unique", torch_fn("unique"), _unique_samples, grad=False),
    OpInfo("nonzero", torch_fn("nonzero"),
           lambda: [Sample((rand(3, 4) > 0,)), Sample((f32(0.0, -0.0, NAN, 1.0),), kind="nan"),
                    Sample((np.zeros((0, 2), np.float32),), kind="empty"), Sample((scalar(3.0),), kind="0-d")],
           grad=False),
    OpInfo("argwhere", torch_fn("argwhere"),
           lambda: [Sample((rand(3, 4) > 0,)), Sample((np.zeros((0,), np.float32),), kind="empty"),
                    Sample((f32(NAN, 0.0, -0.0),), kind="nan"), Sample((scalar(0.0),), kind="0-d")], grad=False),
    *[OpInfo(name, torch_fn(name), (lambda cases: lambda: cases)(cases), gradgrad=name != "masked_select")
      for name, cases in _index_samples().items()],
    # ------------------------------------------------------------ linear algebra
    OpInfo("matmul", torch_fn("matmul"), _matmul_samples, gradgrad=True),
    OpInfo("bmm", torch_fn("bmm"),
           lambda: [Sample((rand(2, 3, 4), rand(2, 4, 5, seed=1))),
                    Sample((np.zeros((0, 3, 4), np.float32), np.zeros((0, 4, 2), np.float32)), kind="empty"),
                    Sample((ints(1, 2).reshape(1, 1, 2), ints(3, 4).reshape(1, 2, 1)), kind="int"),
                    Sample((rand(3, 4), rand(4, 5)), kind="error")], gradgrad=True),
    OpInfo("einsum", torch_fn("einsum"), _einsum_samples, gradgrad=True),
    OpInfo("F.linear", functional("linear"),
           lambda: [Sample((rand(3, 4), rand(2, 4, seed=1), rand(2, seed=2))), Sample((rand(4), rand(2, 4))),
                    Sample((np.zeros((0, 4), np.float32), rand(2, 4)), kind="empty"),
                    Sample((rand(3, 5), rand(2, 4)), kind="error")], gradgrad=True),
    # ------------------------------------------------------------ shape
    OpInfo("cat", torch_fn("cat"), _cat_samples(), gradgrad=True),
    OpInfo("stack", torch_fn("stack"), _cat_samples(stack=True), gradgrad=True),
    OpInfo("reshape", lambda ns, x, shape: ns.torch.reshape(x, shape), _shape_samples({"shape": (4, -1)},
                                                                                     zero_d={"shape": (1,)}),
           gradgrad=True),
    OpInfo("permute", lambda ns, x, dims: ns.torch.permute(x, dims), _shape_samples({"dims": (2, 0, 1)}),
           gradgrad=True),
    OpInfo("flip", torch_fn("flip"), lambda: _shape_samples({"dims": (0, 2)}, zero_d={"dims": ()})() + [
        Sample((rand(2, 3),), {"dims": [-1]}), Sample((rand(2, 3),), {"dims": (1, -1)}, kind="error")],
           gradgrad=True),
    OpInfo("transpose", torch_fn("transpose"), _shape_samples({"dim0": 0, "dim1": 2}), gradgrad=True),
    OpInfo("squeeze", torch_fn("squeeze"), lambda: _shape_samples({})() + [
        Sample((rand(2, 1, 3),), {"dim": 1}), Sample((scalar(1.0),), kind="0-d"),
        Sample((np.zeros((1, 0), np.float32),), kind="empty")], gradgrad=True),
    OpInfo("unsqueeze", torch_fn("unsqueeze"), _shape_samples({"dim": 1}, zero_d={"dim": 0}), gradgrad=True),
    OpInfo("flatten", torch_fn("flatten"), _shape_samples({}, {"start_dim": 1}, zero_d={}), gradgrad=True),
    OpInfo("split", torch_fn("split"), _split_samples("split"), gradgrad=True),
    OpInfo("chunk", torch_fn("chunk"), _split_samples("chunk"), gradgrad=True),
    OpInfo("F.pad", functional("pad"), _pad_samples, gradgrad=True),
    # ------------------------------------------------------------ layers
    OpInfo("F.conv2d", functional("conv2d"), _conv_samples, gradgrad=True, grad_rtol=2e-4),
    OpInfo("F.conv_transpose2d", functional("conv_transpose2d"), _conv_transpose_samples, gradgrad=True,
           grad_rtol=2e-4),
    OpInfo("F.max_pool2d", functional("max_pool2d"), _pool_samples("max"), gradgrad=True),
    OpInfo("F.avg_pool2d", functional("avg_pool2d"), _pool_samples("avg"), gradgrad=True),
    OpInfo("F.adaptive_avg_pool2d", functional("adaptive_avg_pool2d"),
           lambda: [Sample((rand(2, 3, 6, 6), 2)), Sample((rand(1, 2, 5, 7), (2, 3))),
                    Sample((np.zeros((0, 2, 4, 4), np.float32), 1), kind="empty"),
                    Sample((np.full((1, 1, 2, 2), NAN, np.float32), 1), kind="nan")], gradgrad=True),
    OpInfo("F.embedding", functional("embedding"), _embedding_samples),
    OpInfo("F.one_hot", functional("one_hot"), _one_hot_samples, grad=False),
    OpInfo("F.layer_norm", functional("layer_norm"), _norm_layer_samples("layer")),
    OpInfo("F.batch_norm", functional("batch_norm"), _norm_layer_samples("batch")),
    # ------------------------------------------------------------ losses
    OpInfo("F.cross_entropy", functional("cross_entropy"), _cross_entropy_samples, gradgrad=True),
    OpInfo("F.nll_loss", lambda ns, x, t, **kw: ns.F.nll_loss(ns.F.log_softmax(x, -1 if x.dim() == 1 else 1), t, **kw),
           _nll_samples),
    OpInfo("F.mse_loss", functional("mse_loss"), _loss_pair_samples(), gradgrad=True),
    OpInfo("F.l1_loss", functional("l1_loss"), _loss_pair_samples()),
    OpInfo("F.smooth_l1_loss", functional("smooth_l1_loss"),
           _loss_pair_samples([((f32(0.0, 1.0, -1.0, 2.0), f32(1.0, 0.0, 0.0, 0.0)), {"beta": 1.0}),
                               ((f32(0.5, -0.5), f32(0.0, 0.0)), {"beta": 0.0})])),
    OpInfo("F.huber_loss", functional("huber_loss"),
           _loss_pair_samples([((f32(0.0, 2.0, -2.0), f32(2.0, 0.0, 0.0)), {"delta": 2.0})])),
    OpInfo("F.binary_cross_entropy", functional("binary_cross_entropy"), _bce_samples, rtol=1e-5),
    OpInfo("F.binary_cross_entropy_with_logits", functional("binary_cross_entropy_with_logits"), _bce_logits_samples,
           gradgrad=True),
]
