"""`Function`: one differentiable op, its forward beside its backward.

A subclass writes two static methods over raw arrays:

    forward(ctx, *args)          -> output array
    backward(ctx, grad_output)   -> one gradient (array or None) per positional arg of forward

`Function.apply(*args)` unwraps tensors, runs forward, and (when grad mode is on and some input
requires grad) records a node of the graph. The node is an instance of the subclass itself and is the
output's `grad_fn`; it doubles as the `ctx` that forward and backward share.

An op that sets `asynchronous = True` receives arrays that worker threads may still be writing slice by slice
(glasstorch.parallel): its forward and backward must read batch-wise arrays only through map_async, slice by
slice, and settle(..., whole=True) any array they read whole. Every other op receives finished arrays.
"""
from .. import parallel
from . import grad_mode

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class RemovableHandle:
    """Returned by every `register_*hook`; `remove()` takes the hook out again."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Function:
    """Base class of ops. Instances are graph nodes (`grad_fn`) and the `ctx` of forward/backward."""

    differentiable = True
    asynchronous = False

    def __init__(self):
        self.inputs = ()            # the tensor arguments (None where an argument was no tensor)
        self.needs_input_grad = ()
        self._saved = ()
        self._freed = False
        self._hooks = {}            # tensor hooks of the output: grad -> grad or None
        self._retain_grad = None    # the output tensor when it called retain_grad()

    # -- ctx API used inside forward/backward
    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        return self._saved

    # -- graph API
    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor

        if cls.asynchronous:
            arrays = [a._array if isinstance(a, Tensor) else a for a in args]
            parallel.settle(*arrays)
        else:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        node = cls()
        requires_grad = cls.differentiable and grad_mode.is_grad_enabled() and any(
            isinstance(a, Tensor) and a.requires_grad for a in args)
        if requires_grad:
            node.inputs = tuple(a if isinstance(a, Tensor) else None for a in args)
            node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        out = cls.forward(node, *arrays, **kwargs)
        if not requires_grad:
            return Tensor._make(out)
        node.output_shape = out.shape
        return Tensor._make(out, requires_grad=True, grad_fn=node)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError

    def name(self):
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self):
        """(parent grad_fn or None, 0) per input, as PyTorch shows them; leaves appear as AccumulateGrad."""
        out = []
        for t in self.inputs:
            if t is None or not t.requires_grad:
                out.append((None, 0))
            else:
                out.append((t.grad_fn if t.grad_fn is not None else AccumulateGrad(t), 0))
        return tuple(out)

    def register_hook(self, hook):
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def release(self):
        """Free what forward saved (called after a backward without retain_graph)."""
        if self._saved:
            self._saved = ()
            self._freed = True

    def run_backward(self, grad_output):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        grads = type(self).backward(self, grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        return grads

    def __repr__(self):
        return f"<{self.name()} object>"


class AccumulateGrad:
    """Stand-in node for a leaf in `next_functions`: backward adds into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad object>"
