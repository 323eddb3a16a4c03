"""LeNet-5 (LeCun et al., 1998) for 28x28 inputs, with its tanh activations and average pooling."""
from .. import nn


class LeNet5(nn.Module):
    """(N, 1, 28, 28) -C1 conv 5x5 pad 2-> (N, 6, 28, 28) -S2 avgpool-> (N, 6, 14, 14) -C3 conv 5x5-> (N, 16, 10, 10)
    -S4 avgpool-> (N, 16, 5, 5) -flatten-> (N, 400) -C5-> (N, 120) -F6-> (N, 84) -out-> (N, 10). 61,706 parameters."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
