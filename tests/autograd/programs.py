"""Short random programs of ops, views, slices and in-place ops, run in glasstorch and in PyTorch.

A program is a list of steps over a growing list of live tensors (the first: a float64 leaf x of shape (4, 3)
that requires grad, the second: a constant c of the same shape). Each step reads one or two live tensors and
appends what it makes (an op's result, a view) or changes one in place. At the end, backward runs from
sum_k (t_k * w_k).sum() over every live tensor that requires grad. `run` gives, per framework, either
("raised", step, error class) or ("ok", values of every live tensor, x.grad); both must agree.
"""
import numpy as np
from hypothesis import strategies as st

UNARY = ["tanh", "sigmoid", "relu", "sin", "half", "square", "neg"]
VIEWS = ["flat", "rows3x4", "t", "row1", "slice_rows", "slice_cols", "unsqueeze", "detach", "expand"]
INPLACE = ["mul_", "add_", "exp_", "zero_", "clamp_", "relu_", "sigmoid_", "neg_", "copy_", "setitem", "fill_",
           "masked_fill_", "addcmul_", "tanh_"]
BINARY = ["add", "mul", "sub"]

steps = st.lists(st.tuples(st.sampled_from(["unary", "view", "inplace", "binary"]), st.integers(0, 99),
                           st.integers(0, 99), st.integers(0, 99)), min_size=1, max_size=8)


def _unary(lib, t, kind):
    return {"tanh": t.tanh, "sigmoid": t.sigmoid, "relu": t.relu, "sin": t.sin, "half": lambda: t * 0.5,
            "square": lambda: t ** 2, "neg": lambda: -t}[kind]()


def _view(lib, t, kind):
    if kind == "flat":
        return t.reshape(-1)
    if kind == "rows3x4":
        return t.reshape(3, 4) if t.numel() == 12 else t.reshape(-1)
    if kind == "t":
        return t.t() if t.dim() == 2 else t.unsqueeze(0)
    if kind == "row1":
        return t[1] if t.dim() >= 1 and t.shape[0] > 1 else t.reshape(-1)
    if kind == "slice_rows":
        return t[0:2] if t.dim() >= 1 else t.unsqueeze(0)
    if kind == "slice_cols":
        return t[:, 1:] if t.dim() == 2 else t[1:]
    if kind == "unsqueeze":
        return t.unsqueeze(0)
    if kind == "detach":
        return t.detach()
    return t.unsqueeze(0).expand(2, *t.shape)


def _inplace(lib, t, other, kind, mask_seed):
    # an operand that shares memory with t without being t element for element is read while it is written:
    # PyTorch refuses the cases it can tell and leaves the rest undefined; a copy (in the graph) keeps it defined
    other = other.clone()
    if t.dim() == 3 and kind in ("setitem", "masked_fill_"):
        # an expand() view, where several elements share one memory location: which write wins, and so the
        # gradient, is not defined (PyTorch writes through with a deprecation warning); a constant fill is
        t.fill_(0.5)
    elif kind == "mul_":
        t.mul_(1.5)
    elif kind == "add_":
        t.add_(other if other.shape == t.shape else 0.25)
    elif kind == "exp_":
        t.exp_()
    elif kind == "zero_":
        t.zero_()
    elif kind == "clamp_":
        t.clamp_(-0.5, 0.5)
    elif kind == "relu_":
        t.relu_()
    elif kind == "sigmoid_":
        t.sigmoid_()
    elif kind == "tanh_":
        t.tanh_()
    elif kind == "neg_":
        t.neg_()
    elif kind == "copy_":
        t.copy_(other if other.shape == t.shape else other.reshape(-1)[0])
    elif kind == "setitem":
        if t.dim() == 0:
            t.fill_(other.reshape(-1)[0])
        else:
            region = t[0:1]
            source = other.reshape(-1)[: region.numel()]
            t[0:1] = source.reshape(region.shape) if source.numel() == region.numel() else 2.0
    elif kind == "fill_":
        t.fill_(0.75)
    elif kind == "masked_fill_":
        mask = np.random.default_rng(mask_seed).random(tuple(t.shape)) > 0.5
        t.masked_fill_(lib.tensor(mask), -1.0)
    elif kind == "addcmul_":
        t.addcmul_(other if other.shape == t.shape else t.detach(), t.detach(), value=0.5)


def run(lib, program, seed=0):
    """Run `program` with lib = glasstorch or torch: ("raised", step, error class) or ("ok", values, x.grad)."""
    rng = np.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal((4, 3)), dtype=lib.float64, requires_grad=True)
    live = [x, lib.tensor(rng.standard_normal((4, 3)), dtype=lib.float64)]
    for step, (kind, a, b, param) in enumerate(program):
        t, other = live[a % len(live)], live[b % len(live)]
        try:
            if kind == "unary":
                live.append(_unary(lib, t, UNARY[param % len(UNARY)]))
            elif kind == "view":
                live.append(_view(lib, t, VIEWS[param % len(VIEWS)]))
            elif kind == "inplace":
                _inplace(lib, t, other, INPLACE[param % len(INPLACE)], param)
            elif other.shape == t.shape:
                live.append({"add": t + other, "mul": t * other, "sub": t - other}[BINARY[param % len(BINARY)]])
        except (RuntimeError, IndexError) as error:
            return "raised", step, type(error).__name__, str(error)
    weights = [lib.tensor(rng.standard_normal(tuple(t.shape))) for t in live]
    try:
        terms = [(t * w).sum() for t, w in zip(live, weights) if t.requires_grad]
        if terms:
            sum(terms).backward()
    except RuntimeError as error:
        return "raised", len(program), type(error).__name__, str(error)
    values = [t.detach().numpy().copy() for t in live]
    return "ok", values, None if x.grad is None else x.grad.numpy().copy()


def assert_same(ours, reference, program):
    """Both raised at the same step, or every value and x.grad agree (float64)."""
    if reference[0] == "raised" or ours[0] == "raised":
        assert ours[:3] == reference[:3], f"{program}: glasstorch {ours}, PyTorch {reference}"
        return
    for k, (mine, theirs) in enumerate(zip(ours[1], reference[1])):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12, err_msg=f"{program}: value of tensor {k}")
    if reference[2] is None:
        assert ours[2] is None or not ours[2].any(), f"{program}: PyTorch has no x.grad, glasstorch {ours[2]}"
    else:
        assert ours[2] is not None, f"{program}: glasstorch has no x.grad"
        np.testing.assert_allclose(ours[2], reference[2], rtol=1e-10, atol=1e-12, err_msg=f"{program}: x.grad")
