"""`Function`: one differentiable op, its forward beside its backward.

A subclass writes two static methods over raw arrays:

    forward(ctx, *args)          -> output array
    backward(ctx, grad_output)   -> one gradient (array or None) per positional arg of forward

`Function.apply(*args)` unwraps tensors, runs forward, and (when grad mode is on and some input
requires grad) records a node of the graph. The node is an instance of the subclass itself and is the
output's `grad_fn`; it doubles as the `ctx` that forward and backward share.

The graph is made of nodes, not tensors: each node keeps one edge per input (the node that produced that input,
the input's AccumulateGrad if it is a leaf, or None), fixed when the op runs. A later in-place op gives a tensor a
new grad_fn and leaves every node built before it as it was.

Arrays passed to save_for_backward are checked at backward: each remembers the version counter of the tensor whose
storage it is (an input, the output, or a view of one) and the version it had; an in-place change in between makes
backward raise PyTorch's "modified by an inplace operation" error instead of using the changed values.

"""
import weakref

from ..backend import shares_storage, xp
from . import grad_mode
from .scope import _stack as _scopes

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


_MODIFIED_MESSAGE = ("one of the variables needed for gradient computation has been modified by an inplace operation: "
                     "[{tensor}]{producer} is at version {now}; expected version {saved} instead. Hint: enable anomaly "
                     "detection to find the operation that failed to compute its gradient, with "
                     "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class VersionCounter:
    """How many in-place changes a storage has had; shared by a tensor, its views and its detach()."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


class SavedVersion:
    """A saved array's tie to a tensor's storage: backward refuses it when `counter` has moved past `version`."""

    __slots__ = ("index", "counter", "version", "dtype", "shape", "producer")

    def __init__(self, index, tensor):
        self.index, self.counter, self.version = index, tensor._version_counter, tensor._version_counter.value
        self.dtype, self.shape = tensor._data.dtype, tensor._data.shape
        self.producer = type(tensor._grad_fn) if tensor._grad_fn is not None else None   # a class: no cycle

    def check(self):
        if self.counter.value != self.version:
            from ..dtypes import SCALAR_TYPE_NAMES

            kind = SCALAR_TYPE_NAMES.get(self.dtype.name, "")
            producer = f", which is output 0 of {self.producer.__name__}," if self.producer else ""
            raise RuntimeError(_MODIFIED_MESSAGE.format(tensor=f"torch.{kind}Tensor [{', '.join(map(str, self.shape))}]",
                                                        producer=producer, now=self.counter.value,
                                                        saved=self.version))


Tensor = None    # glasstorch.tensor binds its class here when it is imported (Function.apply makes tensors)


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

    is_view = False                 # the output shares the first input's storage (reshape, permute, basic indexing)
    linear_in = None                # index of the one input the op is linear in, where the others are constants
    piecewise_linear = False        # y = f(x) elementwise with f'' = 0 almost everywhere (relu, clamp, abs)

    def __init__(self):
        self.next_edges = ()        # per argument: the node its gradient goes to (None: no gradient)
        self.needs_input_grad = ()
        self.constant_shapes = ()   # shapes of the tensor inputs that need no gradient (for drawing the graph)
        self._saved = ()
        self._saved_versions = ()
        self._freed = False
        self._hooks = {}            # tensor hooks of the output: grad -> grad or None
        self._retain_grad = None    # the output tensor when it called retain_grad()
        self.saved_output_index = None  # which of the saved arrays is the output (ops.formula.TENSORS.saved)
        self.module = None          # the path of the nn.Module whose forward made this node (autograd/scope.py)

    # -- ctx API used inside forward/backward
    def save_for_backward(self, *arrays):
        """Keep arrays for backward (None for one that no gradient asked for needs: it is then not version-checked,
        as PyTorch saves only what the wanted gradients use)."""
        self._saved = arrays

    def needs_grad(self, index):
        """Whether input `index` wants a gradient (False in forward when no graph is recorded)."""
        return bool(self.needs_input_grad) and self.needs_input_grad[index]

    @property
    def saved_tensors(self):
        self.check_saved_unchanged()
        return self._saved

    def check_saved_unchanged(self):
        """Refuse a backward whose saved values were freed or changed in place since forward (PyTorch's error).
        saved_tensors does it; a backward_graph that reads its inputs as tensors instead calls it by name."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        for saved in self._saved_versions:
            saved.check()

    # -- graph API
    @classmethod
    def apply(cls, *args, **kwargs):
        tensor_type = Tensor
        tensors = [a for a in args if isinstance(a, tensor_type)]
        arrays = [a._data if isinstance(a, tensor_type) else a for a in args]
        node = cls()
        requires_grad = cls.differentiable and grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensors)
        if requires_grad:
            edges, constants = [], []
            for a in args:
                if isinstance(a, tensor_type) and a.requires_grad:
                    edges.append(a._gradient_edge())
                else:
                    edges.append(None)
                    if isinstance(a, tensor_type):
                        constants.append(a._data.shape)
            node.next_edges = tuple(edges)
            node.needs_input_grad = tuple(edge is not None for edge in edges)
            node.constant_shapes = tuple(constants)
            node.inputs, node.kwargs = args, kwargs     # for a differentiable backward (create_graph=True)
            node.module = _scopes[-1][1] if _scopes else None
        with xp.errstate(all="ignore"):     # 1/0 = inf and 0/0 = NaN are results, as in PyTorch, not warnings
            out = cls.forward(node, *arrays, **kwargs)
        result = tensor_type._make(out, requires_grad, node if requires_grad else None)
        if cls.is_view and isinstance(args[0], tensor_type) and shares_storage(out, arrays[0]):
            result._become_view(args[0], (cls, args[1:], kwargs))
        if requires_grad:
            node.output_shape = out.shape
            if node._saved:
                node.saved_output_index = next((i for i, a in enumerate(node._saved) if a is out), None)
                node._remember_versions(tensors, result)
        return result

    def _remember_versions(self, tensors, result):
        """Tie each saved array to the tensor whose storage it is: an input or the output, itself or a view of it."""
        owners = tensors + [result]
        versions = []
        for index, saved in enumerate(self._saved):
            if saved is None or not isinstance(saved, xp.ndarray):
                continue
            owner = next((t for t in owners if saved is t._data), None)
            if owner is None:
                owner = next((t for t in owners if xp.may_share_memory(saved, t._data)), None)
            if owner is not None:
                versions.append(SavedVersion(index, owner))
        self._saved_versions = tuple(versions)

    def output_tensor(self, array):
        """The op's saved output as a tensor in the graph (its grad_fn is this node), as PyTorch rebuilds a saved
        output for a differentiable backward."""
        return Tensor._make(array, True, self)

    def input_tensor(self, index):
        """Input `index` as a tensor (a constant argument is wrapped, outside the graph)."""
        value = self.inputs[index]
        return value if isinstance(value, Tensor) else Tensor._make(xp.asarray(value))

    def _protect_saved_from(self, counter):
        """Copy what this node keeps that lives in `counter`'s storage: an in-place op is about to overwrite the
        old values its own backward needs (PyTorch saves a clone of the original self). The inputs it keeps for
        a differentiable backward are swapped for copies in the same place of the graph."""
        copies = {}
        inputs = list(getattr(self, "inputs", ()))
        for k, value in enumerate(inputs):
            if isinstance(value, Tensor) and value._version_counter is counter:
                inputs[k] = Tensor._make(value._data.copy(), value.requires_grad, value._grad_fn)
                copies[id(value._data)] = inputs[k]._data
        if inputs:
            self.inputs = tuple(inputs)
        kept = []
        for saved in self._saved_versions:
            if saved.counter is counter:
                array = self._saved[saved.index]
                copy = copies.get(id(array))
                self._saved = (self._saved[:saved.index] + (array.copy() if copy is None else copy,)
                               + self._saved[saved.index + 1:])
            else:
                kept.append(saved)
        self._saved_versions = tuple(kept)

    def _output_moved_to(self, result, tensor):
        """The output `result` was written into `tensor`'s storage: saved copies of it now follow `tensor`'s versions."""
        for saved in self._saved_versions:
            if saved.counter is result._version_counter:
                saved.counter, saved.version = tensor._version_counter, tensor._version_counter.value

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
        """(parent node or None, 0) per input, as PyTorch shows them; leaves appear as AccumulateGrad."""
        return tuple((edge, 0) for edge in self.next_edges)

    def register_hook(self, hook):
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def release(self):
        """Free what forward saved (called after a backward without retain_graph)."""
        if self._saved:
            self._saved = ()
            self._freed = True

    def run_backward(self, grad_output, create_graph=False):
        """The gradient of each input: arrays from `backward`, or with create_graph tensors from `backward_graph`
        (the same formula in glasstorch's differentiable ops, so that the gradient can be differentiated again)."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        grads = self.backward_graph(grad_output) if create_graph else type(self).backward(self, grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        return grads

    def backward_graph(self, grad_output):
        """dL/dinput as tensors in the graph. An op linear in one input (linear_in) gets it for free: its backward
        is a linear map of dL/dy whose adjoint is the op's forward itself (LinearMap). Other ops override this."""
        if self.piecewise_linear:        # dL/dx = dL/dy f'(x), and f'(x) is a constant of the graph
            slope = _first(type(self).backward(self, xp.ones(grad_output.shape, grad_output._data.dtype)))
            return (grad_output * Tensor._make(slope),) + (None,) * (len(self.inputs) - 1)
        if self.linear_in is None:
            raise RuntimeError(f"{self.name()} has no differentiable backward yet, so create_graph=True (a gradient "
                               "of a gradient) cannot pass through it")
        index, op = self.linear_in, type(self)
        constants = [a._data if isinstance(a, Tensor) else a for a in self.inputs]

        def backward(g):
            grads = op.backward(self, g)
            return grads[index] if isinstance(grads, tuple) else grads

        def forward(u):
            return op.forward(op(), *constants[:index], u, *constants[index + 1:], **self.kwargs)

        grads = [None] * len(self.inputs)
        grads[index] = LinearMap.apply(grad_output, backward, forward)
        return tuple(grads)

    def __repr__(self):
        return f"<{self.name()} object>"


def _first(grads):
    return grads[0] if isinstance(grads, tuple) else grads


class LinearMap(Function):
    """y = A g for a linear map A given as an array function, with its adjoint.  dL/dg = A^T dL/dy.

    The backward of an op that is linear in its input (reshape, sum, pooling by averages, a convolution's
    dL/dx, ...) is such a map, A = J^T, and its adjoint is the op's own linear forward J, so the gradient of a
    gradient is again a LinearMap, to any order."""

    @staticmethod
    def forward(ctx, g, apply, adjoint):
        ctx.apply, ctx.adjoint = apply, adjoint
        out = xp.asarray(apply(g))
        return out.copy() if xp.may_share_memory(out, g) else out     # a reshape or expand of g: its own memory

    @staticmethod
    def backward(ctx, u):
        out = ctx.adjoint(u)
        return out, None, None

    def backward_graph(self, u):
        return LinearMap.apply(u, self.adjoint, self.apply), None, None


class AccumulateGrad:
    """The node of a leaf that requires grad (one per leaf): backward adds what reaches it into `variable.grad`."""

    next_edges = ()
    next_functions = ()

    def __init__(self, variable):
        self._variable = weakref.ref(variable)     # a leaf owns its node; the node must not keep it alive

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad object>"
