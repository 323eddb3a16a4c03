"""Embedding lookup and one-hot codes.

y[i] = W[idx[i]] picks rows of the weight matrix, so dL/dW[r] = sum of dL/dy[i] over every i with idx[i] = r
(rows used twice add up; the padding row gets none). One-hot is the same lookup in the identity matrix.
"""
from ..autograd import function
from ..autograd.function import Function, LinearMap
from ..backend import xp
from .shape import add_at


class Embedding(Function):
    """y = W[idx].  dL/dW[r] = sum_{i: idx_i = r} dL/dy_i, except dL/dW[padding_idx] = 0."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.weight_shape, ctx.indices, ctx.padding_idx = weight.shape, indices, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        grad = xp.zeros(ctx.weight_shape, dtype=g.dtype)
        add_at(grad, ctx.indices, g)
        if ctx.padding_idx is not None:
            grad[ctx.padding_idx] = 0
        return grad, None, None

    def backward_graph(self, g):
        """dL/dW is linear in dL/dy; its adjoint looks rows up again, with the padding row's lookups zeroed."""
        kept = None if self.padding_idx is None else (self.indices != self.padding_idx)[..., None]

        def adjoint(u):
            rows = u[self.indices]
            return rows if kept is None else rows * kept

        return LinearMap.apply(g, lambda grad: Embedding.backward(self, grad)[0], adjoint), None, None


def _indices(input, num_rows, op):
    Tensor = function.Tensor
    array = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected indices of an integer type (Long or Int), but got {array.dtype} "
                           f"(convert with .long())")
    if array.size and (array.min() < 0 or array.max() >= num_rows):
        bad = int(array.max() if array.max() >= num_rows else array.min())
        raise IndexError(f"{op}: index {bad} is out of range for a table of {num_rows} rows (valid: 0 to "
                         f"{num_rows - 1})")
    return array.astype(xp.int64, copy=False)


def _padding_index(padding_idx, num_rows):
    if padding_idx is None:
        return None
    if not -num_rows <= padding_idx < num_rows:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_rows


def renormalize_rows_(weight, indices, max_norm, norm_type):
    """W[r] *= max_norm / (||W[r]|| + 1e-7) for every looked-up row whose norm exceeds max_norm (in place, no grad,
    as PyTorch's embedding_renorm_)."""
    rows = xp.unique(indices)
    with weight.modify() as array:
        norms = xp.linalg.norm(array[rows], ord=norm_type, axis=1)
        over = norms > max_norm
        array[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(array.dtype)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    if weight.dim() != 2:
        raise RuntimeError(f"embedding: the weight must be 2-D (num_embeddings, embedding_dim), got shape "
                           f"{tuple(weight.shape)}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported")
    indices = _indices(input, weight.shape[0], "embedding")
    if max_norm is not None:
        renormalize_rows_(weight, indices, max_norm, norm_type)
    return Embedding.apply(weight, indices, _padding_index(padding_idx, weight.shape[0]))


def one_hot(tensor, num_classes=-1):
    """(*) int64 class indices -> (*, num_classes) int64 with a single 1 per position."""
    Tensor = function.Tensor
    array = tensor._data
    if array.dtype != xp.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if array.size and array.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        if not array.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(array.max()) + 1
    elif array.size and array.max() >= num_classes:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({num_classes}).")
    return Tensor._make(xp.eye(num_classes, dtype=xp.int64)[array])
