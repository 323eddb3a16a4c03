"""The `weights=` argument of torchvision's model builders, for a framework that downloads nothing.

torchvision's builders take `weights=None` (random initialisation) or a weights enum (`ResNet18_Weights.DEFAULT`,
or its name as a string) that downloads a file. glasstorch builds the same modules with the same names, so a
state_dict converted once with PyTorch loads here; asking for the download itself gets one line that says so.
"""
import enum

from ...errors import UserError


class PretrainedWeightsUnavailable(UserError, RuntimeError):
    """weights= asked for a file glasstorch would have to download."""


def weights_enum(model_name, names):
    """An enum class like torchvision's `<Model>_Weights`: members named as torchvision's, DEFAULT the first."""
    return enum.Enum(f"{model_name}_Weights", {**{name: name for name in names}, "DEFAULT": names[0]})


def check_weights(builder, weights, kwargs):
    """Accept weights=None (and the legacy pretrained=False); refuse a request for pretrained weights."""
    pretrained = kwargs.pop("pretrained", False)
    if weights is None and not pretrained:
        return
    asked = getattr(weights, "name", weights) if weights is not None else "pretrained=True"
    raise PretrainedWeightsUnavailable(
        f"{builder}(weights={asked!r}): pretrained weights need a download that glasstorch does not do; "
        f"build {builder}(weights=None) and load a file converted once with PyTorch: "
        f"safetensors.torch.save_file(torchvision.models.{builder}(weights='DEFAULT').state_dict(), "
        f"'{builder}.safetensors'), then model.load_state_dict(glasstorch.load('{builder}.safetensors'))")
