"""`glasstorch.linalg` (torch.linalg): the norms. The math is in glasstorch/ops/norms.py."""
from .ops.norms import matrix_norm, norm, vector_norm

__all__ = ["matrix_norm", "norm", "vector_norm"]
