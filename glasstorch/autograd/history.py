"""The view, version and in-place machinery of a tensor (the base class of glasstorch.Tensor).

Storage, views and versions follow PyTorch. A view shares its base's memory and its version counter (`_version`);
every in-place op writes into the tensor's own memory, so the base and all its views see it, and bumps the counter;
a value saved for backward that changed since raises at backward. With autograd, an in-place op is a graph node
like any other: the tensor takes the op's grad_fn (on a view, the base's history gets a CopySlices node and the
view is taken anew).
"""
from .. import dtypes
from ..backend import repeats_elements, xp
from . import grad_mode
from .function import AccumulateGrad
from .views import INTERNAL_OVERLAP_MESSAGE, CopySlices, view_of_tensor


class TensorHistory:
    """Where a tensor sits in the graph, whose storage it shares, how often that storage changed in place, and
    how an in-place op is recorded. glasstorch.Tensor derives from it; nothing here runs an op."""

    _base = None                # the tensor whose storage a view shares (None: not a view)
    _view_steps = ()            # the view ops that make this view from _base: ((op, args, kwargs), ...)
    _view_version = 0           # the storage's version when this view's grad_fn was taken
    _accumulator = None         # a leaf's AccumulateGrad node, made when first needed

    # ------------------------------------------------------------ graph position, views and versions
    @property
    def grad_fn(self):
        self._refresh_view_if_stale()
        return self._grad_fn

    def _refresh_view_if_stale(self):
        """A view whose base changed in place since its history was taken takes it anew (before its grad_fn or
        requires_grad is read)."""
        if self._base is not None and self._view_version != self._version_counter.value:
            self._refresh_view()

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def _version(self):
        """How many in-place changes this tensor's storage has had (shared with its views)."""
        return self._version_counter.value

    def _gradient_edge(self):
        """The node a gradient for this tensor goes to: its grad_fn, or (a leaf) its AccumulateGrad."""
        node = self.grad_fn
        if node is not None:
            return node
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def _become_view(self, source, step):
        """Make this tensor (just computed from `source` by the view op `step`) a view of source's base."""
        if source._base is not None:
            self._base, self._view_steps = source._base, source._view_steps + (step,)
        else:
            self._base, self._view_steps = source, (step,)
        self._version_counter = source._version_counter
        self._view_version = self._version_counter.value

    def _refresh_view(self):
        """The base changed in place since this view's grad_fn was taken: take the view anew of the base's
        current history (PyTorch regenerates a view's grad_fn the same way)."""
        self._view_version = self._version_counter.value
        if self._base.requires_grad:
            with grad_mode.enable_grad():
                self._grad_fn = view_of_tensor(self._view_steps, self._base)._grad_fn
            self._requires_grad = True

    # ------------------------------------------------------------ in-place machinery
    def _inplace(self, compute, *operands, fills=False):
        """Make `self` hold compute(self), written into its own storage (so its base and views see it).

        With autograd the op is a graph node: compute runs on an alias of self with self's history; arrays
        it saved that live in self's storage are copied first (the old values its backward needs), and self
        (or, for a view, its base through CopySlices) takes the result's grad_fn. Only ops that `fill` in values
        may write into an expand()ed tensor, where several elements share one memory location (as in PyTorch).
        """
        recording = grad_mode.is_grad_enabled()
        if recording:
            self._check_inplace_allowed()
        for operand in operands:
            if isinstance(operand, TensorHistory) and _partially_overlap(self._data, operand._data):
                raise RuntimeError(_OVERLAP_MESSAGE)
        before = self._make(self._data, self.requires_grad, self.grad_fn)
        before._version_counter = self._version_counter
        result = compute(before)
        if result._data.dtype.kind == "f" and self._data.dtype.kind in "biu":
            raise RuntimeError(f"result type {dtypes.SCALAR_TYPE_NAMES[result._data.dtype.name]} can't be cast to the "
                               f"desired output type {dtypes.SCALAR_TYPE_NAMES[self._data.dtype.name]}")
        node = result._grad_fn if recording and result.requires_grad else None
        if node is not None:
            node._protect_saved_from(self._version_counter)
        self._write(result._data, overlapping_ok=fills)
        if node is not None:
            node._output_moved_to(result, self)
            self._take_history(result)
        return self

    def _check_inplace_allowed(self):
        if self._base is None and self.requires_grad and self.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if self._base is not None and self._base.requires_grad:
            if self._base.is_leaf:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            if self._grad_fn is None:   # taken before its base had a history: as PyTorch, still a leaf here
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _write(self, values, index=Ellipsis, overlapping_ok=False):
        """self[index] = values in place; one more version of the storage."""
        target = self._data
        if not target.flags.writeable or (repeats_elements(target) and not overlapping_ok):
            raise RuntimeError(INTERNAL_OVERLAP_MESSAGE)
        try:
            target[index] = values
        except ValueError as error:
            raise RuntimeError(f"cannot write values of shape {tuple(xp.shape(values))} into a tensor of shape "
                               f"{tuple(target.shape)}: {error}") from None
        self._version_counter.value += 1

    def _take_history(self, result):
        """After writing `result` into self: self's gradient now comes from result's graph."""
        if self._base is None:
            self._grad_fn, self._requires_grad = result._grad_fn, True
            return
        base = self._base
        base._grad_fn = CopySlices.record(base, self._view_steps, result, self._data)
        base._requires_grad = True
        self._refresh_view()

    # ------------------------------------------------------------ the array, for code outside the ops
    @property
    def array(self):
        """The NumPy array that holds the values (shared, not a copy). nn, optim, train, distributed and vision read
        a tensor's values through it, and change them only through write_() or modify(), which count the change."""
        return self._data

    def write_(self, values, index=Ellipsis):
        """self[index] = values (an array, a number or a tensor), in place and outside the graph: one more version
        of the storage, so a value saved for backward that this overwrites is refused at backward."""
        self._write(getattr(values, "_data", values), index)
        return self

    def modify(self):
        """`with t.modify() as values: values *= 0.9`: change the values in place through their array (an
        optimizer's update); on leaving the block the storage has one more version."""
        return _Modification(self)


_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
                    "single memory location. Please clone() the tensor before performing the operation.")


def _partially_overlap(a, b):
    """PyTorch's partial-overlap test for an in-place op's output a and input b: both non-overlapping and dense
    (each fills one block of memory), their blocks intersect, and they are not the same block. Anything harder
    to tell (a strided column, say) is let through, as in PyTorch."""
    if not xp.may_share_memory(a, b) or not (_dense(a) and _dense(b)):
        return False
    a_start, b_start = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    return (a_start, a.nbytes) != (b_start, b.nbytes)


def _same_elements(a, b):
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides)


def _dense(array):
    """The elements of `array` fill a block of array.nbytes bytes (in some order of the axes), each once."""
    expected = array.itemsize
    for stride, size in sorted((abs(st), n) for st, n in zip(array.strides, array.shape) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


class _Modification:
    """The context of TensorHistory.modify(): yields the array, and counts one in-place change on exit."""

    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor

    def __enter__(self):
        return self.tensor._data

    def __exit__(self, *exc):
        self.tensor._version_counter.value += 1
        return False
