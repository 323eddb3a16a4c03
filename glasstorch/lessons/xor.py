"""XOR needs a non-linearity: no line separates {(0,1), (1,0)} from {(0,0), (1,1)}, so a linear model gets at
most 3 of the 4 points right (75%); one hidden tanh layer bends the boundary and gets all 4."""
from .. import nn, optim, random
from ..creation import from_numpy
from ..datasets.xor import XOR_INPUTS, XOR_LABELS
from ..models import XorMLP
from ..nn import functional as F
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, pyplot, save_figure


def _train(model, steps, lr):
    x, y = from_numpy(XOR_INPUTS), from_numpy(XOR_LABELS)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    accuracy = float((model(x).array.argmax(axis=1) == XOR_LABELS).mean())
    return losses, accuracy


def run(out_dir, steps=400, seed=0, **_):
    random.manual_seed(seed)
    linear_losses, linear_acc = _train(nn.Linear(2, 2), steps, lr=0.05)
    mlp_losses, mlp_acc = _train(XorMLP(hidden=8), steps, lr=0.05)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(linear_losses, label=text("xor.linear", accuracy=100 * linear_acc))
    ax.plot(mlp_losses, label=text("xor.mlp", accuracy=100 * mlp_acc))
    ax.set(xlabel=text("xor.update"), ylabel=text("xor.loss"), title=text("xor.title"))
    ax.legend()
    figure = save_figure(fig, out_dir, "xor_loss.png")
    verdict = t("xor.verdict", linear=100 * linear_acc, mlp=100 * mlp_acc)
    return ExperimentResult(
        "xor", t("xor.columns").split(";"),
        [[t("xor.row_linear"), linear_losses[-1], f"{100 * linear_acc:.0f}%"],
         [t("xor.row_mlp"), mlp_losses[-1], f"{100 * mlp_acc:.0f}%"]],
        verdict, {"linear_accuracy": linear_acc, "mlp_accuracy": mlp_acc}, [figure])
