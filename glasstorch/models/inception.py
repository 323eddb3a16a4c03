"""The notes' GoogLeNet-style Inception module and the network built from two of them."""
from .. import nn
from ..nn import functional as F
from ..ops.shape import cat


class InceptionA(nn.Module):
    """Four parallel branches, concatenated along channels (16 + 24 + 24 + 24 = 88 output channels):
    1x1 conv 16 | 1x1 conv 16 -> 5x5 conv 24 | 1x1 conv 16 -> 3x3 conv 24 -> 3x3 conv 24 | 3x3 avg pool -> 1x1 conv 24.
    Padding keeps H and W: (N, C, H, W) -> (N, 88, H, W)."""

    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)


class InceptionNet(nn.Module):
    """The notes' Inception network for 28x28 digits (97,298 parameters):
    (N, 1, 28, 28) -conv1 5x5-> (N, 10, 24, 24) -maxpool, relu-> (N, 10, 12, 12) -incept1-> (N, 88, 12, 12)
    -conv2 5x5-> (N, 20, 8, 8) -maxpool, relu-> (N, 20, 4, 4) -incept2-> (N, 88, 4, 4) -view-> (N, 1408) -fc-> (N, 10)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incept1 = InceptionA(in_channels=10)
        self.incept2 = InceptionA(in_channels=20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, num_classes)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = self.incept1(x)
        x = F.relu(self.mp(self.conv2(x)))
        x = self.incept2(x)
        x = x.view(in_size, -1)
        return self.fc(x)
