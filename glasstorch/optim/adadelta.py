"""Adadelta and Adamax: per-parameter step sizes from running averages (PyTorch's formulas and defaults)."""
from ..backend import xp
from ..creation import tensor
from .optimizer import Optimizer, implementation_flags


def _check(lr=0.0, eps=0.0, weight_decay=0.0, **ranges):
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps < 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    for name, (value, low, high) in ranges.items():
        if not low <= value <= high:
            raise ValueError(f"Invalid {name} value: {value}")


class Adadelta(Optimizer):
    """g = dL/dw + weight_decay w;  s = rho s + (1 - rho) g^2
    delta = sqrt(u + eps) / sqrt(s + eps) g;  u = rho u + (1 - rho) delta^2;  w = w - lr delta
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, foreach=None, capturable=False,
                 maximize=False, differentiable=False):
        _check(lr, eps, weight_decay, rho=(rho, 0.0, 1.0))
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      **implementation_flags("Adadelta", foreach, differentiable,
                                                             capturable=capturable)))

    def update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = tensor(0.0)
            state["square_avg"] = self.state_tensor(xp.zeros_like(param))
            state["acc_delta"] = self.state_tensor(xp.zeros_like(param))
        with state["step"].modify() as step_count:
            step_count += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= group["lr"] * delta


class Adamax(Optimizer):
    """t = t + 1;  g = dL/dw + weight_decay w;  m = m + (1 - b1)(g - m);  u = max(b2 u, |g| + eps)
    w = w - lr / (1 - b1^t) * m / u      (Adam with the infinity norm in place of the RMS)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, foreach=None, maximize=False,
                 differentiable=False, capturable=False):
        _check(lr, eps, weight_decay, **{"beta parameter at index 0": (betas[0], 0.0, 0.9999999),
                                         "beta parameter at index 1": (betas[1], 0.0, 0.9999999)})
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize,
                                      **implementation_flags("Adamax", foreach, differentiable, capturable=capturable)))

    def update(self, param, grad, state, group):
        (beta1, beta2), eps = group["betas"], group["eps"]
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"] = self.state_tensor(xp.zeros_like(param))
            state["exp_inf"] = self.state_tensor(xp.zeros_like(param))
        with state["step"].modify() as step_count:
            step_count += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
        exp_avg += (1 - beta1) * (grad - exp_avg)
        xp.maximum(exp_inf * beta2, xp.abs(grad) + eps, out=exp_inf)
        param -= group["lr"] / (1 - beta1 ** float(state["step"].item())) * (exp_avg / exp_inf)
