"""Automatic differentiation: graph recording, the backward engine, `grad` and `gradcheck`."""
from ..backend import xp
from .engine import run_backward
from .function import Function, RemovableHandle
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = ["Function", "grad", "backward", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "RemovableHandle", "Variable"]


def _seed_gradients(outputs, grad_outputs, create_graph=False):
    """dL/dy for each output: ones for a scalar output, else the given gradient (PyTorch's rules); tensors (which
    may themselves be in a graph) with create_graph."""
    from ..tensor import Tensor

    if create_graph:
        arrays = _seed_gradients(outputs, grad_outputs)
        given = grad_outputs or [None] * len(outputs)
        return [g if isinstance(g, Tensor) and g.requires_grad else Tensor._make(a) for g, a in zip(given, arrays)]
    seeds = []
    for index, out in enumerate(outputs):
        given = grad_outputs[index] if grad_outputs is not None else None
        if given is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seeds.append(xp.ones_like(out._data))
        else:
            array = given._data if isinstance(given, Tensor) else xp.asarray(given)
            if array.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of {tuple(array.shape)} "
                                   f"and output[{index}] has a shape of {tuple(out.shape)}.")
            seeds.append(array.astype(out._array.dtype, copy=False))
    return seeds


def _as_sequence(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' `.grad`."""
    tensors = _as_sequence(tensors)
    grads = _seed_gradients(tensors, None if grad_tensors is None else _as_sequence(grad_tensors), create_graph)
    if inputs is not None:
        inputs = _as_sequence(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, grads, retain_graph=create_graph if retain_graph is None else bool(retain_graph),
                 inputs=inputs, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, leaving every `.grad` untouched."""
    from ..tensor import Tensor

    outputs, inputs = _as_sequence(outputs), _as_sequence(inputs)
    for index, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {index}) does not require grad")
    seeds = _seed_gradients(outputs, None if grad_outputs is None else _as_sequence(grad_outputs), create_graph)
    grads = run_backward(outputs, seeds, retain_graph=create_graph if retain_graph is None else bool(retain_graph),
                         inputs=inputs, accumulate=False, create_graph=create_graph)
    result = []
    for index, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                g = xp.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {index}) appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the desired behavior.")
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._make(xp.asarray(g, dtype=t._array.dtype))
        result.append(g)
    return tuple(result)
