"""The run's figures. They are drawn on bare matplotlib Figures (Agg canvas, no pyplot state, no display) with
fixed margins: tight_layout and one axes per sample image cost more than an epoch's evaluation."""
import numpy as np

from ..i18n.fonts import figure_text as text


def _figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def plot_curves(history, path, title=""):
    """Loss and accuracy against epoch, train and test, as the notes plot them."""
    from matplotlib.ticker import MaxNLocator

    epochs = [row["epoch"] for row in history]
    fig = _figure(figsize=(10, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    train, test, epoch = text("figure.train"), text("figure.test"), text("figure.epoch")
    ax_loss.plot(epochs, [r["train_loss"] for r in history], "o-", label=train)
    ax_loss.plot(epochs, [r["test_loss"] for r in history], "s-", label=test)
    ax_loss.set(xlabel=epoch, ylabel=text("figure.loss"), title=text("figure.loss"))
    ax_acc.plot(epochs, [100 * r["train_acc"] for r in history], "o-", label=train)
    ax_acc.plot(epochs, [100 * r["test_acc"] for r in history], "s-", label=test)
    ax_acc.set(xlabel=epoch, ylabel=text("figure.accuracy_percent"), title=text("figure.accuracy"))
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.85 if title else 0.91, wspace=0.25)
    fig.savefig(path, dpi=100)


def plot_confusion(confusion, classes, path):
    fig = _figure(figsize=(7, 6))
    ax = fig.add_axes((0.2, 0.2, 0.62, 0.72))
    image = ax.imshow(confusion, cmap="Blues")
    fig.colorbar(image, cax=fig.add_axes((0.85, 0.2, 0.03, 0.72)))
    ticks = range(len(classes))
    labels = [str(c) for c in classes]
    ax.set_xticks(ticks, labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set(xlabel=text("figure.predicted"), ylabel=text("figure.true"), title=text("figure.confusion"))
    threshold = confusion.max() / 2 if confusion.size else 0
    for t in ticks:
        for p in ticks:
            ax.text(p, t, int(confusion[t, p]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[t, p] > threshold else "black")
    fig.savefig(path, dpi=100)


def plot_samples(images, predicted, targets, classes, path, columns=8):
    """A grid of test images titled 'pred (true)', wrong predictions in red: one mosaic image with a caption
    above each tile."""
    count, height, width = images.shape
    rows = -(-count // columns)
    tile_h, tile_w = height + 9, width + 6  # room for the caption above, a gap beside
    mosaic = np.full((rows * tile_h, columns * tile_w), np.nan)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        mosaic[row * tile_h + 8:row * tile_h + 8 + height, column * tile_w:column * tile_w + width] = image
    fig = _figure(figsize=(columns * 1.3, rows * 1.5))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.92))
    ax.imshow(mosaic, cmap="gray", interpolation="nearest")
    ax.axis("off")
    for index, (p, t) in enumerate(zip(predicted, targets)):
        row, column = divmod(index, columns)
        ax.text(column * tile_w + width / 2, row * tile_h + 7, f"{_short(classes[p])} ({_short(classes[t])})",
                ha="center", va="bottom", fontsize=7, color="black" if p == t else "red")
    fig.suptitle(text("figure.samples"), fontsize=9)
    fig.savefig(path, dpi=100)


def _short(name):
    return str(name).split(" - ")[0][:10]
