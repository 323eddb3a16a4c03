"""torchvision's VGG networks (Simonyan & Zisserman 2014): `features` (3x3 convolutions with padding 1, ReLU, 2x2
max pools halving H and W), `avgpool` to 7x7, `classifier` (three fully connected layers with dropout), named as
torchvision's so state_dict keys match."""
from ... import nn
from ._weights import check_weights, weights_enum

# Channels of each 3x3 convolution, "M" a 2x2 max pool: configurations A (VGG-11), B (13), D (16), E (19).
CONFIGURATIONS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """(N, 3, H, W) -features-> (N, 512, H/32, W/32) -adaptive average pool-> (N, 512, 7, 7) -flatten, classifier->
    (N, num_classes). Initialisation as torchvision's: convolutions kaiming_normal_(fan_out, relu) with zero bias,
    batch norm 1 and 0, linear layers N(0, 0.01) with zero bias."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def make_layers(cfg, batch_norm=False):
    """The `features` Sequential of a configuration: conv (+ batch norm) + ReLU per number, a max pool per "M"."""
    layers, in_channels = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        layers += [nn.BatchNorm2d(v), nn.ReLU(inplace=True)] if batch_norm else [nn.ReLU(inplace=True)]
        in_channels = v
    return nn.Sequential(*layers)


VGG11_Weights = weights_enum("VGG11", ["IMAGENET1K_V1"])
VGG11_BN_Weights = weights_enum("VGG11_BN", ["IMAGENET1K_V1"])
VGG16_Weights = weights_enum("VGG16", ["IMAGENET1K_V1", "IMAGENET1K_FEATURES"])


def _vgg(name, cfg, batch_norm, weights, kwargs):
    check_weights(name, weights, kwargs)
    return VGG(make_layers(CONFIGURATIONS[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11 (configuration A), 132.9 M parameters."""
    return _vgg("vgg11", "A", False, weights, kwargs)


def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with batch normalisation after each convolution."""
    return _vgg("vgg11_bn", "A", True, weights, kwargs)


def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG-16 (configuration D), 138.4 M parameters."""
    return _vgg("vgg16", "D", False, weights, kwargs)
