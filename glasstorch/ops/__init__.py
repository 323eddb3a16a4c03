"""Differentiable primitives, one module per family; each op's forward sits beside its derivative (formula.py)."""
from . import (activation, conv, division, dropout, elementwise, embedding, formula, indexing, loss,  # noqa: F401
               matmul, normalization, norms, pool, promotion, recurrent, reduce, sampling, scan, shape, special)
