"""Differentiable primitives, one module per family; each Function's forward sits beside its backward."""
from . import (activation, conv, elementwise, embedding, indexing, loss, matmul, normalization, pool,  # noqa: F401
               promotion, recurrent, reduce, sampling, scan, shape)
