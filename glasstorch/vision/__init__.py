"""torchvision's API on glasstorch tensors: `import glasstorch.vision as torchvision`, or
`from glasstorch.vision import datasets, transforms`."""
from . import datasets, models, transforms, utils

__version__ = "0.0.0+glasstorch"

__all__ = ["datasets", "models", "transforms", "utils"]
