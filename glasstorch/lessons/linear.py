"""The notes' first program twice: y = w x fitted with the hand-derived gradient dL/dw = 2 x (x w - y), and
with autograd (loss.backward()). The two w trajectories and loss curves must be identical."""
import numpy as np

from ..tensor import Tensor
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, pyplot, save_figure

X_DATA, Y_DATA = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]


def by_hand(epochs, lr):
    w = np.float32(1.0)
    history = []
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA):
            x, y = np.float32(x), np.float32(y)
            loss = (x * w - y) ** 2
            grad = np.float32(2) * x * (x * w - y)       # dL/dw = 2 x (x w - y)
            w = w - np.float32(lr) * grad
        history.append((float(w), float(loss)))
    return history


def by_autograd(epochs, lr):
    w = Tensor([1.0])
    w.requires_grad = True
    history = []
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA):
            loss = (x * w - y) ** 2
            loss.backward()
            w.data = w.data - lr * w.grad.data
            w.grad.data.zero_()
        history.append((w.item(), loss.item()))
    return history


def run(out_dir, epochs=100, lr=0.01, **_):
    hand, auto = np.array(by_hand(epochs, lr)), np.array(by_autograd(epochs, lr))
    difference = float(np.abs(hand - auto).max())
    plt = pyplot()
    fig, (ax_loss, ax_w) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, column in ((ax_loss, 1), (ax_w, 0)):
        ax.plot(hand[:, column], "o", markersize=3, label=text("linear.hand"))
        ax.plot(auto[:, column], "-", label=text("linear.autograd"))
    ax_loss.set(xlabel=text("linear.epoch"), ylabel=text("linear.loss"), yscale="log", title=text("linear.loss_title"))
    ax_w.set(xlabel=text("linear.epoch"), ylabel="w", title=text("linear.w_title"))
    for ax in (ax_loss, ax_w):
        ax.legend()
    figure = save_figure(fig, out_dir, "linear_loss.png")
    rows = [[epoch + 1, hand[epoch, 0], auto[epoch, 0], hand[epoch, 1], auto[epoch, 1]]
            for epoch in (0, 1, 9, 49, epochs - 1) if epoch < epochs]
    verdict = t("linear.verdict", difference=difference, w=auto[-1, 0], epochs=epochs)
    return ExperimentResult("linear", t("linear.columns").split(";"), rows, verdict,
                            {"max_difference": difference, "final_w": float(auto[-1, 0])}, [figure])
