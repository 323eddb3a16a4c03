"""Watch gradients flow: per layer and per step, the gradient norm of every parameter, and the mean, spread
and dead fraction of every layer's output.

The notes' vanishing-gradient argument: by the chain rule dL/dW_1 = dL/dy_n * prod_k dy_k/dy_(k-1) * dy_1/dW_1,
and with sigmoid each factor carries sigma'(z) <= 1/4, so the first layers' gradient norms shrink
geometrically with depth. This recorder measures exactly those norms.
"""
import numpy as np

from ..autograd.grad_mode import is_grad_enabled


class GradientFlowRecorder:
    """Attach to a model, call `step()` after each backward; read `records`, `summary()`, `save_figures()`.

    A layer is every module that holds parameters directly (Linear, Conv2d, BatchNorm...). A unit of a layer's
    output is dead in a batch when it is <= 0 for every sample: a ReLU after it passes no gradient there.
    """

    def __init__(self, model, layers=None):
        self.model = model
        self.layers = [(name, module) for name, module in model.named_modules()
                       if module._parameters and any(p is not None for p in module._parameters.values())]
        if layers is not None:
            self.layers = [(name, module) for name, module in self.layers if name in layers]
        self.parameters = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self.records = []
        self._latest_activation = {}
        self._handles = [module.register_forward_hook(self._activation_hook(name)) for name, module in self.layers]

    def _activation_hook(self, name):
        def hook(module, inputs, output):
            if not is_grad_enabled():
                return None          # evaluation passes are not training steps
            values = output.array
            per_unit_max = values.reshape(values.shape[0], -1).max(axis=0) if values.ndim > 1 else values
            self._latest_activation[name] = (float(values.mean()), float(values.std()),
                                             float(np.mean(per_unit_max <= 0)))
            return None
        return hook

    def step(self):
        """Record the current gradients (call after backward) and the last forward's activations."""
        grad_norms = {name: float(np.linalg.norm(p.grad.array)) if p.grad is not None else 0.0
                      for name, p in self.parameters}
        self.records.append({"step": len(self.records) + 1, "grad_norm": grad_norms,
                             "activation": dict(self._latest_activation)})
        return self.records[-1]

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    # ------------------------------------------------------------ reading the records
    def weight_names(self):
        """The weight parameter of every layer, input to output (biases are left out of the per-layer view)."""
        return [f"{name}.weight" if name else "weight" for name, module in self.layers
                if module._parameters.get("weight") is not None]

    def layer_norms(self, step=-1):
        """{weight name: gradient norm} at one recorded step."""
        record = self.records[step]
        return {name: record["grad_norm"][name] for name in self.weight_names()}

    def first_last_ratio(self, step=-1):
        """||dL/dW_first|| / ||dL/dW_last||: far below 1 means the gradient vanishes on its way back."""
        norms = list(self.layer_norms(step).values())
        return norms[0] / norms[-1] if norms and norms[-1] > 0 else float("nan")

    def summary(self):
        """A table: per layer, gradient norm at the first and last step and the activation statistics."""
        if not self.records:
            return "no steps recorded"
        first, last = self.records[0], self.records[-1]
        lines = [f"{'layer':<28} {'grad norm (step 1)':>18} {'grad norm (last)':>16} {'act mean':>9} {'act std':>8} "
                 f"{'dead %':>7}"]
        for (layer, _), weight in zip([(n, m) for n, m in self.layers if m._parameters.get("weight") is not None],
                                      self.weight_names()):
            mean, std, dead = last["activation"].get(layer, (float("nan"),) * 3)
            lines.append(f"{weight:<28} {first['grad_norm'][weight]:>18.3e} {last['grad_norm'][weight]:>16.3e} "
                         f"{mean:>9.3f} {std:>8.3f} {100 * dead:>6.1f}%")
        return "\n".join(lines)

    def save_figures(self, folder, prefix="gradient_flow"):
        """<prefix>_layers.png (norm per layer, first and last step) and <prefix>_steps.png (norms over steps)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        if not self.records:
            return []
        names = self.weight_names()
        paths = [f"{folder}/{prefix}_layers.png", f"{folder}/{prefix}_steps.png"]
        fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(names)), 4))
        for step, style in ((0, "o-"), (-1, "s-")):
            ax.semilogy(range(len(names)), [self.records[step]["grad_norm"][n] + 1e-30 for n in names], style,
                        label=f"step {self.records[step]['step']}")
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
        ax.set(ylabel="||dL/dW|| (log scale)", title="gradient norm per layer (input -> output)")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(paths[0], dpi=100)
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(7, 4))
        steps = [r["step"] for r in self.records]
        for name in names:
            ax.semilogy(steps, [r["grad_norm"][name] + 1e-30 for r in self.records], label=name)
        ax.set(xlabel="step", ylabel="||dL/dW|| (log scale)", title="gradient norm over training")
        ax.grid(alpha=0.3)
        if len(names) <= 12:
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(paths[1], dpi=100)
        plt.close(fig)
        return paths


def stepped_models(optimizer, modules):
    """The models an optimizer steps: of the modules that ran forward, those holding its parameters that are not
    inside another such module (the roots of the program's module trees)."""
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    owners = [m for m in list(modules) if any(id(p) in held for p in m.parameters())]
    inner = {id(child) for m in owners for child in m.modules() if child is not m}
    return [m for m in owners if id(m) not in inner]
