"""Models by name, with what they take as input, for `glasstorch train --model NAME`."""
import dataclasses

from .inception import InceptionNet
from .lenet import LeNet5
from .linear import SoftmaxRegression
from .mlp import DeepMLP, XorMLP
from .resnet import ResNet


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    build: type
    description: str
    input_kind: str = "image"     # "image": (N, 1, 28, 28) with 10 classes; "xor": (N, 2) with one logit
    recipe: dict = dataclasses.field(default_factory=dict)   # training options that differ from the defaults


MODELS = {spec.name: spec for spec in [
    ModelSpec("linear", SoftmaxRegression, "softmax regression on the 784 pixels (the linear baseline)"),
    ModelSpec("xor", XorMLP, "2-4-2 tanh MLP for the XOR problem (dataset xor)", input_kind="xor",
              recipe={"dataset": "xor", "lr": 0.05, "epochs": 20}),
    ModelSpec("deep-mlp", DeepMLP, "5-layer ReLU MLP, 64 units wide"),
    ModelSpec("inception-net", InceptionNet, "the notes' Inception network"),
    ModelSpec("resnet", ResNet, "the notes' two-residual-block network"),
    ModelSpec("lenet", LeNet5, "LeNet-5 with tanh and average pooling"),
]}


def create_model(name, **kwargs):
    try:
        spec = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}") from None
    return spec.build(**kwargs)
