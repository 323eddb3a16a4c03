"""Differentiable primitives, one module per family; each Function's forward sits beside its backward."""
from . import (activation, conv, division, elementwise, embedding, indexing, loss, matmul, normalization,  # noqa: F401
               norms, pool, promotion, recurrent, reduce, sampling, scan, shape, special)
