"""Every op of the edge table (op_table.py) against PyTorch: values, dtype, shape, raise or not (and the exception
type), every gradient and, where the op has one, the gradient of the gradient. The coverage table (ops x edge
kinds) is printed at the end of the run (tests/conftest.py) and kept complete by the last test here."""
import inspect
import types
import warnings

import numpy as np
import pytest
import torch

import glasstorch as gt

from ops.undefined_cases import UNDEFINED, ZERO_SIGNS_UNDEFINED
from ops.op_table import KINDS, TABLE

NAMESPACES = {
    gt: types.SimpleNamespace(torch=gt, F=gt.nn.functional, linalg=gt.linalg),
    torch: types.SimpleNamespace(torch=torch, F=torch.nn.functional, linalg=torch.linalg),
}
BY_NAME = {op.name: op for op in TABLE}


class Raised:
    def __init__(self, error):
        self.error = error

    def __repr__(self):
        return f"{type(self.error).__name__}: {self.error}"


def _to_framework(lib, value, grad):
    if isinstance(value, list):
        return [_to_framework(lib, v, grad) for v in value]
    if isinstance(value, np.ndarray):
        tensor = lib.tensor(value)
        if grad and value.dtype.kind == "f":
            tensor.requires_grad_(True)
        return tensor
    return value


def _leaves(args):
    for value in args:
        if isinstance(value, list):
            yield from _leaves(value)
        elif isinstance(value, (gt.Tensor, torch.Tensor)):
            yield value


def _flatten(result):
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _flatten(item)]
    return [result]


def run(lib, op, sample, grad):
    args = [_to_framework(lib, value, grad) for value in sample.args]
    kwargs = {k: _to_framework(lib, v, False) for k, v in sample.kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if lib is torch:
                torch.manual_seed(0)
            else:
                gt.manual_seed(0)
            return args, _flatten(op.call(NAMESPACES[lib], *args, **kwargs))
    except Exception as error:     # noqa: BLE001 - compared with PyTorch's
        return args, Raised(error)


def _numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)      # force: torch's ZeroTensor (a known-zero second derivative)
    return t.detach().numpy() if isinstance(t, gt.Tensor) else np.asarray(t)


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def _close(ours, theirs, rtol, what, zero_signs=True):
    """Values agree: same shape, dtype, NaN and inf positions, values within rtol and, for outputs, the signs of
    zeros (a gradient's -0 is the product of a negative dL/dy and a 0 slope: the same gradient)."""
    problems = []
    if not isinstance(ours, (gt.Tensor, torch.Tensor)) or not isinstance(theirs, torch.Tensor):
        if _numpy(ours).tolist() != _numpy(theirs).tolist():
            problems.append(f"{what}: {ours!r} != torch {theirs!r}")
        return problems
    if tuple(ours.shape) != tuple(theirs.shape):
        return [f"{what}: shape {tuple(ours.shape)} != torch {tuple(theirs.shape)}"]
    if _dtype_name(ours) != _dtype_name(theirs):
        problems.append(f"{what}: dtype {_dtype_name(ours)} != torch {_dtype_name(theirs)}")
    a, b = _numpy(ours), _numpy(theirs)
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        if not np.array_equal(a, b):
            problems.append(f"{what}: {a.tolist()} != torch {b.tolist()}")
        return problems
    tolerance = rtol if b.dtype == np.float32 else rtol * 1e-4
    try:
        np.testing.assert_allclose(a, b.astype(a.dtype), rtol=tolerance, atol=tolerance / 10, equal_nan=True)
    except AssertionError:
        return problems + [f"{what}: {np.array2string(a, threshold=12)} != torch {np.array2string(b, threshold=12)}"]
    zeros = (a == 0) & (b == 0)
    if zero_signs and (np.signbit(a[zeros]) != np.signbit(b[zeros])).any():
        problems.append(f"{what}: signs of zeros {a.tolist()} != torch {b.tolist()}")
    return problems


def _weights(outputs, lib):
    rng = np.random.default_rng(7)
    return [lib.tensor(rng.standard_normal(tuple(o.shape)).astype(_numpy(o).dtype)) for o in outputs]


def _differentiable(outputs):
    return [i for i, o in enumerate(outputs) if isinstance(o, torch.Tensor) and o.requires_grad]


def _gradients(lib, outputs, leaves, weights, create_graph=False):
    autograd = lib.autograd
    return autograd.grad(outputs, leaves, weights, create_graph=create_graph, allow_unused=True)


def check_sample(op, sample):
    grad = op.grad and sample.grad
    ours_in, ours = run(gt, op, sample, grad)
    theirs_in, theirs = run(torch, op, sample, grad)
    if isinstance(theirs, Raised) or isinstance(ours, Raised):
        if not isinstance(theirs, Raised):
            return [f"raised {ours!r}; torch gives a value"]
        if not isinstance(ours, Raised):
            return [f"gives a value; torch raises {theirs!r}"]
        if not isinstance(ours.error, type(theirs.error)):
            return [f"raised {ours!r}; torch raises {theirs!r}"]
        return []
    if len(ours) != len(theirs):
        return [f"{len(ours)} outputs; torch {len(theirs)}"]
    problems = []
    for index, (o, t) in enumerate(zip(ours, theirs)):
        if sample.indices_undefined and _dtype_name(t) == "int64" and index > 0:
            continue
        problems += _close(o, t, op.rtol, f"output {index}", zero_signs=op.name not in ZERO_SIGNS_UNDEFINED)
        if isinstance(t, torch.Tensor) and isinstance(o, gt.Tensor) and o.requires_grad != t.requires_grad:
            problems.append(f"output {index}: requires_grad {o.requires_grad} != torch {t.requires_grad}")
    if problems or not grad:
        return problems
    wanted = _differentiable(theirs)
    leaves_t, leaves_o = list(_leaves(theirs_in)), list(_leaves(ours_in))
    wanted_leaves = [i for i, leaf in enumerate(leaves_t) if leaf.requires_grad]
    if not wanted or not wanted_leaves:
        return problems
    outs_t, outs_o = [theirs[i] for i in wanted], [ours[i] for i in wanted]
    leaves_t, leaves_o = [leaves_t[i] for i in wanted_leaves], [leaves_o[i] for i in wanted_leaves]
    w_t, w_o = _weights(outs_t, torch), _weights(outs_o, gt)
    grads_t = _gradients(torch, outs_t, leaves_t, w_t, create_graph=op.gradgrad)
    try:
        grads_o = _gradients(gt, outs_o, leaves_o, w_o, create_graph=op.gradgrad)
    except Exception as error:     # noqa: BLE001
        return [f"backward raised {type(error).__name__}: {error}"]
    for index, (go, gtorch) in enumerate(zip(grads_o, grads_t)):
        if gtorch is None:
            if go is not None and np.any(_numpy(go) != 0):
                problems.append(f"grad of input {index}: {_numpy(go).tolist()}; torch has none")
            continue
        if go is None:
            if np.any(_numpy(gtorch) != 0):
                problems.append(f"grad of input {index}: none; torch {_numpy(gtorch).tolist()}")
            continue
        problems += _close(go, gtorch, op.grad_rtol, f"grad of input {index}", zero_signs=False)
    if problems or not op.gradgrad:
        return problems
    # a gradient glasstorch knows to be constant in the inputs (piecewise-linear ops) is outside its graph: its own
    # gradient is 0, which torch's must then be
    second = [i for i, g in enumerate(grads_t) if g is not None and g.requires_grad and grads_o[i] is not None
              and grads_o[i].requires_grad]
    for i, g in enumerate(grads_t):
        if i not in second and g is not None and g.requires_grad:
            zeros = torch.autograd.grad(g, leaves_t, _weights([g], torch)[0], allow_unused=True, retain_graph=True)
            if any(z is not None and bool((z != 0).any()) for z in zeros):
                problems.append(f"grad of input {i} is constant; torch's has a gradient")
    if not second:
        return problems
    v_t, v_o = _weights([grads_t[i] for i in second], torch), _weights([grads_o[i] for i in second], gt)
    gg_t = _gradients(torch, [grads_t[i] for i in second], leaves_t, v_t)
    try:
        gg_o = _gradients(gt, [grads_o[i] for i in second], leaves_o, v_o)
    except Exception as error:     # noqa: BLE001
        return [f"double backward raised {type(error).__name__}: {error}"]
    for index, (go, gtorch) in enumerate(zip(gg_o, gg_t)):
        expected = np.zeros(1) if gtorch is None else _numpy(gtorch)
        if go is None:
            if np.any(expected != 0):
                problems.append(f"grad of grad of input {index}: none; torch {expected.tolist()}")
        elif gtorch is None:
            if np.any(_numpy(go) != 0):
                problems.append(f"grad of grad of input {index}: {_numpy(go).tolist()}; torch has none")
        else:
            problems += _close(go, gtorch, op.grad_rtol, f"grad of grad of input {index}", zero_signs=False)
    return problems


def _describe(sample):
    def short(value):
        if isinstance(value, np.ndarray):
            return f"{value.dtype}{list(value.shape)}" if value.size > 6 else f"{value.dtype}{value.tolist()}"
        if isinstance(value, list):
            return "[" + ", ".join(short(v) for v in value) + "]"
        return repr(value)
    return f"{sample.kind}: ({', '.join(short(a) for a in sample.args)}) {sample.kwargs or ''}"


@pytest.mark.parametrize("op", TABLE, ids=[op.name for op in TABLE])
def test_op_agrees_with_pytorch_at_every_edge(op, kernel_set):
    """Every sample agrees, except where undefined_cases.py shows PyTorch's own result to be undefined."""
    undefined = UNDEFINED.get(op.name, {})
    failures = []
    for sample in op.samples():
        description = _describe(sample)
        if description not in undefined:
            failures += [f"{description} -> {problem}" for problem in check_sample(op, sample)]
    assert not failures, f"{op.name}:\n  " + "\n  ".join(failures)


RAISED_BY = {"F.cross_entropy": ("cross_entropy", "nll_loss")}   # a call that runs another op's checks


def test_every_error_names_the_op_that_raised_it():
    """A user who gets an exception from the table's error samples (and every other raise in it) reads which op
    refused the input: its name is in the message, beside the shape, dtype or value."""
    unnamed = []
    for op in TABLE:
        names = RAISED_BY.get(op.name, (op.name.split(".")[-1].split(" ")[0].split("(")[0],))
        for sample in op.samples():
            _, result = run(gt, op, sample, False)
            if isinstance(result, Raised) and not any(name in str(result.error) for name in names):
                unnamed.append(f"{op.name} | {_describe(sample)} -> {result!r}")
    assert not unnamed, "\n".join(unnamed)


def test_every_undefined_case_is_a_sample_of_the_table():
    described = {op.name: {_describe(sample) for sample in op.samples()} for op in TABLE}
    missing = [(name, d) for name, cases in UNDEFINED.items() for d in cases if d not in described.get(name, ())]
    missing += [name for name in ZERO_SIGNS_UNDEFINED if name not in described]
    assert not missing, f"undefined_cases.py names samples or ops the table does not have: {missing}"


# ---------------------------------------------------------------- coverage
NOT_OPS = {
    # creation, randomness and settings: tested in tests/test_tensor.py and tests/test_random.py, not ops on values
    "arange", "as_tensor", "bernoulli", "empty", "empty_like", "eye", "from_numpy", "full", "full_like", "linspace",
    "multinomial", "normal", "ones", "ones_like", "rand", "rand_like", "randint", "randn", "randn_like", "randperm",
    "tensor", "zeros", "zeros_like", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    "get_default_dtype", "set_default_dtype", "get_default_device", "set_default_device", "get_kernels", "set_kernels", "get_num_threads", "set_num_threads",
    "tune_allocator", "is_grad_enabled", "is_tensor", "numel", "load", "save", "allclose", "equal",
    "explain", "summary",       # draw a graph or a table, compute nothing new: tests/explain/
}
ALIASES = {   # the same function under another public name
    "clip": "clamp", "concat": "cat", "concatenate": "cat", "mm": "matmul", "t": "transpose",
    "F.flatten": "flatten", "F.log_softmax": "log_softmax", "F.softmax": "softmax",
}


def public_ops():
    """Every function glasstorch exports as torch.*, torch.nn.functional.* and torch.linalg.*."""
    names = set()
    for prefix, module in (("", gt), ("F.", gt.nn.functional), ("linalg.", gt.linalg)):
        for name in dir(module):
            value = getattr(module, name)
            if not name.startswith("_") and callable(value) and not inspect.isclass(value) \
                    and not inspect.ismodule(value):
                names.add(prefix + name)
    return names - NOT_OPS


def _covered(name):
    target = ALIASES.get(name, name)
    return target in BY_NAME or f"F.{target}" in BY_NAME or any(op.startswith(target + "(") for op in BY_NAME)


def coverage_rows():
    rows = []
    for op in TABLE:
        kinds = {sample.kind for sample in op.samples()}
        rows.append((op.name, [kind in kinds for kind in KINDS]))
    return rows


def coverage_report():
    rows = coverage_rows()
    width = max(len(name) for name, _ in rows)
    lines = ["edge table: ops x edge kinds (x = sampled)",
             " " * width + " " + " ".join(f"{kind:>8}" for kind in KINDS)]
    for name, marks in rows:
        lines.append(f"{name:<{width}} " + " ".join(f"{'x' if m else '.':>8}" for m in marks))
    samples = sum(len(op.samples()) for op in TABLE)
    cells = sum(sum(marks) for _, marks in rows)
    totals = [sum(marks[k] for _, marks in rows) for k in range(len(KINDS))]
    lines.append(f"{'ops per kind':<{width}} " + " ".join(f"{t:>8}" for t in totals))
    lines.append(f"{len(rows)} ops, {samples} samples, {cells} of {len(rows) * len(KINDS)} op x kind cells; "
                 f"every one agrees with PyTorch but {sum(map(len, UNDEFINED.values()))} where PyTorch's own result is "
                 f"undefined, and the sign of zero results of {len(ZERO_SIGNS_UNDEFINED)} op(s) "
                 "(tests/ops/undefined_cases.py)")
    return "\n".join(lines)


def test_every_public_op_is_in_the_edge_table():
    missing = sorted(name for name in public_ops() if not _covered(name))
    assert not missing, f"public ops with no row in tests/ops/op_table.py: {missing}"


def test_every_op_meets_the_edges_its_family_has():
    """Each op is sampled at empty tensors and at NaN or a bound, and every float op at its error path or a 0-d
    input: a row cannot shrink to the easy cases."""
    thin = []
    for name, marks in coverage_rows():
        kinds = {kind for kind, mark in zip(KINDS, marks) if mark}
        if len(kinds) < 3 or "random" not in kinds and "tie" not in kinds and "bound" not in kinds:
            thin.append((name, sorted(kinds)))
    assert not thin, thin
