"""The notes' first models: y = w x + b, and softmax regression on flattened images."""
from .. import nn


class LinearModel(nn.Module):
    """y = w x + b with one input and one output, the notes' `LinearModel` (x: (N, 1) -> (N, 1))."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


class SoftmaxRegression(nn.Module):
    """logits = W flatten(x) + b: (N, 1, 28, 28) -> (N, 784) -> (N, 10). The linear baseline for images."""

    def __init__(self, in_features=784, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(in_features, num_classes)

    def forward(self, x):
        return self.linear(self.flatten(x))
