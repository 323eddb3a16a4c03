"""Neural-network layers, losses and utilities (PyTorch's torch.nn)."""
from . import functional, init, parallel, utils  # noqa: F401
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Parameter

__all__ = ["Module", "Parameter", "functional", "init", "parallel", "utils", *_modules_all]
