"""The course's networks written for PyTorch: the reference side of the benchmarks and tests."""
import torch
import torch.nn as tnn
import torch.nn.functional as TF


class TorchInceptionA(tnn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = tnn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = tnn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = tnn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = tnn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = tnn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = tnn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = tnn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        bp = self.branch_pool(TF.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([b1, b5, b3, bp], dim=1)


class TorchInceptionNet(tnn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = tnn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = tnn.Conv2d(88, 20, kernel_size=5)
        self.incept1 = TorchInceptionA(10)
        self.incept2 = TorchInceptionA(20)
        self.mp = tnn.MaxPool2d(2)
        self.fc = tnn.Linear(1408, 10)

    def forward(self, x):
        n = x.size(0)
        x = TF.relu(self.mp(self.conv1(x)))
        x = self.incept1(x)
        x = TF.relu(self.mp(self.conv2(x)))
        x = self.incept2(x)
        return self.fc(x.view(n, -1))


class TorchResidualBlock(tnn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = tnn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = tnn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        return TF.relu(x + self.conv2(TF.relu(self.conv1(x))))


class TorchResNet(tnn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = tnn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = tnn.Conv2d(16, 32, kernel_size=5)
        self.mp = tnn.MaxPool2d(2)
        self.rblock1 = TorchResidualBlock(16)
        self.rblock2 = TorchResidualBlock(32)
        self.fc = tnn.Linear(512, 10)

    def forward(self, x):
        n = x.size(0)
        x = self.mp(TF.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(TF.relu(self.conv2(x)))
        x = self.rblock2(x)
        return self.fc(x.view(n, -1))


NETWORKS = {"inception-net": TorchInceptionNet, "resnet": TorchResNet}
