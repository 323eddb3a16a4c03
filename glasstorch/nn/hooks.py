"""Full backward hooks for modules: hook(module, grad_input, grad_output) once the inputs' gradients are known.

Identity nodes are spliced around the module: one on its output records dL/doutput, one on each input
that requires grad collects dL/dinput; when the last input gradient arrives the hooks run (PyTorch's
BackwardHook design).
"""
from ..autograd.function import Function
from ..creation import from_numpy
from ..tensor import Tensor


class _Identity(Function):
    """y = x; backward hands dL/dy to a callback (which may replace it) and passes it on."""

    @staticmethod
    def forward(ctx, x, callback):
        ctx.callback = callback
        return x

    @staticmethod
    def backward(ctx, g):
        replaced = ctx.callback(g)
        return (g if replaced is None else replaced), None

    def backward_graph(self, g):
        """With create_graph the gradient passes on with its graph (a hook that replaces it cuts that graph)."""
        replaced = self.callback(g.array)
        return (g if replaced is None else from_numpy(replaced)), None


class BackwardHookState:
    def __init__(self, module, hooks, inputs):
        self.module = module
        self.hooks = hooks
        self.grad_output = None
        self.input_slots = [i for i, t in enumerate(inputs) if _requires_grad(t)]
        self.grad_input = [None] * len(inputs)
        self.pending = len(self.input_slots)

    def wrap_inputs(self, inputs):
        return tuple(_Identity.apply(t, self._input_callback(i)) if i in self.input_slots else t
                     for i, t in enumerate(inputs))

    def wrap_output(self, output):
        if isinstance(output, tuple):
            return tuple(self.wrap_output(o) for o in output)
        return _Identity.apply(output, self._on_grad_output) if _requires_grad(output) else output

    def _on_grad_output(self, g):
        self.grad_output = (from_numpy(g),)
        if not self.input_slots:        # e.g. the first layer: no input needs a gradient
            self._fire()

    def _input_callback(self, index):
        def on_grad_input(g):
            self.grad_input[index] = from_numpy(g)
            self.pending -= 1
            if self.pending == 0:
                replaced = self._fire()
                if replaced is not None:
                    return replaced[index].array
            return None
        return on_grad_input

    def _fire(self):
        result = None
        for hook in list(self.hooks.values()):
            out = hook(self.module, tuple(self.grad_input), self.grad_output)
            if out is not None:
                result = out
                self.grad_input = list(out)
        return result


def _requires_grad(x):
    return isinstance(x, Tensor) and x.requires_grad
