"""Exploding gradients and clipping: a deep ReLU MLP whose weights are too large (std = scale / sqrt(fan_in)
with scale > sqrt(2)) multiplies the gradient by about scale / sqrt(2) per layer on the way back, so early
layers get huge gradients and plain SGD diverges. clip_grad_norm_ rescales the whole gradient to a fixed
norm (same direction), so every step stays bounded and the same network learns.
"""
import math

import numpy as np

from .. import nn, optim, random
from ..models import DeepMLP
from ..nn import functional as F
from ..nn.utils import clip_grad_norm_
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, mnist_subset, pyplot, save_figure


def build(depth, scale, seed):
    random.manual_seed(seed)
    model = DeepMLP(depth=depth, width=64, activation="relu")
    for layer in model.linear_layers():
        nn.init.normal_(layer.weight, 0.0, scale / math.sqrt(layer.in_features))
        nn.init.zeros_(layer.bias)
    return model


def train(model, images, labels, steps, lr, clip):
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses, norms = [], []
    batch = 64
    for step in range(steps):
        start = (step * batch) % len(labels)
        loss = F.cross_entropy(model(images[start:start + batch]), labels[start:start + batch])
        value = loss.item()
        losses.append(value)
        if not math.isfinite(value):
            break                          # diverged: caught here, as `glasstorch train` does
        optimizer.zero_grad()
        loss.backward()
        total = clip_grad_norm_(model.parameters(), clip if clip else float("inf")).item()
        norms.append(total)
        if not math.isfinite(total):
            losses.append(float("nan"))
            break
        optimizer.step()
    return losses, norms


def gradient_norm_at_init(depth, scale, seed, images, labels):
    """(total gradient norm, per-layer ||dL/dh_k|| from input to output) of a fresh network on one batch."""
    model = build(depth, scale, seed)
    hidden = []
    for layer in model.linear_layers():
        layer.register_forward_hook(lambda module, args, out: (out.retain_grad(), hidden.append(out))[1] and None)
    F.cross_entropy(model(images[:64]), labels[:64]).backward()
    total = math.sqrt(sum(float((p.grad.array ** 2).sum()) for p in model.parameters()))
    return total, [h.grad.norm().item() for h in hidden]


def run(out_dir, depths=(2, 4, 8, 12), scale=3.0, steps=200, lr=0.05, clip=1.0, seed=0, data_dir=None, **_):
    images, labels = mnist_subset(2048, data_dir)
    depth = max(depths)
    by_depth = {d: gradient_norm_at_init(d, scale, seed, images, labels) for d in depths}
    per_layer = by_depth[depth][1]
    growth = by_depth[depth][0] / by_depth[min(depths)][0]
    with np.errstate(over="ignore", invalid="ignore"):       # the plain run is expected to overflow
        plain_losses, plain_norms = train(build(depth, scale, seed), images, labels, steps, lr, clip=None)
    clipped_losses, clipped_norms = train(build(depth, scale, seed), images, labels, steps, lr, clip=clip)
    diverged = not math.isfinite(plain_losses[-1])
    clipped_finite = all(math.isfinite(v) for v in clipped_losses)
    plt = pyplot()
    fig, (ax_layers, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    ax_layers.semilogy(range(1, depth + 1), per_layer, "o-")
    ax_layers.set(xlabel=text("exploding.layer"), ylabel=text("exploding.norm"),
                  title=text("exploding.norm_title", depth=depth))
    ax_loss.semilogy([v if math.isfinite(v) else float("nan") for v in plain_losses], label="SGD")
    ax_loss.semilogy(clipped_losses, label=text("exploding.clipped", clip=clip))
    ax_loss.set(xlabel=text("exploding.step"), ylabel=text("exploding.loss"), title=text("exploding.loss_title"))
    ax_loss.legend()
    figure = save_figure(fig, out_dir, "exploding_gradients.png")
    stop = (t("exploding.became", loss=plain_losses[-1], step=len(plain_losses)) if diverged
            else t("exploding.finite", loss=plain_losses[-1]))
    verdict = t("exploding.verdict", scale=scale, growth=growth, depth=depth, shallow=min(depths), stop=stop,
                peak=max(plain_norms), clip=clip, first=clipped_losses[0], last=min(clipped_losses[-10:]), steps=steps)
    rows = [["SGD", plain_losses[0], max(plain_norms), len(plain_losses), plain_losses[-1]],
            [t("exploding.row_clipped", clip=clip), clipped_losses[0], max(clipped_norms), len(clipped_losses),
             clipped_losses[-1]]]
    numbers = {"depth_growth": growth, "hidden_growth": per_layer[0] / per_layer[-1],
               **{f"grad_norm_depth_{d}": by_depth[d][0] for d in depths}, "plain_diverged": diverged, "clipped_finite": clipped_finite,
               "clipped_first_loss": clipped_losses[0], "clipped_final_loss": min(clipped_losses[-10:]),
               "plain_steps_before_divergence": len(plain_losses)}
    rows += [[t("exploding.row_depth", depth=d), "", f"{by_depth[d][0]:.3e}", "", ""] for d in depths]
    return ExperimentResult("exploding", t("exploding.columns").split(";"), rows, verdict, numbers, [figure])
