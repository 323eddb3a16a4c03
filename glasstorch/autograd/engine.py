"""The backward engine: reverse-mode differentiation over the recorded graph.

For y = f(x) the chain rule gives dL/dx = dL/dy * dy/dx. The engine visits every node after all the
nodes that use its output (a reverse topological order, built with an explicit stack so that
10,000-op chains do not hit Python's recursion limit), sums the gradients flowing into each node,
and hands that sum to the node's backward.
"""
import operator

from .. import parallel
from ..backend import xp
from .grad_mode import no_grad


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
    from ..tensor import Tensor

    for hook in list(hooks.values()):
        result = hook(grad if create_graph else Tensor._make(grad))
        if result is not None:
            grad = result if create_graph else result._data if isinstance(result, Tensor) else xp.asarray(result)
    return grad


def run_backward(tensors, grad_tensors, retain_graph=False, inputs=None, accumulate=True, create_graph=False):
    """Propagate `grad_tensors` from `tensors` back through the graph.

    accumulate=True (Tensor.backward): leaf gradients are added into `.grad` (of `inputs` only, when given).
    accumulate=False (autograd.grad): the gradients of `inputs` are returned in order and no `.grad` is touched.
    create_graph=True: gradients are tensors computed by each node's backward_graph under grad mode, so they
    have a graph of their own (a Hessian-vector product is the gradient of such a gradient).
    """
    from .function import AccumulateGrad
    from .grad_mode import enable_grad

    add = operator.add if create_graph else _sum
    accumulate_into = _accumulate_graph_grad if create_graph else _accumulate_into_grad
    node_grads = {}      # id(node) -> summed gradient of that node's output
    wanted = {id(t._gradient_edge()): t for t in inputs} if inputs is not None else None
    captured = {}

    def deliver(node, grad):
        key = id(node)
        node_grads[key] = grad if key not in node_grads else add(node_grads[key], grad)

    for index, (tensor, grad) in enumerate(zip(tensors, grad_tensors)):
        if not tensor.requires_grad:
            raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
        deliver(tensor._gradient_edge(), grad)

    leaves = []
    with enable_grad() if create_graph else no_grad():
        for node in _topological_order([t._gradient_edge() for t in tensors]):
            grad = node_grads.pop(id(node), None)
            if grad is None:
                continue
            if isinstance(node, AccumulateGrad):
                leaves.append((node, grad))
                continue
            if create_graph or node._hooks or node._retain_grad is not None or not node.asynchronous:
                parallel.sync()     # these read whole arrays
            else:
                parallel.settle(grad)
            if node._hooks:
                grad = _apply_hooks(node._hooks, grad, create_graph)
            if node._retain_grad is not None and accumulate:
                accumulate_into(node._retain_grad, grad)
            if wanted is not None and id(node) in wanted:
                captured[id(node)] = grad
            for edge, parent_grad in zip(node.next_edges, node.run_backward(grad, create_graph)):
                if edge is not None and parent_grad is not None:
                    deliver(edge, parent_grad)
            if not retain_graph:
                node.release()

        parallel.sync()
        for node, grad in leaves:
            leaf = node.variable
            if leaf is None:
                continue
            if leaf._hooks:
                grad = _apply_hooks(leaf._hooks, grad, create_graph)
            if wanted is not None and id(node) in wanted:
                captured[id(node)] = grad
            if accumulate and (wanted is None or id(node) in wanted):
                accumulate_into(leaf, grad)
    if accumulate:
        return None
    return [captured.get(id(t._gradient_edge())) for t in inputs]


def _accumulate_graph_grad(tensor, grad):
    """x.grad = x.grad + dL/dx, out of place, keeping the graph of dL/dx (create_graph=True)."""
    grad = grad if tuple(grad.shape) == tuple(tensor.shape) else grad.expand(tensor.shape)
    tensor.grad = grad if tensor.grad is None else tensor.grad + grad


def _sum(a, b):
    """a + b for two gradients of one tensor; slice by slice when they have the same shape (see parallel.batchwise)."""
    if a.shape == b.shape and a.ndim and a.dtype == b.dtype:
        return parallel.batchwise(xp.add, xp.empty_like(a), a, b)
    parallel.sync()
    return a + b


def _accumulate_into_grad(tensor, grad):
    """x.grad += dL/dx (in place, so references to x.grad see it), or x.grad = dL/dx when unset."""
    from ..tensor import Tensor

    grad = xp.asarray(grad, dtype=tensor._array.dtype)
    if grad.shape != tensor._array.shape:
        grad = xp.broadcast_to(grad, tensor._array.shape)
    if tensor.grad is None:
        tensor.grad = Tensor._make(xp.array(grad, copy=True))
    else:
        tensor.grad._data += grad
