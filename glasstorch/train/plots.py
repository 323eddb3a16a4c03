"""The run's figures (matplotlib, Agg backend: no display needed)."""
import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history, path, title=""):
    """Loss and accuracy against epoch, train and test, as the notes plot them."""
    plt = _pyplot()
    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [r["train_loss"] for r in history], "o-", label="train")
    ax_loss.plot(epochs, [r["test_loss"] for r in history], "s-", label="test")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.plot(epochs, [100 * r["train_acc"] for r in history], "o-", label="train")
    ax_acc.plot(epochs, [100 * r["test_acc"] for r in history], "s-", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion(confusion, classes, path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(confusion, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ticks = range(len(classes))
    labels = [str(c) for c in classes]
    ax.set_xticks(ticks, labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true", title="confusion matrix (test set)")
    threshold = confusion.max() / 2 if confusion.size else 0
    for t in ticks:
        for p in ticks:
            ax.text(p, t, int(confusion[t, p]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[t, p] > threshold else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_samples(images, predicted, targets, classes, path, columns=8):
    """A grid of test images titled 'pred (true)', wrong predictions in red."""
    plt = _pyplot()
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.5))
    for ax in np.atleast_1d(axes).ravel():
        ax.axis("off")
    for ax, image, p, t in zip(np.atleast_1d(axes).ravel(), images, predicted, targets):
        ax.imshow(image, cmap="gray")
        ax.set_title(f"{_short(classes[p])} ({_short(classes[t])})", fontsize=7, color="black" if p == t else "red")
    fig.suptitle("test images: predicted (true)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _short(name):
    return str(name).split(" - ")[0][:10]
