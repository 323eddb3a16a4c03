"""Residual connections: a deep plain CNN against the same CNN whose conv pairs are the notes' ResidualBlocks.

In y = relu(x + F(x)) the identity path contributes 1 to dy/dx, so dL/dx = dL/dy (1 + dF/dx): the gradient
reaches the first layer even where the conv path's Jacobian is small. Without it the gradient is the
product of every layer's Jacobian and fades with depth.
"""
from .. import nn, optim, random
from ..models import ResidualBlock
from ..nn import functional as F
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, mnist_subset, pyplot, save_figure


class PlainBlock(nn.Module):
    """The residual block without its skip connection: relu(conv2(relu(conv1(x))))."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))


class DeepCNN(nn.Module):
    """stem conv 1->C 3x3, maxpool -> `blocks` blocks of two 3x3 convs at 14x14 -> maxpool -> Linear(C*49, 10)."""

    def __init__(self, blocks, residual, channels=8):
        super().__init__()
        self.stem = nn.Conv2d(1, channels, kernel_size=3, padding=1)
        block = ResidualBlock if residual else PlainBlock
        self.blocks = nn.Sequential(*[block(channels) for _ in range(blocks)])
        self.fc = nn.Linear(channels * 49, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.stem(x)), 2)
        x = F.max_pool2d(self.blocks(x), 2)
        return self.fc(x.flatten(1))


def train(residual, images, labels, blocks, batch, lr, seed):
    random.manual_seed(seed)
    model = DeepCNN(blocks, residual)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    first_norms, losses = [], []
    for start in range(0, len(labels) - batch + 1, batch):
        loss = F.cross_entropy(model(images[start:start + batch]), labels[start:start + batch])
        optimizer.zero_grad()
        loss.backward()
        first_norms.append(model.stem.weight.grad.norm().item())
        losses.append(loss.item())
        optimizer.step()
    return first_norms, losses


def run(out_dir, blocks=8, images_per_epoch=2048, batch=32, lr=0.02, seed=0, data_dir=None, **_):
    images, labels = mnist_subset(images_per_epoch, data_dir)
    plain_norms, plain_losses = train(False, images, labels, blocks, batch, lr, seed)
    res_norms, res_losses = train(True, images, labels, blocks, batch, lr, seed)
    window = max(1, len(plain_losses) // 8)

    def tail(values):
        return sum(values[-window:]) / window

    plt = pyplot()
    fig, (ax_norm, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    plain, residual = text("residual.plain"), text("residual.residual")
    ax_norm.semilogy(plain_norms, label=plain)
    ax_norm.semilogy(res_norms, label=residual)
    ax_norm.set(xlabel=text("residual.step"), ylabel=text("residual.norm"), title=text("residual.norm_title"))
    ax_loss.plot(plain_losses, label=plain)
    ax_loss.plot(res_losses, label=residual)
    ax_loss.set(xlabel=text("residual.step"), ylabel=text("residual.loss"),
                title=text("residual.loss_title", layers=2 * blocks + 1))
    for ax in (ax_norm, ax_loss):
        ax.legend()
    figure = save_figure(fig, out_dir, "residual_vs_plain.png")
    ratio = res_norms[0] / plain_norms[0]
    rows = [[t("residual.plain"), plain_norms[0], sum(plain_norms) / len(plain_norms), plain_losses[0],
             tail(plain_losses)],
            [t("residual.residual"), res_norms[0], sum(res_norms) / len(res_norms), res_losses[0], tail(res_losses)]]
    verdict = t("residual.verdict", layers=2 * blocks + 1, ratio=ratio, steps=len(res_losses),
                residual=tail(res_losses), plain=tail(plain_losses))
    numbers = {"first_grad_ratio": ratio, "plain_final_loss": tail(plain_losses),
               "residual_final_loss": tail(res_losses), "plain_first_grad": plain_norms[0],
               "residual_first_grad": res_norms[0]}
    return ExperimentResult("residual", t("residual.columns").split(";"), rows, verdict, numbers, [figure])
