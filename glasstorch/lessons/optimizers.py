"""Gradient descent regimes on one problem (an MLP on 1,024 real digits, 3 epochs each): full-batch GD makes
few, exact updates; SGD (batch 1) many noisy ones; mini-batches sit between; momentum accumulates a velocity
v = m v + g; Adam scales each step by running moments. Loss is measured on the whole set."""
import time

from .. import nn, optim, random
from ..autograd.grad_mode import no_grad
from ..nn import functional as F
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, mnist_subset, pyplot, save_figure

METHODS = [
    ("full-batch GD", None, lambda p: optim.SGD(p, lr=0.5)),
    ("SGD (batch 1)", 1, lambda p: optim.SGD(p, lr=0.01)),
    ("mini-batch 32", 32, lambda p: optim.SGD(p, lr=0.1)),
    ("momentum 0.9, batch 32", 32, lambda p: optim.SGD(p, lr=0.02, momentum=0.9)),
    ("Adam, batch 32", 32, lambda p: optim.Adam(p, lr=1e-3)),
]


def _model(seed):
    random.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


def train(batch, make_optimizer, images, labels, epochs, seed, points=30):
    model = _model(seed)
    optimizer = make_optimizer(model.parameters())
    n = len(labels)
    batch = batch or n
    updates_total = epochs * (n // batch)
    every = max(1, updates_total // points)
    curve, updates, elapsed = [], 0, 0.0

    def full_loss():
        with no_grad():
            return F.cross_entropy(model(images), labels).item()

    curve.append((0, 0.0, full_loss()))
    order_rng = random.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = order_rng.rng.permutation(n)
        for start in range(0, n - batch + 1, batch):
            index = order[start:start + batch]
            began = time.perf_counter()
            loss = F.cross_entropy(model(images[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            elapsed += time.perf_counter() - began
            updates += 1
            if updates % every == 0:
                curve.append((updates, elapsed, full_loss()))
    if curve[-1][0] != updates:
        curve.append((updates, elapsed, full_loss()))
    return curve


def run(out_dir, count=1024, epochs=3, seed=0, data_dir=None, **_):
    images, labels = mnist_subset(count, data_dir)
    curves = {name: train(batch, make, images, labels, epochs, seed) for name, batch, make in METHODS}
    plt = pyplot()
    fig, (ax_updates, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
    for name, curve in curves.items():
        ax_updates.plot([c[0] for c in curve], [c[2] for c in curve], "o-", markersize=2, label=name)
        ax_time.plot([c[1] for c in curve], [c[2] for c in curve], "o-", markersize=2, label=name)
    ax_updates.set(xscale="symlog", xlabel=text("optimizers.updates"), ylabel=text("optimizers.loss"),
                   title=text("optimizers.updates_title"))
    ax_time.set(xlabel=text("optimizers.seconds"), ylabel=text("optimizers.loss"),
                title=text("optimizers.seconds_title"))
    ax_updates.legend(fontsize=8)
    figure = save_figure(fig, out_dir, "optimizers.png")
    rows = [[name, curve[-1][0], curve[-1][1], curve[-1][2]] for name, curve in curves.items()]
    final = {name: curve[-1][2] for name, curve in curves.items()}
    best = min(final, key=final.get)
    verdict = t("optimizers.verdict", epochs=epochs, full_updates=curves["full-batch GD"][-1][0],
                full=final["full-batch GD"], sgd_updates=curves["SGD (batch 1)"][-1][0], sgd=final["SGD (batch 1)"],
                mini=final["mini-batch 32"], momentum=final["momentum 0.9, batch 32"], adam=final["Adam, batch 32"],
                best=best)
    numbers = {f"{name}_final_loss": value for name, value in final.items()}
    numbers.update({f"{name}_updates": curve[-1][0] for name, curve in curves.items()})
    numbers["initial_loss"] = curves["full-batch GD"][0][2]
    return ExperimentResult("optimizers", t("optimizers.columns").split(";"), rows, verdict, numbers, [figure])
