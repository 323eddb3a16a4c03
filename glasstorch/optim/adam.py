"""Adam and AdamW: per-parameter step sizes from running moments of the gradient."""
import math

from ..backend import xp
from ..creation import tensor
from .optimizer import Optimizer, implementation_flags


class Adam(Optimizer):
    """t = t + 1;  g = dL/dw + weight_decay w
    m = m + (1 - b1)(g - m);  v = b2 v + (1 - b2) g^2        (v_max = max(v_max, v) with amsgrad)
    w = w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      **implementation_flags(type(self).__name__, foreach, differentiable,
                                                             capturable=capturable, fused=fused),
                                      decoupled_weight_decay=decoupled_weight_decay))

    def update(self, param, grad, state, group):
        lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"] = self.state_tensor(xp.zeros_like(param))
            state["exp_avg_sq"] = self.state_tensor(xp.zeros_like(param))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = self.state_tensor(xp.zeros_like(param))
        if decay:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * decay
            else:
                grad = grad + decay * param
        with state["step"].modify() as step_count:
            step_count += 1
        step = float(state["step"].item())
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            second_moment = state["max_exp_avg_sq"].array
            xp.maximum(second_moment, exp_avg_sq, out=second_moment)
        step_size = lr / (1 - beta1 ** step)
        denom = xp.sqrt(second_moment) / math.sqrt(1 - beta2 ** step) + eps
        param -= step_size * (exp_avg / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: w = w (1 - lr weight_decay) before the Adam step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
