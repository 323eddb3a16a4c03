"""The course's networks, ready to train, and a registry by name for the command line."""
from .inception import InceptionA, InceptionNet
from .lenet import LeNet5
from .linear import LinearModel, SoftmaxRegression
from .mlp import DeepMLP, XorMLP
from .registry import MODELS, ModelSpec, create_model
from .resnet import ResidualBlock, ResNet

__all__ = ["InceptionA", "InceptionNet", "LeNet5", "LinearModel", "SoftmaxRegression", "DeepMLP", "XorMLP",
           "ResidualBlock", "ResNet", "MODELS", "ModelSpec", "create_model"]
