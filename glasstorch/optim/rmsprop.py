"""RMSprop: divide the step by a running root-mean-square of the gradient."""
from ..backend import xp
from .optimizer import Optimizer, implementation_flags


class RMSprop(Optimizer):
    """g = dL/dw + weight_decay w;  s = alpha s + (1 - alpha) g^2
    centered: a = a + (1 - alpha)(g - a),  r = sqrt(s - a^2) + eps;  else r = sqrt(s) + eps
    momentum: b = momentum b + g / r, w = w - lr b;  else w = w - lr g / r
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize,
                                      **implementation_flags("RMSprop", foreach, differentiable,
                                                             capturable=capturable)))

    def update(self, param, grad, state, group):
        alpha = group["alpha"]
        if not state:
            state["step"] = self.state_tensor(xp.zeros((), dtype=xp.float32))
            state["square_avg"] = self.state_tensor(xp.zeros_like(param))
            if group["momentum"] > 0:
                state["momentum_buffer"] = self.state_tensor(xp.zeros_like(param))
            if group["centered"]:
                state["grad_avg"] = self.state_tensor(xp.zeros_like(param))
        with state["step"].modify() as step_count:
            step_count += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"].array
            grad_avg += (1 - alpha) * (grad - grad_avg)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"].array
            buffer *= group["momentum"]
            buffer += grad / avg
            param -= group["lr"] * buffer
        else:
            param -= group["lr"] * (grad / avg)
