"""`glasstorch run --tensorboard`: TensorBoard logs of any program, seen through the global hooks (every module's
forward, every backward call, every optimizer step), nothing patched and nothing run twice.

Per step (each optimizer step): loss (the scalar the program last called backward on) and gradient_norm/
<parameter> of each model the optimizer steps; weights/ and gradients/ histograms at the first step and every
HISTOGRAM_EVERY steps; each model's graph once, from the forward the program itself ran.
"""
import sys
import weakref

from ...train.board import log_parameters
from .graph import graph_def
from .writer import SummaryWriter

HISTOGRAM_EVERY = 100


class ProgramBoard:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.modules = weakref.WeakSet()
        self.last_forward = weakref.WeakKeyDictionary()     # module -> (inputs, output) of its latest forward
        self.steps, self.loss, self.graphs = {}, None, set()
        self.writer, self._handles = None, []

    def __enter__(self):
        from ...autograd import register_backward_pre_hook
        from ...nn.module import register_module_forward_hook
        from ...optim.optimizer import register_optimizer_step_pre_hook

        self.writer = SummaryWriter(self.out_dir)
        self._handles = [register_module_forward_hook(self._ran_forward),
                         register_backward_pre_hook(self._on_backward),
                         register_optimizer_step_pre_hook(self._before_step)]
        return self

    def _ran_forward(self, module, inputs, output):
        self.modules.add(module)
        if getattr(output, "grad_fn", None) is not None:
            self.last_forward[module] = (inputs, output)

    def _on_backward(self, tensors):
        root = tensors[0]
        if root.numel() == 1:
            self.loss = float(root.item())

    def _before_step(self, optimizer, args, kwargs):
        from ...diagnostics.gradient_flow import stepped_models

        step = self.steps[id(optimizer)] = self.steps.get(id(optimizer), 0) + 1
        if self.loss is not None:
            self.writer.add_scalar("loss", self.loss, step)
        for model in stepped_models(optimizer, self.modules):
            prefix = type(model).__name__
            if id(model) not in self.graphs and model in self.last_forward:
                self.graphs.add(id(model))
                self.writer._get_file_writer().add_event(_graph_event(model, *self.last_forward[model]))
            log_parameters(self.writer, model, step, prefix=f"{prefix}.",
                           histograms=step == 1 or step % HISTOGRAM_EVERY == 0)

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self.writer.close()
        print(f"glasstorch run: wrote TensorBoard logs to {self.out_dir} ({sum(self.steps.values())} optimizer steps); "
              f"view them with: tensorboard --logdir {self.out_dir}", file=sys.stderr)
        return False


def _graph_event(model, inputs, output):
    from tensorboard.compat.proto.event_pb2 import Event

    return Event(graph_def=graph_def(model, inputs, output).SerializeToString())
