"""Adagrad: step sizes shrink with the sum of squared past gradients."""
from ..backend import xp
from ..creation import tensor
from .optimizer import Optimizer, implementation_flags


class Adagrad(Optimizer):
    """t = t + 1;  g = dL/dw + weight_decay w;  clr = lr / (1 + (t - 1) lr_decay)
    S = S + g^2;  w = w - clr g / (sqrt(S) + eps)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 foreach=None, maximize=False, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if lr_decay < 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize,
                                      **implementation_flags("Adagrad", foreach, differentiable, fused=fused)))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = tensor(0.0)
            state["sum"] = self.state_tensor(xp.full_like(param, group["initial_accumulator_value"]))
        with state["step"].modify() as step_count:
            step_count += 1
        step = float(state["step"].item())
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"].array
        total += grad * grad
        param -= clr * (grad / (xp.sqrt(total) + group["eps"]))
