"""The backward engine: reverse-mode differentiation over the recorded graph.

For y = f(x) the chain rule gives dL/dx = dL/dy * dy/dx. The engine visits every node after all the
nodes that use its output (a reverse topological order, built with an explicit stack so that
10,000-op chains do not hit Python's recursion limit), sums the gradients flowing into each node,
and hands that sum to the node's backward.
"""
import operator

from .. import kernels
from ..backend import xp
from . import function
from .function import AccumulateGrad
from .grad_mode import enable_grad, no_grad


def _topological_order(roots):
    """Nodes reachable from `roots`, every node before the nodes its edges lead to (iterative DFS)."""
    order, visited = [], set()
    for root in roots:
        if root is None or id(root) in visited:
            continue
        visited.add(id(root))
        stack = [(root, iter(root.next_edges))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent is None or id(parent) in visited:
                    continue
                visited.add(id(parent))
                stack.append((parent, iter(parent.next_edges)))
                break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _apply_hooks(hooks, grad, create_graph=False):
    Tensor = function.Tensor
    for hook in list(hooks.values()):
        result = hook(grad if create_graph else Tensor._make(grad))
        if result is not None:
            grad = result if create_graph else result._data if isinstance(result, Tensor) else xp.asarray(result)
    return grad


def run_backward(tensors, grad_tensors, retain_graph=False, inputs=None, accumulate=True, create_graph=False):
    """Propagate `grad_tensors` from `tensors` back through the graph: the chain rule, node by node.

    accumulate=True (Tensor.backward): leaf gradients are added into `.grad` (of `inputs` only, when given).
    accumulate=False (autograd.grad): the gradients of `inputs` are returned in order and no `.grad` is touched.
    create_graph=True: gradients are tensors computed by each node's backward_graph under grad mode, so they
    have a graph of their own (a Hessian-vector product is the gradient of such a gradient).
    """
    state = _BackwardState(inputs, accumulate, create_graph)
    for index, (tensor, grad) in enumerate(zip(tensors, grad_tensors)):
        if not tensor.requires_grad:
            raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
        state.deliver(tensor._gradient_edge(), grad)

    # inf and NaN in a gradient are results, as in PyTorch, not NumPy warnings
    with enable_grad() if create_graph else no_grad(), xp.errstate(all="ignore"):
        for node in _topological_order([t._gradient_edge() for t in tensors]):    # after every user of its output
            grad = state.gradients.pop(id(node), None)      # dL/d(its output): the sum of what its users sent
            if grad is None:
                continue
            if isinstance(node, AccumulateGrad):             # a leaf: its gradient is complete
                state.finish_leaf(node, grad)
                continue
            grad = state.before_backward(node, grad)
            for edge, parent_grad in zip(node.next_edges, node.run_backward(grad, create_graph)):  # dL/dx = dL/dy dy/dx
                if edge is not None and parent_grad is not None:
                    state.deliver(edge, parent_grad)
            if not retain_graph:
                node.release()
    return None if accumulate else [state.captured.get(id(t._gradient_edge())) for t in inputs]


class _BackwardState:
    """What one backward pass keeps besides the chain rule: the gradients summed per node, the hooks, retain_grad,
    and which inputs' gradients are wanted (captured for autograd.grad, or the only .grad written)."""

    def __init__(self, inputs, accumulate, create_graph):
        self.gradients = {}         # id(node) -> summed gradient of that node's output
        self.wanted = {id(t._gradient_edge()) for t in inputs} if inputs is not None else None
        self.captured = {}
        self.accumulate, self.create_graph = accumulate, create_graph
        self.add = operator.add if create_graph else _sum
        self.accumulate_into = _accumulate_graph_grad if create_graph else _accumulate_into_grad

    def deliver(self, node, grad):
        key = id(node)
        self.gradients[key] = grad if key not in self.gradients else self.add(self.gradients[key], grad)

    def is_wanted(self, node):
        return self.wanted is not None and id(node) in self.wanted

    def before_backward(self, node, grad):
        """The node's tensor hooks (which may replace dL/dy), retain_grad, and capture when it is a wanted input."""
        if node._hooks:
            grad = _apply_hooks(node._hooks, grad, self.create_graph)
        if node._retain_grad is not None and self.accumulate:
            self.accumulate_into(node._retain_grad, grad)
        if self.is_wanted(node):
            self.captured[id(node)] = grad
        return grad

    def finish_leaf(self, node, grad):
        """A leaf's complete gradient, at the leaf's place in the order (as soon as its last use is done, so a hook
        can start sending it while the rest of backward runs): its hooks, then .grad += grad and the
        post-accumulate hooks, or, for autograd.grad, the captured result."""
        leaf = node.variable
        if leaf is None:
            return
        if leaf._hooks:
            grad = _apply_hooks(leaf._hooks, grad, self.create_graph)
        if self.is_wanted(node):
            self.captured[id(node)] = grad
        if self.accumulate and (self.wanted is None or self.is_wanted(node)):
            self.accumulate_into(leaf, grad)
            for hook in list(leaf._post_accumulate_grad_hooks.values()):
                hook(leaf)


def _accumulate_graph_grad(tensor, grad):
    """x.grad = x.grad + dL/dx, out of place, keeping the graph of dL/dx (create_graph=True)."""
    grad = grad if tuple(grad.shape) == tuple(tensor.shape) else grad.expand(tensor.shape)
    tensor.grad = grad if tensor.grad is None else tensor.grad + grad


def _sum(a, b):
    """a + b for two gradients of one tensor (by the kernel set when they have one shape and dtype)."""
    if a.shape == b.shape and a.ndim and a.dtype == b.dtype:
        return kernels.active().add(a, b)
    return a + b


def _accumulate_into_grad(tensor, grad):
    """x.grad += dL/dx (in place, so references to x.grad see it), or x.grad = dL/dx when unset."""
    grad = xp.asarray(grad, dtype=tensor._data.dtype)
    if grad.shape != tensor._data.shape:
        grad = xp.broadcast_to(grad, tensor._data.shape)
    if tensor.grad is None:
        tensor.grad = function.Tensor._make(xp.array(grad, copy=True))
    else:
        tensor.grad._data += grad


# ---------------------------------------------------------------- the entry points: backward() and grad()
def _seed_gradients(outputs, grad_outputs, create_graph=False):
    """dL/dy for each output: ones for a scalar output, else the given gradient (PyTorch's rules); tensors (which
    may themselves be in a graph) with create_graph."""
    Tensor = function.Tensor
    if create_graph:
        arrays = _seed_gradients(outputs, grad_outputs)
        given = grad_outputs or [None] * len(outputs)
        return [g if isinstance(g, Tensor) and g.requires_grad else Tensor._make(a) for g, a in zip(given, arrays)]
    seeds = []
    for index, out in enumerate(outputs):
        given = grad_outputs[index] if grad_outputs is not None else None
        if given is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seeds.append(xp.ones_like(out._data))
        else:
            array = given._data if isinstance(given, Tensor) else xp.asarray(given)
            if array.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of {tuple(array.shape)} "
                                   f"and output[{index}] has a shape of {tuple(out.shape)}.")
            seeds.append(array.astype(out._data.dtype, copy=False))
    return seeds


def _as_sequence(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


_backward_pre_hooks = {}


def register_backward_pre_hook(hook):
    """hook(tensors) at the start of every backward() (Tensor.backward and autograd.backward), before the graph is
    walked or freed: glasstorch's own (PyTorch has no global one); `glasstorch run --explain` uses it to look at a
    program's graph. Returns a handle whose remove() takes it away."""
    handle = function.RemovableHandle(_backward_pre_hooks)
    _backward_pre_hooks[handle.id] = hook
    return handle


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' `.grad`."""
    tensors = _as_sequence(tensors)
    for hook in list(_backward_pre_hooks.values()):
        hook(tensors)
    grads = _seed_gradients(tensors, None if grad_tensors is None else _as_sequence(grad_tensors), create_graph)
    if inputs is not None:
        inputs = _as_sequence(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, grads, retain_graph=create_graph if retain_graph is None else bool(retain_graph),
                 inputs=inputs, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, leaving every `.grad` untouched."""
    Tensor = function.Tensor
    outputs, inputs = _as_sequence(outputs), _as_sequence(inputs)
    for index, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {index}) does not require grad")
    seeds = _seed_gradients(outputs, None if grad_outputs is None else _as_sequence(grad_outputs), create_graph)
    grads = run_backward(outputs, seeds, retain_graph=create_graph if retain_graph is None else bool(retain_graph),
                         inputs=inputs, accumulate=False, create_graph=create_graph)
    result = []
    for index, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                g = xp.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {index}) appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the desired behavior.")
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._make(xp.asarray(g, dtype=t._data.dtype))
        result.append(g)
    return tuple(result)
