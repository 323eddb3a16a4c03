"""What an explanation holds: every node of the graph behind a scalar output, its forward value and the gradient of
the output with respect to it, and on every edge the local derivative (a number for scalars, the op's own formula
otherwise) and the chain-rule product.

Values come from the graph itself: an op node's inputs are kept for a differentiable backward, so the value of an
op is the tensor its consumer received. Gradients come from one extra backward pass that captures dL/d(node) at
every node and writes no `.grad` (autograd.grad's mode, the graph retained for the user's own backward).
"""
import dataclasses
import inspect
import re
import time

import numpy as np

from ..autograd import engine, function
from ..autograd.function import AccumulateGrad
from ..backend import xp
from ..errors import InvalidOption

SMALL = 64              # a tensor of up to this many elements is shown number by number
MAX_NODES = 20_000      # beyond this the page would not stay responsive: explain refuses, naming the size
FD_BUDGET = 256         # float64 forward replays spent on finite differences of the leaves (two per element)
FD_SECONDS = 5.0        # ... and about this much time at most (the Inception Net at batch 64: ~60 ms a replay)


@dataclasses.dataclass
class Node:
    id: str
    kind: str                   # "leaf" (an input, a weight, a constant) or "op"
    label: str
    op: str | None              # the op's class name ("Mul"), None for a leaf
    module: str | None
    shape: list
    value: object               # a number, nested lists (small) or statistics (large)
    grad: object                # dL/d(node) in the same form, None where no gradient flows
    rule: str | None = None     # the op's derivative as its docstring writes it
    finite_difference: object = None    # a leaf's float64 central difference, when computed


@dataclasses.dataclass
class Edge:
    source: str
    target: str
    local: object               # d target / d source: a number for scalars, else the op's formula text
    product: object = None      # dL/dtarget * local, for scalars


def summarize(array):
    """A tensor's values for the page: the numbers themselves (small), else shape statistics and a histogram."""
    if array is None:
        return None
    array = np.asarray(array)
    if array.size <= SMALL:
        return _numbers(array.astype(np.float64).tolist())
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array.astype(np.float64)
    counts, edges = np.histogram(finite, bins=16) if finite.size else (np.zeros(16), np.zeros(17))
    return {"mean": _number(finite.mean()) if finite.size else None, "std": _number(finite.std()) if finite.size else None,
            "min": _number(finite.min()) if finite.size else None, "max": _number(finite.max()) if finite.size else None,
            "histogram": counts.astype(int).tolist(), "edges": [_number(e) for e in edges]}


def _number(value):
    """A float for JSON, or the text 'inf', '-inf', 'nan' (JSON has no such numbers)."""
    value = float(value)
    return value if np.isfinite(value) else repr(value)


def _numbers(values):
    return [_numbers(v) for v in values] if isinstance(values, list) else _number(values)


def derivative_rule(node):
    """The op's derivative as its own docstring states it: its first paragraph (the forward formula), and the first
    later one that writes dL/d... where the first does not."""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in (inspect.getdoc(type(node)) or "").split("\n\n")]
    rule = paragraphs[0]
    if "dL/d" not in rule:
        rule += " " + next((p for p in paragraphs[1:] if "dL/d" in p), "")
    return rule.strip() or None


def walk(output, names=None):
    """(nodes, edges, tensors, order, outputs): the graph behind `output`, leaves and ops in forward order; for each
    node id the tensor whose gradient is the node's (an op's output, a leaf itself); the ops in forward order; and
    for each op (by id) the tensor it produced."""
    names = {id(t): name for name, t in (names or {}).items()}
    order = forward_order(output.grad_fn)
    outputs = {id(output.grad_fn): output}
    for node in order:                              # the tensors each op produced, as their consumers hold them
        for a in tensor_inputs(node):
            if a.grad_fn is not None:
                outputs.setdefault(id(a.grad_fn), a)
    ids, nodes, edges, tensors = {}, [], [], {}
    for node in order:
        for a in tensor_inputs(node):
            if a.grad_fn is None and id(a) not in ids:
                ids[id(a)] = key = f"t{len(ids)}"
                label = names.get(id(a)) or ("input" if not a.requires_grad else f"w{len(ids)}")
                nodes.append(Node(key, "leaf", label, None, None, list(a.shape), summarize(a._data), None))
                tensors[key] = a
    for k, node in enumerate(order):
        ids[id(node)] = key = f"n{k}"
        produced = outputs[id(node)]
        rule = derivative_rule(node)
        nodes.append(Node(key, "op", node.name().removesuffix("Backward0"), type(node).__name__,
                          getattr(node, "module", None), list(produced.shape), summarize(produced._data), None,
                          rule=rule))
        tensors[key] = produced
        slopes = _scalar_slopes(node)
        for index, a in enumerate(getattr(node, "inputs", ())):
            if isinstance(a, function.Tensor):
                source = ids[id(a.grad_fn)] if a.grad_fn is not None else ids[id(a)]
                local = slopes[index] if index in slopes else _rule_for_input(rule, node, index)
                edges.append(Edge(source, key, local))
    return nodes, edges, tensors, order, outputs


def _rule_for_input(rule, node, index):
    """The part of the op's rule about input `index` ("dL/db = dL/dy * a" of Mul's), where its docstring writes one
    per input in order; else the whole rule."""
    rule = rule or ""
    start = rule.find("dL/d")
    pieces = re.split(r"[,;]\s+(?=dL/d)", rule[start:].rstrip(".")) if start >= 0 else []
    tensors = sum(isinstance(a, function.Tensor) for a in node.inputs)
    return pieces[index] if len(pieces) > 1 and index < len(pieces) and tensors <= len(pieces) else rule or None


def forward_order(root):
    """The op nodes behind `root`, each after every op whose output it uses (the engine's order, reversed)."""
    order = [node for node in reversed(engine._topological_order([root])) if not isinstance(node, AccumulateGrad)]
    if len(order) > MAX_NODES:
        raise InvalidOption(f"explain: the graph has {len(order):,} ops, more than a page can show ({MAX_NODES:,}); "
                            "explain a smaller part of it (one layer's output, or a batch of one)")
    return order


def tensor_inputs(node):
    return [a for a in getattr(node, "inputs", ()) if isinstance(a, function.Tensor)]


def _scalar_slopes(node):
    """d output / d input for each one-number input of a one-number op: the op's own backward run on a seed of 1."""
    if int(np.prod(getattr(node, "output_shape", (2,)))) != 1:
        return {}
    with xp.errstate(all="ignore"):
        grads = type(node).backward(node, xp.ones(node.output_shape))
    grads = grads if isinstance(grads, tuple) else (grads,)
    return {index: _number(np.asarray(g).reshape(-1)[0])
            for index, (a, g) in enumerate(zip(node.inputs, grads))
            if isinstance(a, function.Tensor) and g is not None and a.numel() == 1}


def gradients(output, tensors):
    """dL/d(tensor) for every tensor that takes part in the gradient, without touching any .grad."""
    wanted = {key: t for key, t in tensors.items() if t.requires_grad}
    grads = engine.run_backward([output], [xp.ones_like(output._data)], retain_graph=True,
                                inputs=list(wanted.values()), accumulate=False)
    return {key: (None if g is None else np.asarray(getattr(g, "_data", g))) for key, g in zip(wanted, grads)}


def replay(order, outputs, output, leaves):
    """The output recomputed in float64 from the leaves' values `leaves` (id(tensor) -> array), op by op with each
    op's own forward: what a finite difference differentiates."""
    values = dict(leaves)

    def value(a):
        if not isinstance(a, function.Tensor):
            return a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
        array = values.get(id(a), a._data)
        return array.astype(np.float64) if array.dtype.kind == "f" else array

    with xp.errstate(all="ignore"):
        for node in order:
            result = type(node).forward(type(node)(), *(value(a) for a in node.inputs), **node.kwargs)
            values[id(outputs[id(node)])] = np.asarray(result)
    return values[id(output)]


def _scalar(array):
    return float(np.asarray(array).reshape(-1)[0])


def _central_difference(order, outputs, output, leaf, base, index):
    h = 1e-6 * max(1.0, abs(base[index]))
    up, down = base.copy(), base.copy()
    up[index] += h
    down[index] -= h
    return (_scalar(replay(order, outputs, output, {id(leaf): up}))
            - _scalar(replay(order, outputs, output, {id(leaf): down}))) / (2 * h)


def finite_differences(order, outputs, output, leaves, budget=FD_BUDGET, seconds=FD_SECONDS):
    """Float64 central differences (f(x + h) - f(x - h)) / 2h of the output for the leaves that require grad: the
    middle element of every one first, then every element of the small ones, while `budget` replays last and they
    take about `seconds` at most: {leaf id: array, or {"samples": [{"index", "finite_difference"}]}}."""
    results = {}
    started = time.perf_counter()
    try:
        replay(order, outputs, output, {})
    except Exception:       # noqa: BLE001 -- an op whose forward cannot be replayed alone: no estimates
        return results
    budget = min(budget, int(seconds / max(time.perf_counter() - started, 1e-6)))
    wanted = [(key, leaf, leaf._data.astype(np.float64)) for key, leaf in leaves.items() if leaf.requires_grad]
    for key, leaf, base in wanted:          # first one element of every weight: its middle one
        middle = np.unravel_index(base.size // 2, base.shape)
        if budget < 2:
            break
        try:
            estimate = _central_difference(order, outputs, output, leaf, base, middle)
        except Exception:       # noqa: BLE001 -- an op whose forward cannot be replayed alone: no estimate
            continue
        budget -= 2
        results[key] = {"samples": [{"index": [int(i) for i in middle], "finite_difference": _number(estimate)}]}
    for key, leaf, base in wanted:          # then every element of the small ones, while the budget lasts
        if key not in results or base.size > SMALL or 2 * base.size > budget:
            continue
        budget -= 2 * base.size
        results[key] = np.array([_central_difference(order, outputs, output, leaf, base, index)
                                 for index in np.ndindex(base.shape)]).reshape(base.shape)
    return results
