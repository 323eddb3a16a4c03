"""torchvision's AlexNet (Krizhevsky 2014, "one weird trick" variant), with torchvision's module names."""
from ... import nn
from ._weights import check_weights, weights_enum


class AlexNet(nn.Module):
    """(N, 3, 224, 224) -five convolutions (11x11/4, 5x5, three 3x3) with ReLU and three 3x3/2 max pools->
    (N, 256, 6, 6) -adaptive average pool to 6x6, flatten-> (N, 9216) -dropout, 4096, 4096 with ReLU-> classes.
    Layers keep PyTorch's default initialisation, as torchvision's."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


AlexNet_Weights = weights_enum("AlexNet", ["IMAGENET1K_V1"])


def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet, 61.1 M parameters."""
    check_weights("alexnet", weights, kwargs)
    return AlexNet(**kwargs)
