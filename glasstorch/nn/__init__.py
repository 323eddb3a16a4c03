"""Neural-network layers, losses and utilities (PyTorch's torch.nn)."""
from . import functional  # noqa: F401
