"""torchvision.models: the classic image classifiers with torchvision's module names, so a state_dict moves between
torchvision and glasstorch unchanged (through safetensors). weights=None builds them with torchvision's
initialisation; pretrained weights are not downloaded (see _weights.check_weights for the one-line way round)."""
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, resnet18, resnet34, resnet50
from .vgg import VGG, VGG11_BN_Weights, VGG11_Weights, VGG16_Weights, vgg11, vgg11_bn, vgg16

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet", "MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2", "ResNet",
           "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "resnet18", "resnet34", "resnet50", "VGG",
           "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "vgg11", "vgg11_bn", "vgg16"]
