"""Gradient clipping, the notes' remedy for exploding gradients.

clip_grad_norm_: with g the concatenation of all gradients and n = ||g||_p, every gradient is scaled by
min(1, max_norm / (n + 1e-6)), so the total norm is at most max_norm and the direction is unchanged.
"""
import math

from ...backend import xp
from ...creation import tensor
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _total_norm(tensors, norm_type):
    """||concat(tensors)||_p as a float (max |x| for p = inf), accumulated in float64."""
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        return max(float(xp.max(xp.abs(t.array))) for t in tensors)
    return sum(float(xp.sum(xp.abs(t.array.astype(xp.float64)) ** norm_type)) for t in tensors) ** (1 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The p-norm of the given tensors (e.g. gradients) taken together, as a 0-dim tensor."""
    tensors = [tensors] if isinstance(tensors, Tensor) else [t for t in tensors if t is not None]
    if not tensors:
        return tensor(0.0)
    total = _total_norm(tensors, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {float(norm_type)} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped.")
    return tensor(total, dtype=tensors[0].dtype)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale gradients in place so their total norm is <= max_norm; return the total norm before clipping."""
    grads = _grads(parameters)
    if not grads:
        return tensor(0.0)
    norm_type = float(norm_type)
    total = _total_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    coefficient = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        with g.modify() as values:
            values *= values.dtype.type(coefficient)
    return tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value]."""
    for g in _grads(parameters):
        with g.modify() as values:
            xp.clip(values, -clip_value, clip_value, out=values)
