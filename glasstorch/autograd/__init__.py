"""Automatic differentiation: graph recording, the backward engine, `grad` and `gradcheck`."""
from .engine import backward, grad, register_backward_pre_hook, run_backward  # noqa: F401
from .function import Function, RemovableHandle
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = ["Function", "grad", "backward", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "RemovableHandle", "Variable"]
