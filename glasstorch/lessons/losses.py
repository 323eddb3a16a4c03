"""MSE on a sigmoid output learns slowly from a saturated start; cross-entropy does not.

With a = sigmoid(z): MSE gives dL/dz = 2 (a - y) a (1 - a), which vanishes when a is near 0 or 1 even if a is
completely wrong; binary cross-entropy gives dL/dz = a - y, as large as the error itself.
"""
import numpy as np

from .. import nn, optim
from ..creation import from_numpy
from ..nn import functional as F
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, pyplot, save_figure

X = np.array([[-2.0], [-1.0], [-0.5], [0.5], [1.0], [2.0]], dtype=np.float32)
Y = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]], dtype=np.float32)


def train(loss_name, steps, lr, start_weight):
    neuron = nn.Linear(1, 1)
    nn.init.constant_(neuron.weight, start_weight)       # saturated and wrong: sigmoid(-5 x)
    nn.init.zeros_(neuron.bias)
    optimizer = optim.SGD(neuron.parameters(), lr=lr)
    x, y = from_numpy(X), from_numpy(Y)
    losses, grads = [], []
    for _ in range(steps):
        z = neuron(x)
        z.retain_grad()
        a = z.sigmoid()
        loss = F.mse_loss(a, y) if loss_name == "mse" else F.binary_cross_entropy(a, y)
        optimizer.zero_grad()
        loss.backward()
        grads.append(float(np.abs(z.grad.numpy()).mean() * len(Y)))      # mean |dL_i/dz_i| per sample
        losses.append(F.binary_cross_entropy(a.detach(), y).item())      # compare both on the same scale
        optimizer.step()
    return losses, grads


def run(out_dir, steps=50, lr=0.5, start_weight=-5.0, **_):
    mse_losses, mse_grads = train("mse", steps, lr, start_weight)
    bce_losses, bce_grads = train("bce", steps, lr, start_weight)
    plt = pyplot()
    fig, (ax_grad, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    ax_grad.semilogy(mse_grads, label=text("losses.mse"))
    ax_grad.semilogy(bce_grads, label=text("losses.bce"))
    ax_grad.set(xlabel=text("losses.step"), ylabel=text("losses.gradient"), title=text("losses.gradient_title"))
    ax_loss.plot(mse_losses, label=text("losses.trained_mse"))
    ax_loss.plot(bce_losses, label=text("losses.trained_bce"))
    ax_loss.set(xlabel=text("losses.step"), ylabel=text("losses.loss"), title=text("losses.loss_title"))
    for ax in (ax_grad, ax_loss):
        ax.legend()
    figure = save_figure(fig, out_dir, "losses_mse_vs_bce.png")
    ratio = bce_grads[0] / mse_grads[0]
    verdict = t("losses.verdict", ratio=ratio, steps=steps, bce=bce_losses[-1], mse=mse_losses[-1],
                start=bce_losses[0])
    rows = [[t("losses.mse"), mse_grads[0], mse_losses[0], mse_losses[-1]],
            [t("losses.bce"), bce_grads[0], bce_losses[0], bce_losses[-1]]]
    numbers = {"gradient_ratio": ratio, "mse_final_loss": mse_losses[-1], "bce_final_loss": bce_losses[-1],
               "initial_loss": bce_losses[0]}
    return ExperimentResult("losses", t("losses.columns", steps=steps).split(";"), rows, verdict, numbers, [figure])
