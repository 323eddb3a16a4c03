"""The operators and math methods of glasstorch.Tensor (x + y, x.sum(), x.add_(y), ...): each one delegates to a
differentiable op in glasstorch.ops, as torch.Tensor's methods call torch's functions."""
from . import dtypes, ops, random
from .autograd import function
from .autograd.history import _same_elements
from .backend import xp


class TensorMath:
    """The methods of glasstorch.Tensor that compute: in-place ops, operators, math, shapes, indexing."""

    # ------------------------------------------------------------ in-place ops
    def add_(self, other, alpha=1):
        return self._inplace(lambda t: ops.elementwise.add(t, other, alpha=alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace(lambda t: ops.elementwise.sub(t, other, alpha=alpha), other)

    def mul_(self, other):
        return self._inplace(lambda t: ops.elementwise.mul(t, other), other)

    def div_(self, other, rounding_mode=None):
        return self._inplace(lambda t: ops.division.div(t, other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace(lambda t: ops.elementwise.pow(t, exponent), exponent)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda t: ops.elementwise.clamp(t, min, max), min, max)

    clip_ = clamp_

    def relu_(self):
        return self._inplace(ops.activation.relu)

    def sigmoid_(self):
        return self._inplace(ops.activation.sigmoid)

    def tanh_(self):
        return self._inplace(ops.activation.tanh)

    def exp_(self):
        return self._inplace(ops.elementwise.exp)

    def log_(self):
        return self._inplace(ops.elementwise.log)

    def sqrt_(self):
        return self._inplace(ops.elementwise.sqrt)

    def neg_(self):
        return self._inplace(ops.elementwise.neg)

    def abs_(self):
        return self._inplace(ops.elementwise.abs)

    def addcmul_(self, tensor1, tensor2, value=1):
        """self += value * tensor1 * tensor2."""
        return self._inplace(lambda t: ops.elementwise.add(t, ops.elementwise.mul(tensor1, tensor2), alpha=value),
                             tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        """self += value * tensor1 / tensor2."""
        return self._inplace(lambda t: ops.elementwise.add(t, ops.elementwise.div(tensor1, tensor2), alpha=value),
                             tensor1, tensor2)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda t: t.masked_fill(mask, value), mask, value, fills=True)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return self._overwrite(value, fills=True)

    def copy_(self, src, non_blocking=False):
        if not isinstance(src, function.Tensor):
            src = function.Tensor._make(xp.asarray(src))
        return self._overwrite(src, fills=_same_elements(self._data, src._data))   # x.copy_(x) writes nothing new

    def _overwrite(self, values, fills=False):
        """self[...] = values (a number, an array or a tensor, broadcast; differentiable in a tensor)."""
        return self._inplace(lambda t: ops.elementwise.Overwrite.apply(t, values), values, fills=fills)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return self._overwrite(random.generator(generator).normal(mean, std, self._data.shape))

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return self._overwrite(random.generator(generator).uniform(a, b, self._data.shape))

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.elementwise.add(self, other)

    def __radd__(self, other):
        return ops.elementwise.add(other, self)

    def __sub__(self, other):
        return ops.elementwise.sub(self, other)

    def __rsub__(self, other):
        return ops.elementwise.sub(other, self)

    def __mul__(self, other):
        return ops.elementwise.mul(self, other)

    def __rmul__(self, other):
        return ops.elementwise.mul(other, self)

    def __truediv__(self, other):
        return ops.elementwise.div(self, other)

    def __rtruediv__(self, other):
        return ops.elementwise.div(other, self)

    def __floordiv__(self, other):
        return ops.division.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return ops.division.floor_divide(other, self)

    def __mod__(self, other):
        return ops.division.remainder(self, other)

    def __rmod__(self, other):
        return ops.division.remainder(other, self)

    def __pow__(self, other):
        return ops.elementwise.pow(self, other)

    def __rpow__(self, other):
        return ops.elementwise.pow(other, self)

    def __matmul__(self, other):
        return ops.matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul.matmul(other, self)

    def __neg__(self):
        return ops.elementwise.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.elementwise.abs(self)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # comparisons: bool tensors, no gradient
    def _compare(self, other, compare):
        other = other._data if isinstance(other, function.Tensor) else other
        return function.Tensor._make(xp.asarray(compare(self._data, other)))

    def __eq__(self, other):
        return self._compare(other, xp.equal)

    def __ne__(self, other):
        return self._compare(other, xp.not_equal)

    def __lt__(self, other):
        return self._compare(other, xp.less)

    def __le__(self, other):
        return self._compare(other, xp.less_equal)

    def __gt__(self, other):
        return self._compare(other, xp.greater)

    def __ge__(self, other):
        return self._compare(other, xp.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other):
        return self._compare(other, xp.logical_and if self._data.dtype == bool else xp.bitwise_and)

    def __or__(self, other):
        return self._compare(other, xp.logical_or if self._data.dtype == bool else xp.bitwise_or)

    def __invert__(self):
        return function.Tensor._make(xp.logical_not(self._data) if self._data.dtype == bool else ~self._data)

    def equal(self, other):
        return self.shape == other.shape and bool(xp.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return bool(xp.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def all(self, dim=None, keepdim=False):
        axes = None if dim is None else ops.dims.normalize_dims(dim, self.dim(), "all")
        return function.Tensor._make(xp.asarray(xp.all(self._data, axis=axes, keepdims=keepdim)))

    def any(self, dim=None, keepdim=False):
        axes = None if dim is None else ops.dims.normalize_dims(dim, self.dim(), "any")
        return function.Tensor._make(xp.asarray(xp.any(self._data, axis=axes, keepdims=keepdim)))

    def isnan(self):
        return function.Tensor._make(xp.isnan(self._data))

    def isfinite(self):
        return function.Tensor._make(xp.isfinite(self._data))

    def sign(self):
        return ops.elementwise.sign(self)

    def masked_fill(self, mask, value):
        if mask.dtype != dtypes.bool:
            raise RuntimeError(f"masked_fill: expected the mask to be a bool tensor, got {mask.dtype.name}")
        if not isinstance(value, function.Tensor):
            value = function.Tensor._make(xp.asarray(value, dtype=self._data.dtype))
        return ops.elementwise.where(mask, value.to(self.dtype), self)

    # ------------------------------------------------------------ math methods
    def add(self, other, alpha=1):
        return ops.elementwise.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return ops.elementwise.sub(self, other, alpha=alpha)

    def mul(self, other):
        return ops.elementwise.mul(self, other)

    def div(self, other, rounding_mode=None):
        return ops.division.div(self, other, rounding_mode=rounding_mode)

    def floor_divide(self, other):
        return ops.division.floor_divide(self, other)

    def remainder(self, other):
        return ops.division.remainder(self, other)

    def fmod(self, other):
        return ops.division.fmod(self, other)

    def pow(self, exponent):
        return ops.elementwise.pow(self, exponent)

    def matmul(self, other):
        return ops.matmul.matmul(self, other)

    mm = matmul

    def abs(self):
        return ops.elementwise.abs(self)

    def neg(self):
        return ops.elementwise.neg(self)

    def exp(self):
        return ops.elementwise.exp(self)

    def log(self):
        return ops.elementwise.log(self)

    def sqrt(self):
        return ops.elementwise.sqrt(self)

    def sin(self):
        return ops.elementwise.sin(self)

    def cos(self):
        return ops.elementwise.cos(self)

    def erf(self):
        return ops.elementwise.erf(self)

    def where(self, condition, other):
        """self where condition, else other (torch.where(condition, self, other))."""
        return ops.elementwise.where(condition, self, other)

    def clamp(self, min=None, max=None):
        return ops.elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return ops.elementwise.minimum(self, other)

    def relu(self):
        return ops.activation.relu(self)

    def sigmoid(self):
        return ops.activation.sigmoid(self)

    def tanh(self):
        return ops.activation.tanh(self)

    def softmax(self, dim):
        return ops.activation.softmax(self, dim)

    def log_softmax(self, dim):
        return ops.activation.log_softmax(self, dim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """||x||_p over dim (ops/norms.py)."""
        return ops.norms.tensor_norm(self, p, dim, keepdim, dtype)

    def atan2(self, other):
        return ops.special.atan2(self, other)

    def xlogy(self, other):
        return ops.special.xlogy(self, other)

    # reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        return ops.reduce.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return ops.reduce.mean(self, dim, keepdim, dtype)

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, function.Tensor):
            return ops.elementwise.maximum(self, dim)
        return ops.reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, function.Tensor):
            return ops.elementwise.minimum(self, dim)
        return ops.reduce.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return ops.reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return ops.reduce.argmin(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return ops.reduce.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return ops.reduce.amin(self, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return ops.reduce.median(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False):
        return ops.reduce.logsumexp(self, dim, keepdim)

    def prod(self, dim=None, keepdim=False, dtype=None):
        return ops.reduce.prod(self, dim, keepdim, dtype=dtype)

    # shape
    def reshape(self, *shape):
        return ops.shape.reshape(self, *shape)

    view = reshape

    def view_as(self, other):
        return ops.shape.reshape(self, other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def permute(self, *dims):
        return ops.shape.permute(self, *dims)

    def flip(self, *dims):
        return ops.shape.flip(self, dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims)

    def transpose(self, dim0, dim1):
        return ops.shape.transpose(self, dim0, dim1)

    def t(self):
        return ops.shape.t(self)

    def unsqueeze(self, dim):
        return ops.shape.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return ops.shape.squeeze(self, dim)

    def expand(self, *sizes):
        return ops.shape.expand(self, *sizes)

    def expand_as(self, other):
        return ops.shape.expand(self, other.shape)

    def repeat(self, *repeats):
        return ops.shape.repeat(self, *repeats)

    def movedim(self, source, destination):
        """The same tensor with axis `source` moved to position `destination` (a view)."""
        order = [d for d in range(self.dim()) if d != self._axis(source)]
        order.insert(self._axis(destination), self._axis(source))
        return self.permute(*order)

    def select(self, dim, index):
        """The slice at `index` along `dim` (a view, one dimension fewer)."""
        return self[(slice(None),) * self._axis(dim) + (index,)]

    def narrow(self, dim, start, length):
        """Elements start .. start + length - 1 along `dim` (a view)."""
        axis = self._axis(dim)
        if not 0 <= start % max(self.shape[axis], 1) <= self.shape[axis] - length or length < 0:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({self.shape[axis]}).")
        start %= max(self.shape[axis], 1)
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def split(self, split_size, dim=0):
        return ops.shape.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return ops.shape.chunk(self, chunks, dim)

    # indexing along a dim, sorting, scans
    def gather(self, dim, index):
        return ops.indexing.gather(self, dim, index)

    def scatter(self, dim, index, src=None, value=None, reduce=None):
        return ops.indexing.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_(self, dim, index, src=None, value=None, reduce=None):
        return self._inplace(lambda t: ops.indexing.scatter(t, dim, index, src, value, reduce=reduce), src)

    def scatter_add(self, dim, index, src):
        return ops.indexing.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda t: ops.indexing.scatter_add(t, dim, index, src), src)

    def index_select(self, dim, index):
        return ops.indexing.index_select(self, dim, index)

    def masked_select(self, mask):
        return ops.indexing.masked_select(self, mask)

    def sort(self, dim=-1, descending=False, stable=False):
        return ops.indexing.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return ops.indexing.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return ops.indexing.topk(self, k, dim, largest, sorted)

    def nonzero(self, *, as_tuple=False):
        return ops.indexing.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return ops.indexing.unique(self, sorted, return_inverse, return_counts, dim)

    def cumsum(self, dim, dtype=None):
        return ops.scan.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, dtype=None):
        return ops.scan.cumprod(self, dim, dtype=dtype)

    def bmm(self, mat2):
        return ops.matmul.bmm(self, mat2)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return ops.sampling.multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return ops.sampling.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return self._overwrite(ops.sampling.bernoulli(self, p._data if isinstance(p, function.Tensor) else p, generator=generator)._data)
