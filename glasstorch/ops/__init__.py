"""Differentiable primitives, one module per family; each Function's forward sits beside its backward."""
from . import activation, conv, elementwise, loss, matmul, normalization, pool, promotion, reduce, shape  # noqa: F401
