"""The notes' residual block and the small ResNet built from two of them."""
from .. import nn
from ..nn import functional as F


class ResidualBlock(nn.Module):
    """y = relu(x + conv2(relu(conv1(x)))), both convs 3x3 with padding 1, so shapes are kept: (N, C, H, W).

    The identity path adds 1 to the Jacobian: dL/dx = dL/dy' (1 + d conv-path / dx), so gradients reach early
    layers even when the conv path's Jacobian is small."""

    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ResNet(nn.Module):
    """The notes' residual network for 28x28 digits (41,514 parameters):
    (N, 1, 28, 28) -conv1 5x5, relu, maxpool-> (N, 16, 12, 12) -rblock1-> (N, 16, 12, 12)
    -conv2 5x5, relu, maxpool-> (N, 32, 4, 4) -rblock2-> (N, 32, 4, 4) -view-> (N, 512) -fc-> (N, 10)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        x = x.view(in_size, -1)
        return self.fc(x)
