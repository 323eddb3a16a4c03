"""Multi-layer perceptrons: the XOR network and deep MLPs for the vanishing-gradient lessons."""
from .. import nn

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU}


def activation_module(name):
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None


class XorMLP(nn.Module):
    """(N, 2) -> Linear(2, hidden) -> activation -> Linear(hidden, 2) -> logits of (x1 XOR x2) = 0 or 1."""

    def __init__(self, hidden=4, activation="tanh"):
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.activation = activation_module(activation)
        self.output = nn.Linear(hidden, 2)

    def forward(self, x):
        return self.output(self.activation(self.hidden(x)))


class DeepMLP(nn.Module):
    """depth Linear layers of `width` units with `activation` between them:
    (N, *) -> flatten -> (N, in_features) -> ... -> (N, out_features). Layers are `layers.0`, `layers.2`, ..."""

    def __init__(self, depth=5, width=64, activation="relu", in_features=784, out_features=10):
        super().__init__()
        if depth < 1:
            raise ValueError(f"DeepMLP: depth must be at least 1, got {depth}")
        self.depth, self.width, self.activation = depth, width, activation
        self.flatten = nn.Flatten()
        sizes = [in_features] + [width] * (depth - 1) + [out_features]
        layers = []
        for i in range(depth):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < depth - 1:
                layers.append(activation_module(activation))
        self.layers = nn.Sequential(*layers)

    def linear_layers(self):
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    def forward(self, x):
        return self.layers(self.flatten(x))
