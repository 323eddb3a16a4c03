"""Vanishing gradients: deep MLPs with sigmoid, tanh and ReLU on real digits.

Backward through layer k multiplies the gradient by W_k^T diag(f'(z_k)). sigmoid' <= 1/4, so with sigmoid
the first layer's gradient shrinks roughly like (1/4)^depth relative to the last layer's; ReLU' is 0 or 1
and, with He initialisation, keeps the norm about constant. Each network gets the initialisation made
for its activation (He for ReLU, Xavier for sigmoid and tanh), so the comparison is fair.
"""
import time

from .. import nn, optim, random
from ..models import DeepMLP
from ..nn import functional as F
from ..diagnostics import GradientFlowRecorder
from ..i18n import t
from ..i18n.fonts import figure_text
from .common import ExperimentResult, mnist_subset, pyplot, save_figure


def _initialise(model, activation):
    for layer in model.linear_layers():
        if activation == "relu":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain(activation))
        nn.init.zeros_(layer.bias)


def measure(activation, depth, images, labels, steps, lr, width=64, seed=0):
    """First/last-layer gradient norms at initialisation and after `steps` SGD updates, and the loss."""
    random.manual_seed(seed)
    model = DeepMLP(depth=depth, width=width, activation=activation)
    _initialise(model, activation)
    recorder = GradientFlowRecorder(model)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    batch = 64
    for step in range(steps + 1):
        start = (step * batch) % len(labels)
        loss = F.cross_entropy(model(images[start:start + batch]), labels[start:start + batch])
        optimizer.zero_grad()
        loss.backward()
        recorder.step()
        if step < steps:
            optimizer.step()
    recorder.remove()
    first = recorder.layer_norms(0)
    names = list(first)
    return {"first_init": first[names[0]], "last_init": first[names[-1]], "ratio_init": recorder.first_last_ratio(0),
            "ratio_trained": recorder.first_last_ratio(-1), "loss": loss.item(), "recorder": recorder}


def run(out_dir, depths=(5, 10, 20), steps=60, lr=0.01, data_dir=None, **_):
    images, labels = mnist_subset(2048, data_dir)
    results = {}
    started = time.perf_counter()
    for depth in depths:
        for activation in ("sigmoid", "tanh", "relu"):
            results[activation, depth] = measure(activation, depth, images, labels, steps, lr)
    rows = [[activation, depth, r["first_init"], r["last_init"], r["ratio_init"], r["ratio_trained"], r["loss"]]
            for (activation, depth), r in results.items()]
    deepest = max(depths)
    sigmoid, relu = results["sigmoid", deepest], results["relu", deepest]
    advantage = relu["first_init"] / sigmoid["first_init"]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for activation in ("sigmoid", "tanh", "relu"):
        norms = list(results[activation, deepest]["recorder"].layer_norms(0).values())
        ax.semilogy(range(1, len(norms) + 1), norms, "o-", label=activation)
    ax.set(xlabel=figure_text("activations.layer"), ylabel=figure_text("activations.norm"),
           title=figure_text("activations.title", depth=deepest))
    ax.legend()
    ax.grid(alpha=0.3)
    figure = save_figure(fig, out_dir, "activations_gradient_norms.png")
    verdict = t("activations.verdict", depth=deepest, sigmoid_ratio=sigmoid["ratio_init"],
                relu_ratio=relu["ratio_init"], advantage=advantage, seconds=time.perf_counter() - started)
    numbers = {f"{a}_{d}_{k}": r[k] for (a, d), r in results.items()
               for k in ("first_init", "last_init", "ratio_init", "ratio_trained", "loss")}
    numbers["relu_over_sigmoid_first_layer"] = advantage
    return ExperimentResult("activations", t("activations.columns", steps=steps).split(";"), rows, verdict, numbers,
                            [figure])
