"""Views and in-place ops on them: how a view is replayed on its base, and CopySlices.

A view (reshape, permute, expand, basic indexing) shares its base's storage; it remembers the steps that made it
from the base, so that the same view can be taken again of the base's array, of a gradient of the base's shape,
or of the base tensor after its history changed. An in-place op on a view changes the base, so it is recorded on
the base (PyTorch's CopySlices): base' = base with the view's region replaced by the op's result r.

    dL/dbase = dL/dbase' with the region zeroed        dL/dr = dL/dbase' restricted to the region
"""
from ..backend import repeats_elements, shares_storage, xp
from . import function
from .function import Function

INTERNAL_OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single "
                            "memory location. Please clone() the tensor before performing the operation.")


def view_of_array(steps, array):
    """The view `steps` describe, taken of an array shaped like the base (no graph)."""
    for op, args, kwargs in steps:
        array = op.forward(op(), array, *args, **kwargs)
    return array


def view_of_tensor(steps, tensor):
    """The view `steps` describe, taken of a tensor shaped like the base (recorded in the graph)."""
    for op, args, kwargs in steps:
        tensor = op.apply(tensor, *args, **kwargs)
    return tensor


def empty_like_layout(axis_order, shape, dtype):
    """An empty array of `shape` whose axes lie in memory in `axis_order` (outermost first), so that the views
    that share memory with a base of that layout share memory with it too."""
    inverse = sorted(range(len(axis_order)), key=axis_order.__getitem__)
    return xp.empty([shape[a] for a in axis_order], dtype=dtype).transpose(inverse)


class CopySlices(Function):
    """base' = base with base[view] = r.  dL/dbase = dL/dbase' with the view zeroed;  dL/dr = dL/dbase'[view]."""

    @classmethod
    def record(cls, base, steps, result, view_array):
        """The node that makes `base` hold `result` in the region `steps` select, on top of base's history."""
        node = cls()
        node.steps = steps
        # an expand()ed view writes several of its elements to one place: which gradient is that place's?
        node.overlapping = repeats_elements(view_array)
        node.axis_order = tuple(sorted(range(base._data.ndim), key=lambda a: -base._data.strides[a]))
        node.next_edges = (base._gradient_edge() if base.requires_grad else None, result._gradient_edge())
        node.needs_input_grad = tuple(edge is not None for edge in node.next_edges)
        node.output_shape = base._data.shape
        return node

    @staticmethod
    def backward(ctx, g):
        ctx.refuse_overlap()
        full = empty_like_layout(ctx.axis_order, g.shape, g.dtype)
        full[...] = g
        region = view_of_array(ctx.steps, full)
        if not shares_storage(region, full):
            raise RuntimeError("CopySlices: the view could not be taken of the gradient (its layout differs)")
        grad_result = region.copy() if ctx.needs_input_grad[1] else None
        region[...] = 0
        return full if ctx.needs_input_grad[0] else None, grad_result

    def refuse_overlap(self):
        if self.overlapping:
            raise RuntimeError(INTERNAL_OVERLAP_MESSAGE)

    def backward_graph(self, g):
        self.refuse_overlap()
        kept = xp.ones(g.shape, g._data.dtype)
        view_of_array(self.steps, kept)[...] = 0
        grad_base = g * function.Tensor._make(kept) if self.needs_input_grad[0] else None
        grad_result = view_of_tensor(self.steps, g) if self.needs_input_grad[1] else None
        return grad_base, grad_result

    def name(self):
        return "CopySlices"
